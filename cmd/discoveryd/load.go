package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/store"
)

// ActivityWindow is how far back start-up seeds the popularity counters
// from the per-day statistics.
const ActivityWindow = 30 * 24 * time.Hour

// load rebuilds the in-memory index and catalog from the database: stores
// are bulk-loaded into the geo index in one pass, then registered with the
// catalog (an in-place upsert in the index), then programs, beacons and the
// recent activity.
func load(ctx context.Context, db *store.DB, ix *geo.Index, cat *catalog.Catalog, logger *slog.Logger) error {
	start := time.Now()
	var (
		ids    []uint64
		pts    []geo.Point
		stores []*nearby.Store
	)
	err := db.ForEachStore(ctx, func(s *nearby.Store) error {
		ids = append(ids, s.ID)
		pts = append(pts, geo.Point{Lat: s.Lat, Lng: s.Lng})
		stores = append(stores, s)
		return nil
	})
	if err != nil {
		return fmt.Errorf("discoveryd: load stores: %w", err)
	}
	read := time.Since(start)
	if err := ix.Load(ids, pts); err != nil {
		return fmt.Errorf("discoveryd: load geo index: %w", err)
	}
	indexed := time.Since(start)
	ids, pts = nil, nil
	for _, s := range stores {
		if err := cat.PutStore(s); err != nil {
			return fmt.Errorf("discoveryd: load catalog: %w", err)
		}
	}
	stores = nil
	if err := db.ForEachProgram(ctx, func(p *nearby.Program) error { cat.PutProgram(p); return nil }); err != nil {
		return fmt.Errorf("discoveryd: load programs: %w", err)
	}
	if err := db.ForEachBeacon(ctx, func(b *nearby.Beacon) error { cat.PutBeacon(b); return nil }); err != nil {
		return fmt.Errorf("discoveryd: load beacons: %w", err)
	}
	err = db.StoreActivity(ctx, time.Now().Add(-ActivityWindow), func(storeID uint64, day string, shakes, visits int64) error {
		at, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return fmt.Errorf("day %q: %w", day, err)
		}
		at = at.Add(12 * time.Hour) // the middle of the day stands for all of its events
		cat.RecordActivityCount(storeID, nearby.EventShake, at, shakes)
		cat.RecordActivityCount(storeID, nearby.EventEnter, at, visits)
		return nil
	})
	if err != nil {
		return fmt.Errorf("discoveryd: load activity: %w", err)
	}
	logger.Debug("load phases", slog.Duration("read_stores", read), slog.Duration("geo_load", indexed-read),
		slog.Duration("total", time.Since(start)))
	return nil
}
