package discovery

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
)

// Registry is the durable registry the service commits to. *store.DB
// satisfies it. Every write returns only after its commit; a missing or
// foreign record is a *nearby.Error ENOTFOUND.
type Registry interface {
	RecordWriter
	ChainWriter
	QRRegistry
	RecordReader
	EventRecorder
	StatsReader
	Snapshot
	KeyRegistry
}

// Snapshot reads the whole registry, for the start-up load.
type Snapshot interface {
	ForEachStore(ctx context.Context, fn func(*nearby.Store) error) error
	ForEachProgram(ctx context.Context, fn func(*nearby.Program) error) error
	ForEachBeacon(ctx context.Context, fn func(*nearby.Beacon) error) error
	// StoreActivity calls fn for each store's shakes and visits of each
	// day since since, the day as its middle.
	StoreActivity(ctx context.Context, since time.Time, fn func(storeID uint64, day time.Time, shakes, visits int64) error) error
}

// RecordWriter commits changes to merchants, stores, programs and beacons.
type RecordWriter interface {
	CreateMerchant(ctx context.Context, m *nearby.Merchant) error
	CreateStore(ctx context.Context, s *nearby.Store) error
	CreateStores(ctx context.Context, ss []*nearby.Store) error
	UpdateStore(ctx context.Context, s *nearby.Store) error
	// DeleteStoreChanged deletes a store and returns, as committed, the
	// programs whose store lists lost it.
	DeleteStoreChanged(ctx context.Context, merchantID, id uint64) ([]*nearby.Program, error)
	CreateProgram(ctx context.Context, p *nearby.Program) error
	UpdateProgram(ctx context.Context, p *nearby.Program) error
	DeleteProgram(ctx context.Context, merchantID, id uint64) error
	CreateBeacon(ctx context.Context, b *nearby.Beacon) error
	UpdateBeacon(ctx context.Context, b *nearby.Beacon) error
	DeleteBeacon(ctx context.Context, merchantID, id uint64) error
}

// RecordReader reads merchants, stores, programs and beacons.
type RecordReader interface {
	GetMerchant(ctx context.Context, id uint64) (*nearby.Merchant, error)
	GetStore(ctx context.Context, merchantID, id uint64) (*nearby.Store, error)
	ListStores(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error)
	GetProgram(ctx context.Context, merchantID, id uint64) (*nearby.Program, error)
	ListPrograms(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error)
	GetBeacon(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error)
	ListBeacons(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error)
}

// EventRecorder commits what phones and agents report.
type EventRecorder interface {
	RecordHeartbeat(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error
	RecordEvents(ctx context.Context, beaconID uint64, evs []nearby.Event) (accepted, duplicates []string, err error)
	RecordShake(ctx context.Context, s *nearby.Shake) error
	GetShake(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error)
}

// StatsReader reads the per-day statistics.
type StatsReader interface {
	BeaconStats(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error)
	StoreStats(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error)
	// StoreEventCounts sums only store-days with at least the minimum
	// count of devices; withheld names the stores with a day left out.
	StoreEventCounts(ctx context.Context, storeIDs []uint64, from, to time.Time) (counts map[uint64]int64, withheld map[uint64]bool, err error)
}

// Catalog is the in-memory read model the phone queries read and every
// applied command updates. *catalog.Catalog satisfies it.
type Catalog interface {
	PutStore(s *nearby.Store) error
	DeleteStore(id uint64)
	PutProgram(p *nearby.Program)
	DeleteProgram(id uint64)
	PutBeacon(b *nearby.Beacon)
	DeleteBeacon(id uint64)
	RecordActivity(storeID uint64, typ nearby.EventType, at time.Time)
	// Load and RecordActivityCount fill an empty catalog at start-up.
	Load(stores []*nearby.Store, programs []*nearby.Program, beacons []*nearby.Beacon) error
	RecordActivityCount(storeID uint64, typ nearby.EventType, at time.Time, n int64)
	Counts() (stores, programs, beacons int)
	Store(id uint64) (*nearby.Store, bool)
	// NearbyInto validates q and answers it, appending the page's results
	// to dst[:0] (nil: a new slice).
	NearbyInto(ctx context.Context, q catalog.NearbyQuery, dst []catalog.NearbyResult) (catalog.NearbyPage, error)
	Resolve(ctx context.Context, seen []catalog.Sighting) ([]catalog.Resolved, error)
	StoresNearby(ctx context.Context, q catalog.StoresQuery) (catalog.StoresPage, error)
	// LinkStores and UnlinkStore change one program's stores.
	LinkStores(programID uint64, storeIDs []uint64)
	UnlinkStore(programID, storeID uint64)
}

// Index is the part of the geo index the heatmap and the status read.
// *geo.Index satisfies it.
type Index interface {
	InBounds(b geo.Bounds, dst []uint64) ([]uint64, error)
	Len() int
}

// Applier applies one command and says how it went. Service.Apply is the
// local one; a replicated log wraps it.
type Applier func(ctx context.Context, cmd *Command) (Outcome, error)

// Options are the service's tunables; nil or zero fields mean the defaults.
type Options struct {
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // nil: time.Now
	// Submit replaces the applier every command goes through (nil:
	// Service.Apply), e.g. to append commands to a replicated log whose
	// followers call Apply.
	Submit func(apply Applier) Applier
	// Observe, if set, is told each command's op and outcome after it is
	// applied (for metrics).
	Observe func(cmd *Command, out *Outcome)
	// PseudonymKey keys the per-merchant pseudonyms that replace every
	// device id before a command is built (see pseudonyms); at least
	// MinPseudonymKeyLen bytes. nil: a random key for this process only,
	// so pseudonyms change at each start.
	PseudonymKey []byte
	// Alerts are the fleet health thresholds; nil means the defaults.
	Alerts *AlertRules
	// Webhooks tune webhook deliveries; nil means the defaults.
	Webhooks *WebhookOptions
}

// Service is the application. Create it with New; it is safe for
// concurrent use.
type Service struct {
	reg     Registry
	cat     Catalog
	idx     Index
	logger  *slog.Logger
	now     func() time.Time
	submit  Applier
	observe func(*Command, *Outcome)
	pseudo  pseudonyms
	// writeOrder serialises record commands' commits with their catalog
	// updates (see Apply).
	writeOrder chan struct{}
	alerts     *alerting
	hooks      *hooksState
}

// New returns a service over its registry, catalog and index.
func New(reg Registry, cat Catalog, idx Index, opts *Options) (*Service, error) {
	if reg == nil || cat == nil || idx == nil {
		return nil, errors.New("discovery: registry, catalog and index are required")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	pseudo, err := newPseudonyms(o.PseudonymKey)
	if err != nil {
		return nil, err
	}
	s := &Service{reg: reg, cat: cat, idx: idx, logger: o.Logger, now: o.Now, observe: o.Observe, pseudo: pseudo,
		writeOrder: make(chan struct{}, 1)}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.alerts = newAlerting(o.Alerts)
	s.hooks = newHooks(o.Webhooks)
	s.submit = s.Apply
	if o.Submit != nil {
		s.submit = o.Submit(s.Apply)
	}
	return s, nil
}

// Counts are the catalog's sizes.
func (s *Service) Counts() (stores, programs, beacons int) { return s.cat.Counts() }

// IndexLen is the number of store locations in the geo index.
func (s *Service) IndexLen() int { return s.idx.Len() }

// requestIDKey carries a request's id into the service's logs.
type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the request it serves, which
// the service's log lines then name.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func requestIDOf(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
