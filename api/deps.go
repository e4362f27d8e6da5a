package api

import (
	"context"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/prometheus/client_golang/prometheus"
)

// The handlers' collaborators, one small interface per noun of the API.
// *discovery.Service satisfies every one of them.
var (
	_ Merchants     = (*discovery.Service)(nil)
	_ Stores        = (*discovery.Service)(nil)
	_ Programs      = (*discovery.Service)(nil)
	_ Beacons       = (*discovery.Service)(nil)
	_ Phones        = (*discovery.Service)(nil)
	_ Agents        = (*discovery.Service)(nil)
	_ Stats         = (*discovery.Service)(nil)
	_ Status        = (*discovery.Service)(nil)
	_ Keys          = (*discovery.Service)(nil)
	_ Alerts        = (*discovery.Service)(nil)
	_ ProgramStores = (*discovery.Service)(nil)
	_ QRCodes       = (*discovery.Service)(nil)
)

// Merchants creates merchants and finds the one a merchant key names. A
// missing or foreign record is a *nearby.Error ENOTFOUND here and below.
type Merchants interface {
	CreateMerchant(ctx context.Context, m *nearby.Merchant) error
	GetMerchant(ctx context.Context, id uint64) (*nearby.Merchant, error)
}

// Stores is a merchant's stores. Every write returns after its commit.
type Stores interface {
	CreateStore(ctx context.Context, st *nearby.Store) error
	ImportStores(ctx context.Context, batch []*nearby.Store) error
	GetStore(ctx context.Context, merchantID, id uint64) (*nearby.Store, error)
	ListStores(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error)
	// UpdateStore replaces the store by edit's changes to the current one.
	UpdateStore(ctx context.Context, merchantID, id uint64, edit func(*nearby.Store) error) (*nearby.Store, error)
	DeleteStore(ctx context.Context, merchantID, id uint64) error
}

// Programs is a merchant's mini-programs.
type Programs interface {
	CreateProgram(ctx context.Context, p *nearby.Program) error
	GetProgram(ctx context.Context, merchantID, id uint64) (*nearby.Program, error)
	ListPrograms(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error)
	UpdateProgram(ctx context.Context, merchantID, id uint64, edit func(*nearby.Program) error) (*nearby.Program, error)
	DeleteProgram(ctx context.Context, merchantID, id uint64) error
}

// Beacons is a merchant's beacons.
type Beacons interface {
	CreateBeacon(ctx context.Context, b *nearby.Beacon) error
	GetBeacon(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error)
	ListBeacons(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error)
	UpdateBeacon(ctx context.Context, merchantID, id uint64, edit func(*nearby.Beacon) error) (*nearby.Beacon, error)
	DeleteBeacon(ctx context.Context, merchantID, id uint64) error
}

// Phones answers the public phone routes.
type Phones interface {
	// NearbyInto validates q (catalog.NearbyQuery.Validate) and answers it,
	// appending the page's results to dst[:0] (nil: a new slice), so the
	// hot path reuses one pooled slice per request.
	NearbyInto(ctx context.Context, q catalog.NearbyQuery, dst []catalog.NearbyResult) (catalog.NearbyPage, error)
	// StoresNearby validates q (catalog.StoresQuery.Validate) and answers
	// the store locator.
	StoresNearby(ctx context.Context, q catalog.StoresQuery) (catalog.StoresPage, error)
	Resolve(ctx context.Context, seen []catalog.Sighting) ([]catalog.Resolved, error)
	Shake(ctx context.Context, req discovery.ShakeRequest) (discovery.ShakeResult, error)
	GetShake(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error)
}

// ProgramStores changes where one of a merchant's programs is present, a
// store at a time or by selection, for chains of any size.
type ProgramStores interface {
	// LinkStores adds the stores ids names and sel selects (nil: none) and
	// returns how many were not linked yet.
	LinkStores(ctx context.Context, merchantID, programID uint64, ids []uint64, sel *nearby.StoreSelection) (int, error)
	UnlinkStore(ctx context.Context, merchantID, programID, storeID uint64) error
}

// QRCodes is a merchant's QR codes, their public short URL and their
// statistics.
type QRCodes interface {
	CreateQRCode(ctx context.Context, q *nearby.QRCode) error
	GetQRCode(ctx context.Context, merchantID, id uint64) (*nearby.QRCode, error)
	ListQRCodes(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.QRCode, error)
	DeleteQRCode(ctx context.Context, merchantID, id uint64) error
	// ScanQRCode counts a scan by visitor (an opaque key) and returns the
	// target; ENOTFOUND for an unknown code.
	ScanQRCode(ctx context.Context, code, visitor string) (*discovery.QRScanned, error)
	QRStats(ctx context.Context, merchantID, id uint64, from, to time.Time) ([]nearby.QRDay, error)
	QRZone(ctx context.Context, merchantID, id uint64) (*time.Location, error)
}

// Agents serves beacon agents.
type Agents interface {
	// AgentBeacon returns any merchant's beacon, for the token check.
	AgentBeacon(ctx context.Context, id uint64) (*nearby.Beacon, error)
	RecordHeartbeat(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error
	RecordEvents(ctx context.Context, b *nearby.Beacon, evs []nearby.Event) (accepted, duplicates []string, err error)
}

// Stats reads a merchant's statistics.
type Stats interface {
	BeaconStats(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error)
	StoreStats(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error)
	Heatmap(ctx context.Context, q discovery.HeatmapQuery) ([]discovery.HeatCell, error)
	// StoreZone and BeaconZone are the zones the store's (the beacon's
	// store's) days are counted in: the default range ends on its today.
	StoreZone(ctx context.Context, merchantID, storeID uint64) (*time.Location, error)
	BeaconZone(ctx context.Context, merchantID, beaconID uint64) (*time.Location, error)
}

// Keys lists merchants and issues and revokes merchants' API keys and
// beacon agents' tokens; the auth middleware reports each key's use.
type Keys interface {
	ListMerchants(ctx context.Context, afterID uint64, limit int) ([]*nearby.Merchant, error)
	IssueMerchantKey(ctx context.Context, merchantID uint64, k *nearby.Key) error
	RevokeMerchantKey(ctx context.Context, merchantID, keyID uint64) error
	IssueAgentToken(ctx context.Context, merchantID, beaconID uint64, k *nearby.Key) error
	RevokeAgentToken(ctx context.Context, merchantID, beaconID, keyID uint64) error
	// MerchantKeyUsed and AgentTokenUsed stamp a key's last use, at most
	// once per nearby.KeyUseGranularity.
	MerchantKeyUsed(ctx context.Context, merchantID uint64, k *nearby.Key) error
	AgentTokenUsed(ctx context.Context, beaconID uint64, k *nearby.Key) error
}

// Status is what the operational routes and the metrics report.
type Status interface {
	Counts() (stores, programs, beacons int)
	IndexLen() int
}

// ServiceDeps returns Deps whose every interface is svc.
func ServiceDeps(svc *discovery.Service) Deps {
	return Deps{Merchants: svc, Stores: svc, Programs: svc, Beacons: svc, Phones: svc, Agents: svc, Stats: svc, Status: svc,
		Keys: svc, Alerts: svc, Webhooks: svc, Streams: svc, ProgramStores: svc, QRCodes: svc,
		Collectors: []prometheus.Collector{alertCollector{svc}}}
}
