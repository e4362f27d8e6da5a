package api_test

import (
	"cmp"
	"context"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
)

// Small fakes of the api's interfaces, one per noun: a nil XxxFn fails
// the call with errNotFaked.

type fakeMerchants struct {
	CreateMerchantFn func(ctx context.Context, m *nearby.Merchant) error
	GetMerchantFn    func(ctx context.Context, id uint64) (*nearby.Merchant, error)
}

var _ api.Merchants = (*fakeMerchants)(nil)

func (f *fakeMerchants) CreateMerchant(ctx context.Context, m *nearby.Merchant) error {
	if f.CreateMerchantFn == nil {
		return errNotFaked
	}
	return f.CreateMerchantFn(ctx, m)
}

func (f *fakeMerchants) GetMerchant(ctx context.Context, id uint64) (*nearby.Merchant, error) {
	if f.GetMerchantFn == nil {
		return nil, errNotFaked
	}
	return f.GetMerchantFn(ctx, id)
}

type fakeStores struct {
	CreateStoreFn  func(ctx context.Context, st *nearby.Store) error
	ImportStoresFn func(ctx context.Context, batch []*nearby.Store) error
	GetStoreFn     func(ctx context.Context, merchantID, id uint64) (*nearby.Store, error)
	ListStoresFn   func(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error)
	UpdateStoreFn  func(ctx context.Context, merchantID, id uint64, edit func(*nearby.Store) error) (*nearby.Store, error)
	DeleteStoreFn  func(ctx context.Context, merchantID, id uint64) error
}

var _ api.Stores = (*fakeStores)(nil)

func (f *fakeStores) CreateStore(ctx context.Context, st *nearby.Store) error {
	if f.CreateStoreFn == nil {
		return errNotFaked
	}
	return f.CreateStoreFn(ctx, st)
}

func (f *fakeStores) ImportStores(ctx context.Context, batch []*nearby.Store) error {
	if f.ImportStoresFn == nil {
		return errNotFaked
	}
	return f.ImportStoresFn(ctx, batch)
}

func (f *fakeStores) GetStore(ctx context.Context, merchantID, id uint64) (*nearby.Store, error) {
	if f.GetStoreFn == nil {
		return nil, errNotFaked
	}
	return f.GetStoreFn(ctx, merchantID, id)
}

func (f *fakeStores) ListStores(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error) {
	if f.ListStoresFn == nil {
		return nil, errNotFaked
	}
	return f.ListStoresFn(ctx, merchantID, afterID, limit)
}

func (f *fakeStores) UpdateStore(ctx context.Context, merchantID, id uint64, edit func(*nearby.Store) error) (*nearby.Store, error) {
	if f.UpdateStoreFn == nil {
		return nil, errNotFaked
	}
	return f.UpdateStoreFn(ctx, merchantID, id, edit)
}

func (f *fakeStores) DeleteStore(ctx context.Context, merchantID, id uint64) error {
	if f.DeleteStoreFn == nil {
		return errNotFaked
	}
	return f.DeleteStoreFn(ctx, merchantID, id)
}

type fakePrograms struct {
	CreateProgramFn func(ctx context.Context, p *nearby.Program) error
	GetProgramFn    func(ctx context.Context, merchantID, id uint64) (*nearby.Program, error)
	ListProgramsFn  func(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error)
	UpdateProgramFn func(ctx context.Context, merchantID, id uint64, edit func(*nearby.Program) error) (*nearby.Program, error)
	DeleteProgramFn func(ctx context.Context, merchantID, id uint64) error
}

var _ api.Programs = (*fakePrograms)(nil)

func (f *fakePrograms) CreateProgram(ctx context.Context, p *nearby.Program) error {
	if f.CreateProgramFn == nil {
		return errNotFaked
	}
	return f.CreateProgramFn(ctx, p)
}

func (f *fakePrograms) GetProgram(ctx context.Context, merchantID, id uint64) (*nearby.Program, error) {
	if f.GetProgramFn == nil {
		return nil, errNotFaked
	}
	return f.GetProgramFn(ctx, merchantID, id)
}

func (f *fakePrograms) ListPrograms(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error) {
	if f.ListProgramsFn == nil {
		return nil, errNotFaked
	}
	return f.ListProgramsFn(ctx, merchantID, afterID, limit)
}

func (f *fakePrograms) UpdateProgram(ctx context.Context, merchantID, id uint64, edit func(*nearby.Program) error) (*nearby.Program, error) {
	if f.UpdateProgramFn == nil {
		return nil, errNotFaked
	}
	return f.UpdateProgramFn(ctx, merchantID, id, edit)
}

func (f *fakePrograms) DeleteProgram(ctx context.Context, merchantID, id uint64) error {
	if f.DeleteProgramFn == nil {
		return errNotFaked
	}
	return f.DeleteProgramFn(ctx, merchantID, id)
}

type fakeBeacons struct {
	CreateBeaconFn func(ctx context.Context, b *nearby.Beacon) error
	GetBeaconFn    func(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error)
	ListBeaconsFn  func(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error)
	UpdateBeaconFn func(ctx context.Context, merchantID, id uint64, edit func(*nearby.Beacon) error) (*nearby.Beacon, error)
	DeleteBeaconFn func(ctx context.Context, merchantID, id uint64) error
}

var _ api.Beacons = (*fakeBeacons)(nil)

func (f *fakeBeacons) CreateBeacon(ctx context.Context, b *nearby.Beacon) error {
	if f.CreateBeaconFn == nil {
		return errNotFaked
	}
	return f.CreateBeaconFn(ctx, b)
}

func (f *fakeBeacons) GetBeacon(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error) {
	if f.GetBeaconFn == nil {
		return nil, errNotFaked
	}
	return f.GetBeaconFn(ctx, merchantID, id)
}

func (f *fakeBeacons) ListBeacons(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error) {
	if f.ListBeaconsFn == nil {
		return nil, errNotFaked
	}
	return f.ListBeaconsFn(ctx, merchantID, afterID, limit)
}

func (f *fakeBeacons) UpdateBeacon(ctx context.Context, merchantID, id uint64, edit func(*nearby.Beacon) error) (*nearby.Beacon, error) {
	if f.UpdateBeaconFn == nil {
		return nil, errNotFaked
	}
	return f.UpdateBeaconFn(ctx, merchantID, id, edit)
}

func (f *fakeBeacons) DeleteBeacon(ctx context.Context, merchantID, id uint64) error {
	if f.DeleteBeaconFn == nil {
		return errNotFaked
	}
	return f.DeleteBeaconFn(ctx, merchantID, id)
}

type fakePhones struct {
	NearbyIntoFn func(ctx context.Context, q catalog.NearbyQuery, dst []catalog.NearbyResult) (catalog.NearbyPage, error)
	ResolveFn    func(ctx context.Context, seen []catalog.Sighting) ([]catalog.Resolved, error)
	ShakeFn      func(ctx context.Context, req discovery.ShakeRequest) (discovery.ShakeResult, error)
	GetShakeFn   func(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error)
	StoresFn     func(ctx context.Context, q catalog.StoresQuery) (catalog.StoresPage, error)
}

var _ api.Phones = (*fakePhones)(nil)

func (f *fakePhones) StoresNearby(ctx context.Context, q catalog.StoresQuery) (catalog.StoresPage, error) {
	if f.StoresFn == nil {
		return catalog.StoresPage{}, errNotFaked
	}
	return f.StoresFn(ctx, q)
}

func (f *fakePhones) NearbyInto(ctx context.Context, q catalog.NearbyQuery, dst []catalog.NearbyResult) (catalog.NearbyPage, error) {
	if f.NearbyIntoFn == nil {
		return catalog.NearbyPage{}, errNotFaked
	}
	return f.NearbyIntoFn(ctx, q, dst)
}

func (f *fakePhones) Resolve(ctx context.Context, seen []catalog.Sighting) ([]catalog.Resolved, error) {
	if f.ResolveFn == nil {
		return nil, errNotFaked
	}
	return f.ResolveFn(ctx, seen)
}

func (f *fakePhones) Shake(ctx context.Context, req discovery.ShakeRequest) (discovery.ShakeResult, error) {
	if f.ShakeFn == nil {
		return discovery.ShakeResult{}, errNotFaked
	}
	return f.ShakeFn(ctx, req)
}

func (f *fakePhones) GetShake(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error) {
	if f.GetShakeFn == nil {
		return nil, errNotFaked
	}
	return f.GetShakeFn(ctx, merchantID, ticket)
}

type fakeAgents struct {
	AgentBeaconFn     func(ctx context.Context, id uint64) (*nearby.Beacon, error)
	RecordHeartbeatFn func(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error
	RecordEventsFn    func(ctx context.Context, b *nearby.Beacon, evs []nearby.Event) ([]string, []string, error)
}

var _ api.Agents = (*fakeAgents)(nil)

func (f *fakeAgents) AgentBeacon(ctx context.Context, id uint64) (*nearby.Beacon, error) {
	if f.AgentBeaconFn == nil {
		return nil, errNotFaked
	}
	return f.AgentBeaconFn(ctx, id)
}

func (f *fakeAgents) RecordHeartbeat(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error {
	if f.RecordHeartbeatFn == nil {
		return errNotFaked
	}
	return f.RecordHeartbeatFn(ctx, beaconID, h)
}

func (f *fakeAgents) RecordEvents(ctx context.Context, b *nearby.Beacon, evs []nearby.Event) ([]string, []string, error) {
	if f.RecordEventsFn == nil {
		return nil, nil, errNotFaked
	}
	return f.RecordEventsFn(ctx, b, evs)
}

type fakeStats struct {
	BeaconStatsFn func(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error)
	StoreStatsFn  func(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error)
	HeatmapFn     func(ctx context.Context, q discovery.HeatmapQuery) ([]discovery.HeatCell, error)
	// Zone is what StoreZone and BeaconZone answer; nil is UTC.
	Zone *time.Location
}

var _ api.Stats = (*fakeStats)(nil)

func (f *fakeStats) BeaconStats(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	if f.BeaconStatsFn == nil {
		return nil, errNotFaked
	}
	return f.BeaconStatsFn(ctx, merchantID, beaconID, from, to)
}

func (f *fakeStats) StoreStats(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	if f.StoreStatsFn == nil {
		return nil, errNotFaked
	}
	return f.StoreStatsFn(ctx, merchantID, storeID, from, to)
}

func (f *fakeStats) Heatmap(ctx context.Context, q discovery.HeatmapQuery) ([]discovery.HeatCell, error) {
	if f.HeatmapFn == nil {
		return nil, errNotFaked
	}
	return f.HeatmapFn(ctx, q)
}

func (f *fakeStats) StoreZone(context.Context, uint64, uint64) (*time.Location, error) {
	return cmp.Or(f.Zone, time.UTC), nil
}

func (f *fakeStats) BeaconZone(context.Context, uint64, uint64) (*time.Location, error) {
	return cmp.Or(f.Zone, time.UTC), nil
}

type fakeStatus struct{ stores, programs, beacons, index int }

var _ api.Status = (*fakeStatus)(nil)

func (f *fakeStatus) Counts() (int, int, int) { return f.stores, f.programs, f.beacons }
func (f *fakeStatus) IndexLen() int           { return f.index }

// fakes is a full set of fakes, for api.New.
type fakes struct {
	merchants fakeMerchants
	stores    fakeStores
	programs  fakePrograms
	beacons   fakeBeacons
	phones    fakePhones
	agents    fakeAgents
	stats     fakeStats
	status    fakeStatus
	keys      fakeKeys
	chains    fakeChains
	qrcodes   fakeQRCodes
}

// fakeKeys is not faked: a call panics.
type fakeKeys struct{ api.Keys }

// fakeQRCodes answers nothing: the QR routes are tested over a real store.
type fakeQRCodes struct{}

var _ api.QRCodes = (*fakeQRCodes)(nil)

func (*fakeQRCodes) CreateQRCode(context.Context, *nearby.QRCode) error { return errNotFaked }
func (*fakeQRCodes) GetQRCode(context.Context, uint64, uint64) (*nearby.QRCode, error) {
	return nil, errNotFaked
}
func (*fakeQRCodes) ListQRCodes(context.Context, uint64, uint64, int) ([]*nearby.QRCode, error) {
	return nil, errNotFaked
}
func (*fakeQRCodes) DeleteQRCode(context.Context, uint64, uint64) error { return errNotFaked }
func (*fakeQRCodes) ScanQRCode(context.Context, string, string) (*discovery.QRScanned, error) {
	return nil, errNotFaked
}
func (*fakeQRCodes) QRStats(context.Context, uint64, uint64, time.Time, time.Time) ([]nearby.QRDay, error) {
	return nil, errNotFaked
}
func (*fakeQRCodes) QRZone(context.Context, uint64, uint64) (*time.Location, error) {
	return nil, errNotFaked
}

type fakeChains struct{}

var _ api.ProgramStores = (*fakeChains)(nil)

func (*fakeChains) LinkStores(context.Context, uint64, uint64, []uint64, *nearby.StoreSelection) (int, error) {
	return 0, errNotFaked
}

func (*fakeChains) UnlinkStore(context.Context, uint64, uint64, uint64) error { return errNotFaked }

func (f *fakes) deps() api.Deps {
	return api.Deps{Merchants: &f.merchants, Stores: &f.stores, Programs: &f.programs, Beacons: &f.beacons,
		ProgramStores: &f.chains, QRCodes: &f.qrcodes, Phones: &f.phones, Agents: &f.agents, Stats: &f.stats,
		Status: &f.status, Keys: &f.keys}
}
