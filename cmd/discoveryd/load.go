package main

import (
	"context"
	"log/slog"
	"runtime/debug"

	"github.com/nearby-dev/nearby/daemon"
)

// LoadGCPercent is the GOGC in effect while loading: -1, the collector
// off under a memory limit (see load).
const LoadGCPercent = -1

// loadFallbackGCPercent is the GOGC while loading where the machine's
// memory is unknown, so that no limit can bound a collector that is off.
const loadFallbackGCPercent = 400

// servingGCPercent is the GOGC to set once loading is done, 0 for none:
// the configured --gc-percent, unless the GOGC environment variable is set,
// in which case the operator's choice stands.
func servingGCPercent(c *Config, getenv func(string) string) int {
	if getenv("GOGC") != "" {
		return 0
	}
	return c.GCPercent
}

// setServingGC applies servingGCPercent after loading. The collector's
// work is proportional to the live heap, which is the catalog: see
// DefaultGCPercent for the trade-off.
func setServingGC(c *Config, getenv func(string) string, logger *slog.Logger) {
	// Reading the registry left the records it decoded (a million stores
	// and programs at a time) behind as garbage: collect it now and give
	// the memory back, instead of carrying it in the process's resident
	// size until the scavenger gets to it.
	debug.FreeOSMemory()
	gc := servingGCPercent(c, getenv)
	if gc <= 0 {
		return
	}
	prev := debug.SetGCPercent(gc)
	logger.Info("garbage collector set for serving", slog.Int("gogc", gc), slog.Int("was", prev))
}

// load fills the daemon's catalog (and its geo index) from its registry and
// marks it ready. GOGC is gcPercent while loading (if not 0); afterwards
// it goes back to what it was if restoreGC or on failure, and otherwise
// stays for the caller to set the serving value: going back to a lower
// value in between could start a needless collection of the freshly loaded
// heap.
//
// Loading allocates what it keeps (the catalog) and the read's records,
// which die only at its end: a collection during the load marks hundreds
// of megabytes to free almost nothing (at 1M stores + 1M programs, a tenth
// of the load's CPU). A gcPercent below 0 turns the collector off, with a
// memory limit of three quarters of the machine's memory (or the
// operator's GOMEMLIMIT, if lower) so that a load that outgrows it is
// still collected; the limit goes back once loaded.
func load(ctx context.Context, d *daemon.Daemon, gcPercent int, restoreGC bool) (err error) {
	if gcPercent < 0 {
		prevLimit := debug.SetMemoryLimit(-1)
		if mem := physicalMemory(); mem > 0 {
			debug.SetMemoryLimit(min(prevLimit, int64(mem/4*3)))
			defer debug.SetMemoryLimit(prevLimit)
		} else {
			gcPercent = loadFallbackGCPercent
		}
	}
	if gcPercent != 0 {
		prev := debug.SetGCPercent(gcPercent)
		defer func() {
			if restoreGC || err != nil {
				debug.SetGCPercent(prev)
			}
		}()
	}
	_, err = d.Load(ctx)
	return err
}
