package main

import (
	"context"
	"log/slog"
	"runtime/debug"

	"github.com/nearby-dev/nearby/daemon"
)

// LoadGCPercent is the GOGC in effect while loading.
const LoadGCPercent = 400

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
// marks it ready. GOGC is gcPercent while loading (if above 0); afterwards
// it goes back to what it was if restoreGC or on failure, and otherwise
// stays for the caller to set the serving value: going back to a lower
// value in between could start a needless collection of the freshly loaded
// heap.
func load(ctx context.Context, d *daemon.Daemon, gcPercent int, restoreGC bool) (err error) {
	// Loading allocates millions of long-lived objects: collecting while the
	// heap only grows is wasted work, so the collector runs less often
	// until loading is done.
	if gcPercent > 0 {
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
