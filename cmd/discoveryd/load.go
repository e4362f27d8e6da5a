package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/store"
)

// ActivityWindow is how far back start-up seeds the popularity counters
// from the per-day statistics.
const ActivityWindow = 30 * 24 * time.Hour

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
	gc := servingGCPercent(c, getenv)
	if gc <= 0 {
		return
	}
	prev := debug.SetGCPercent(gc)
	logger.Info("garbage collector set for serving", slog.Int("gogc", gc), slog.Int("was", prev))
}

// load rebuilds the in-memory catalog (and its geo index) from the
// database: every store, program and beacon is read, then bulk-loaded in
// one pass, then the recent activity seeds popularity. GOGC is gcPercent
// while loading (if above 0); afterwards it goes back to what it was if
// restoreGC or on failure, and otherwise stays for the caller to set the
// serving value: going back to a lower value in between could start a
// needless collection of the freshly loaded heap.
func load(ctx context.Context, db *store.DB, cat *catalog.Catalog, logger *slog.Logger, gcPercent int, restoreGC bool) (err error) {
	start := time.Now()
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
	var (
		stores   []*nearby.Store
		programs []*nearby.Program
		beacons  []*nearby.Beacon
	)
	if err := db.ForEachStore(ctx, func(s *nearby.Store) error { stores = append(stores, s); return nil }); err != nil {
		return fmt.Errorf("discoveryd: load stores: %w", err)
	}
	if err := db.ForEachProgram(ctx, func(p *nearby.Program) error { programs = append(programs, p); return nil }); err != nil {
		return fmt.Errorf("discoveryd: load programs: %w", err)
	}
	if err := db.ForEachBeacon(ctx, func(b *nearby.Beacon) error { beacons = append(beacons, b); return nil }); err != nil {
		return fmt.Errorf("discoveryd: load beacons: %w", err)
	}
	read := time.Since(start)
	if err := cat.Load(stores, programs, beacons); err != nil {
		return fmt.Errorf("discoveryd: %w", err)
	}
	built := time.Since(start)
	// The middle of the day (StoreActivity's day) stands for all of its events.
	err = db.StoreActivity(ctx, time.Now().Add(-ActivityWindow), func(storeID uint64, at time.Time, shakes, visits int64) error {
		cat.RecordActivityCount(storeID, nearby.EventShake, at, shakes)
		cat.RecordActivityCount(storeID, nearby.EventEnter, at, visits)
		return nil
	})
	if err != nil {
		return fmt.Errorf("discoveryd: load activity: %w", err)
	}
	logger.Info("load phases", slog.Duration("read", read), slog.Duration("build", built-read),
		slog.Duration("activity", time.Since(start)-built), slog.Int("stores", len(stores)))
	return nil
}
