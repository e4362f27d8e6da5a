package discovery

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/logattr"
)

// ActivityWindow is how far back Load seeds the popularity counters from
// the per-day statistics.
const ActivityWindow = 30 * 24 * time.Hour

// LoadStats says what Load read and how long each phase took.
type LoadStats struct {
	Stores, Programs, Beacons int
	Read, Build, Activity     time.Duration
}

// bulkSnapshot is a Registry that reads every store and program in one
// pass (*store.DB: one transaction, decoded on every core), the bulk of
// the start-up read; others are read through Snapshot.
type bulkSnapshot interface {
	ReadStoresAndPrograms(ctx context.Context) ([]*nearby.Store, []*nearby.Program, error)
}

// Load fills the empty catalog (and its geo index) from the registry: every
// store, program and beacon is read, then bulk-loaded in one pass, then the
// recent activity seeds popularity.
func (s *Service) Load(ctx context.Context) (LoadStats, error) {
	var (
		st       LoadStats
		stores   []*nearby.Store
		programs []*nearby.Program
		beacons  []*nearby.Beacon
	)
	start := time.Now()
	if bulk, ok := s.reg.(bulkSnapshot); ok {
		var err error
		if stores, programs, err = bulk.ReadStoresAndPrograms(ctx); err != nil {
			return st, fmt.Errorf("discovery: load stores and programs: %w", err)
		}
	} else {
		if err := s.reg.ForEachStore(ctx, func(x *nearby.Store) error { stores = append(stores, x); return nil }); err != nil {
			return st, fmt.Errorf("discovery: load stores: %w", err)
		}
		if err := s.reg.ForEachProgram(ctx, func(p *nearby.Program) error { programs = append(programs, p); return nil }); err != nil {
			return st, fmt.Errorf("discovery: load programs: %w", err)
		}
	}
	if err := s.reg.ForEachBeacon(ctx, func(b *nearby.Beacon) error { beacons = append(beacons, b); return nil }); err != nil {
		return st, fmt.Errorf("discovery: load beacons: %w", err)
	}
	st.Stores, st.Programs, st.Beacons = len(stores), len(programs), len(beacons)
	st.Read = time.Since(start)
	if err := s.cat.Load(stores, programs, beacons); err != nil {
		return st, fmt.Errorf("discovery: %w", err)
	}
	st.Build = time.Since(start) - st.Read
	// The middle of the day (StoreActivity's day) stands for all of its events.
	err := s.reg.StoreActivity(ctx, s.now().Add(-ActivityWindow), func(storeID uint64, at time.Time, shakes, visits int64) error {
		s.cat.RecordActivityCount(storeID, nearby.EventShake, at, shakes)
		s.cat.RecordActivityCount(storeID, nearby.EventEnter, at, visits)
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("discovery: load activity: %w", err)
	}
	st.Activity = time.Since(start) - st.Read - st.Build
	s.logger.Info("load phases", logattr.Millis("read_ms", st.Read), logattr.Millis("build_ms", st.Build),
		logattr.Millis("activity_ms", st.Activity), slog.Int("stores", st.Stores))
	return st, nil
}
