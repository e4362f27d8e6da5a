package discovery

import (
	"context"

	"github.com/nearby-dev/nearby"
)

// RecordHeartbeat commits an agent's report about itself; h is validated
// and stamped by the caller.
func (s *Service) RecordHeartbeat(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error {
	before, _ := s.reg.GetBeacon(ctx, 0, beaconID) // for the alerts: its previous heartbeat
	_, err := s.submit(ctx, &Command{Op: OpHeartbeat, ID: beaconID, Heartbeat: h})
	if err == nil {
		s.heartbeatAlerts(ctx, before, h)
	}
	return err
}

// RecordEvents commits a batch of b's validated events, deduplicated by
// id, and raises b's store's popularity by the accepted ones. It returns
// the accepted and the duplicate ids. Each device id is replaced by the
// beacon's merchant's pseudonym of it before the command is built.
func (s *Service) RecordEvents(ctx context.Context, b *nearby.Beacon, evs []nearby.Event) (accepted, duplicates []string, err error) {
	for i := range evs {
		evs[i].BeaconID = b.ID
		evs[i].DeviceID = s.pseudo.of(b.MerchantID, evs[i].DeviceID)
	}
	out, err := s.submit(ctx, &Command{Op: OpRecordEvents, ID: b.ID, StoreID: b.StoreID, Events: evs})
	if err != nil {
		return nil, nil, err
	}
	return out.Accepted, out.Duplicates, nil
}
