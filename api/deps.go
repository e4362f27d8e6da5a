package api

import (
	"context"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
)

// Registry is the durable registry the handlers write to and read from.
// *store.DB satisfies it. Every write returns only after its commit; a
// missing or foreign record is a *nearby.Error ENOTFOUND.
type Registry interface {
	CreateMerchant(ctx context.Context, m *nearby.Merchant) error
	GetMerchant(ctx context.Context, id uint64) (*nearby.Merchant, error)

	CreateStore(ctx context.Context, s *nearby.Store) error
	CreateStores(ctx context.Context, ss []*nearby.Store) error
	GetStore(ctx context.Context, merchantID, id uint64) (*nearby.Store, error)
	UpdateStore(ctx context.Context, s *nearby.Store) error
	// DeleteStoreChanged deletes a store and returns, as committed, the
	// programs whose store lists lost it.
	DeleteStoreChanged(ctx context.Context, merchantID, id uint64) ([]*nearby.Program, error)
	ListStores(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error)

	CreateProgram(ctx context.Context, p *nearby.Program) error
	GetProgram(ctx context.Context, merchantID, id uint64) (*nearby.Program, error)
	UpdateProgram(ctx context.Context, p *nearby.Program) error
	DeleteProgram(ctx context.Context, merchantID, id uint64) error
	ListPrograms(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error)

	CreateBeacon(ctx context.Context, b *nearby.Beacon) error
	GetBeacon(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error)
	UpdateBeacon(ctx context.Context, b *nearby.Beacon) error
	DeleteBeacon(ctx context.Context, merchantID, id uint64) error
	ListBeacons(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error)

	RecordHeartbeat(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error
	RecordEvents(ctx context.Context, beaconID uint64, evs []nearby.Event) (accepted, duplicates []string, err error)
	RecordShake(ctx context.Context, s *nearby.Shake) error
	GetShake(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error)

	BeaconStats(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error)
	StoreStats(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error)
	StoreEventCounts(ctx context.Context, storeIDs []uint64, from, to time.Time) (map[uint64]int64, error)
}

// Catalog is the in-memory read model the phone routes query and every
// committed write updates. *catalog.Catalog satisfies it.
type Catalog interface {
	PutStore(s *nearby.Store) error
	DeleteStore(id uint64)
	PutProgram(p *nearby.Program)
	DeleteProgram(id uint64)
	PutBeacon(b *nearby.Beacon)
	DeleteBeacon(id uint64)
	RecordActivity(storeID uint64, typ nearby.EventType, at time.Time)
	Counts() (stores, programs, beacons int)
	Store(id uint64) (*nearby.Store, bool) // a store's snapshot, for the heatmap's ownership filter
	// NearbyInto validates q (catalog.NearbyQuery.Validate) and answers it,
	// appending the page's results to dst[:0] (nil: a new slice), so the
	// hot path reuses one pooled slice per request.
	NearbyInto(ctx context.Context, q catalog.NearbyQuery, dst []catalog.NearbyResult) (catalog.NearbyPage, error)
	Resolve(ctx context.Context, seen []catalog.Sighting) ([]catalog.Resolved, error)
}

// Index is the part of the geo index the heatmap and the metrics read.
// *geo.Index satisfies it.
type Index interface {
	InBounds(b geo.Bounds, dst []uint64) ([]uint64, error)
	Len() int
}
