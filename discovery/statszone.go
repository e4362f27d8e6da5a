package discovery

import (
	"context"
	"time"

	"github.com/nearby-dev/nearby"
)

// StoreZone returns the time zone one of the merchant's stores counts its
// days in, so that a statistics range can default to the store's local
// today (a store at UTC+12 starts its day twelve hours before UTC does).
func (s *Service) StoreZone(ctx context.Context, merchantID, storeID uint64) (*time.Location, error) {
	st, err := s.reg.GetStore(ctx, merchantID, storeID)
	if err != nil {
		return nil, err
	}
	return nearby.Zone(st.Timezone), nil
}

// BeaconZone is StoreZone for the store of one of the merchant's beacons;
// UTC when that store is gone.
func (s *Service) BeaconZone(ctx context.Context, merchantID, beaconID uint64) (*time.Location, error) {
	b, err := s.reg.GetBeacon(ctx, merchantID, beaconID)
	if err != nil {
		return nil, err
	}
	if st, ok := s.cat.Store(b.StoreID); ok {
		return nearby.Zone(st.Timezone), nil
	}
	return time.UTC, nil
}
