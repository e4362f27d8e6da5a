package api_test

import (
	"context"
	"errors"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
)

// Registry is a fake discovery.Registry: each method calls its XxxFn field, or
// fails with an internal error when the test did not set it.
type Registry struct {
	CreateMerchantFn      func(ctx context.Context, m *nearby.Merchant) error
	GetMerchantFn         func(ctx context.Context, id uint64) (*nearby.Merchant, error)
	CreateStoreFn         func(ctx context.Context, s *nearby.Store) error
	CreateStoresFn        func(ctx context.Context, ss []*nearby.Store) error
	GetStoreFn            func(ctx context.Context, merchantID, id uint64) (*nearby.Store, error)
	UpdateStoreFn         func(ctx context.Context, s *nearby.Store) error
	DeleteStoreChangedFn  func(ctx context.Context, merchantID, id uint64) ([]*nearby.Program, error)
	ListStoresFn          func(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error)
	CreateProgramFn       func(ctx context.Context, p *nearby.Program) error
	GetProgramFn          func(ctx context.Context, merchantID, id uint64) (*nearby.Program, error)
	UpdateProgramFn       func(ctx context.Context, p *nearby.Program) error
	DeleteProgramFn       func(ctx context.Context, merchantID, id uint64) error
	ListProgramsFn        func(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error)
	CreateBeaconFn        func(ctx context.Context, b *nearby.Beacon) error
	GetBeaconFn           func(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error)
	UpdateBeaconFn        func(ctx context.Context, b *nearby.Beacon) error
	DeleteBeaconFn        func(ctx context.Context, merchantID, id uint64) error
	ListBeaconsFn         func(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error)
	RecordHeartbeatFn     func(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error
	RecordEventsFn        func(ctx context.Context, beaconID uint64, evs []nearby.Event) ([]string, []string, error)
	RecordShakeFn         func(ctx context.Context, s *nearby.Shake) error
	GetShakeFn            func(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error)
	BeaconStatsFn         func(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error)
	StoreStatsFn          func(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error)
	StoreEventCountsFn    func(ctx context.Context, storeIDs []uint64, from, to time.Time) (map[uint64]int64, map[uint64]bool, error)
	discovery.KeyRegistry // not faked: nil, a call panics
}

var _ discovery.Registry = (*Registry)(nil)

// The start-up load's reads are not faked: the api tests fill the catalog
// themselves.
func (r *Registry) ForEachStore(context.Context, func(*nearby.Store) error) error { return errNotFaked }
func (r *Registry) ForEachProgram(context.Context, func(*nearby.Program) error) error {
	return errNotFaked
}
func (r *Registry) ForEachBeacon(context.Context, func(*nearby.Beacon) error) error {
	return errNotFaked
}
func (r *Registry) StoreActivity(context.Context, time.Time, func(uint64, time.Time, int64, int64) error) error {
	return errNotFaked
}

var errNotFaked = nearby.Internal(errors.New("api_test: method not faked"))

func (r *Registry) CreateMerchant(ctx context.Context, m *nearby.Merchant) error {
	if r.CreateMerchantFn == nil {
		return errNotFaked
	}
	return r.CreateMerchantFn(ctx, m)
}
func (r *Registry) GetMerchant(ctx context.Context, id uint64) (*nearby.Merchant, error) {
	if r.GetMerchantFn == nil {
		return nil, errNotFaked
	}
	return r.GetMerchantFn(ctx, id)
}
func (r *Registry) CreateStore(ctx context.Context, s *nearby.Store) error {
	if r.CreateStoreFn == nil {
		return errNotFaked
	}
	return r.CreateStoreFn(ctx, s)
}
func (r *Registry) CreateStores(ctx context.Context, ss []*nearby.Store) error {
	if r.CreateStoresFn == nil {
		return errNotFaked
	}
	return r.CreateStoresFn(ctx, ss)
}
func (r *Registry) GetStore(ctx context.Context, merchantID, id uint64) (*nearby.Store, error) {
	if r.GetStoreFn == nil {
		return nil, errNotFaked
	}
	return r.GetStoreFn(ctx, merchantID, id)
}
func (r *Registry) UpdateStore(ctx context.Context, s *nearby.Store) error {
	if r.UpdateStoreFn == nil {
		return errNotFaked
	}
	return r.UpdateStoreFn(ctx, s)
}
func (r *Registry) DeleteStoreChanged(ctx context.Context, merchantID, id uint64) ([]*nearby.Program, error) {
	if r.DeleteStoreChangedFn == nil {
		return nil, errNotFaked
	}
	return r.DeleteStoreChangedFn(ctx, merchantID, id)
}
func (r *Registry) ListStores(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error) {
	if r.ListStoresFn == nil {
		return nil, errNotFaked
	}
	return r.ListStoresFn(ctx, merchantID, afterID, limit)
}
func (r *Registry) CreateProgram(ctx context.Context, p *nearby.Program) error {
	if r.CreateProgramFn == nil {
		return errNotFaked
	}
	return r.CreateProgramFn(ctx, p)
}
func (r *Registry) GetProgram(ctx context.Context, merchantID, id uint64) (*nearby.Program, error) {
	if r.GetProgramFn == nil {
		return nil, errNotFaked
	}
	return r.GetProgramFn(ctx, merchantID, id)
}
func (r *Registry) UpdateProgram(ctx context.Context, p *nearby.Program) error {
	if r.UpdateProgramFn == nil {
		return errNotFaked
	}
	return r.UpdateProgramFn(ctx, p)
}
func (r *Registry) DeleteProgram(ctx context.Context, merchantID, id uint64) error {
	if r.DeleteProgramFn == nil {
		return errNotFaked
	}
	return r.DeleteProgramFn(ctx, merchantID, id)
}
func (r *Registry) ListPrograms(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error) {
	if r.ListProgramsFn == nil {
		return nil, errNotFaked
	}
	return r.ListProgramsFn(ctx, merchantID, afterID, limit)
}
func (r *Registry) CreateBeacon(ctx context.Context, b *nearby.Beacon) error {
	if r.CreateBeaconFn == nil {
		return errNotFaked
	}
	return r.CreateBeaconFn(ctx, b)
}
func (r *Registry) GetBeacon(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error) {
	if r.GetBeaconFn == nil {
		return nil, errNotFaked
	}
	return r.GetBeaconFn(ctx, merchantID, id)
}
func (r *Registry) UpdateBeacon(ctx context.Context, b *nearby.Beacon) error {
	if r.UpdateBeaconFn == nil {
		return errNotFaked
	}
	return r.UpdateBeaconFn(ctx, b)
}
func (r *Registry) DeleteBeacon(ctx context.Context, merchantID, id uint64) error {
	if r.DeleteBeaconFn == nil {
		return errNotFaked
	}
	return r.DeleteBeaconFn(ctx, merchantID, id)
}
func (r *Registry) ListBeacons(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error) {
	if r.ListBeaconsFn == nil {
		return nil, errNotFaked
	}
	return r.ListBeaconsFn(ctx, merchantID, afterID, limit)
}
func (r *Registry) RecordHeartbeat(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error {
	if r.RecordHeartbeatFn == nil {
		return errNotFaked
	}
	return r.RecordHeartbeatFn(ctx, beaconID, h)
}
func (r *Registry) RecordEvents(ctx context.Context, beaconID uint64, evs []nearby.Event) ([]string, []string, error) {
	if r.RecordEventsFn == nil {
		return nil, nil, errNotFaked
	}
	return r.RecordEventsFn(ctx, beaconID, evs)
}
func (r *Registry) RecordShake(ctx context.Context, s *nearby.Shake) error {
	if r.RecordShakeFn == nil {
		return errNotFaked
	}
	return r.RecordShakeFn(ctx, s)
}
func (r *Registry) GetShake(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error) {
	if r.GetShakeFn == nil {
		return nil, errNotFaked
	}
	return r.GetShakeFn(ctx, merchantID, ticket)
}
func (r *Registry) BeaconStats(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	if r.BeaconStatsFn == nil {
		return nil, errNotFaked
	}
	return r.BeaconStatsFn(ctx, merchantID, beaconID, from, to)
}
func (r *Registry) StoreStats(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	if r.StoreStatsFn == nil {
		return nil, errNotFaked
	}
	return r.StoreStatsFn(ctx, merchantID, storeID, from, to)
}
func (r *Registry) StoreEventCounts(ctx context.Context, storeIDs []uint64, from, to time.Time) (map[uint64]int64, map[uint64]bool, error) {
	if r.StoreEventCountsFn == nil {
		return nil, nil, errNotFaked
	}
	return r.StoreEventCountsFn(ctx, storeIDs, from, to)
}

// The chain writes are exercised over a real store (openapi_test.go).
func (r *Registry) LinkStores(context.Context, uint64, uint64, []uint64, *nearby.StoreSelection) ([]uint64, error) {
	return nil, errNotFaked
}

func (r *Registry) UnlinkStore(context.Context, uint64, uint64, uint64) error { return errNotFaked }

// The QR code reads and writes are exercised over a real store
// (openapi_test.go).
func (r *Registry) CreateQRCode(context.Context, *nearby.QRCode) error { return errNotFaked }
func (r *Registry) GetQRCode(context.Context, uint64, uint64) (*nearby.QRCode, error) {
	return nil, errNotFaked
}
func (r *Registry) QRCodeByCode(context.Context, string) (*nearby.QRCode, error) {
	return nil, errNotFaked
}
func (r *Registry) ListQRCodes(context.Context, uint64, uint64, int) ([]*nearby.QRCode, error) {
	return nil, errNotFaked
}
func (r *Registry) DeleteQRCode(context.Context, uint64, uint64) error { return errNotFaked }
func (r *Registry) RecordQRScan(context.Context, *nearby.QRScan) error { return errNotFaked }
func (r *Registry) QRStats(context.Context, uint64, uint64, time.Time, time.Time) ([]nearby.QRDay, error) {
	return nil, errNotFaked
}
