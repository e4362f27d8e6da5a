package discovery

import (
	"context"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

// NearbyInto answers a phone's nearby query from the catalog (see
// catalog.Catalog.NearbyInto): it validates q and appends the page's
// results to dst[:0].
func (s *Service) NearbyInto(ctx context.Context, q catalog.NearbyQuery, dst []catalog.NearbyResult) (catalog.NearbyPage, error) {
	return s.cat.NearbyInto(ctx, q, dst)
}

// Resolve maps the beacons a phone sees to their stores and pages, nearest
// first.
func (s *Service) Resolve(ctx context.Context, seen []catalog.Sighting) ([]catalog.Resolved, error) {
	res, err := s.cat.Resolve(ctx, seen)
	return ungated(res), err
}

// ShakeRequest is a phone's shake: the beacons it sees and, optionally,
// where it is and who uses it (for the location fallback's ranking).
// DeviceID is the id the phone sent: Shake keeps only the chosen
// merchant's pseudonym of it, and the location only to choose.
type ShakeRequest struct {
	DeviceID string
	Seen     []catalog.Sighting
	Lat, Lng *float64 // both or neither
	Age      *int
	Gender   string
	OS       string
}

// How a shake's result was chosen.
const (
	ShakeByBeacon   = "beacon"
	ShakeByLocation = "location"
	ShakeByNone     = "none"
)

// ShakeResult is a shake's answer, as recorded under its ticket.
type ShakeResult struct {
	// By is ShakeByBeacon (Resolved[0] is chosen, the rest are around),
	// ShakeByLocation (Nearby is chosen) or ShakeByNone.
	By       string
	Resolved []catalog.Resolved
	Nearby   *catalog.NearbyResult
	Shake    *nearby.Shake // the record, with its ticket
}

// Shake chooses what a shake opens — the nearest resolved beacon's page,
// else (with a location) the best program near the phone — and commits the
// shake before it answers.
func (s *Service) Shake(ctx context.Context, req ShakeRequest) (ShakeResult, error) {
	res, err := s.cat.Resolve(ctx, req.Seen)
	if err != nil {
		return ShakeResult{}, err
	}
	res = ungated(res)
	sh := &nearby.Shake{Ticket: uuid.NewString(), At: s.now().UTC(), Proximity: "unknown",
		Presence: nearby.PresenceUnverified}
	out := ShakeResult{By: ShakeByNone, Resolved: res, Shake: sh}
	switch {
	case len(res) > 0:
		out.By = ShakeByBeacon
		r := &res[0]
		sh.BeaconID, sh.DistanceM = r.Beacon.ID, r.DistanceM
		sh.Presence = r.Presence
		if r.Proximity != "" {
			sh.Proximity = r.Proximity
		}
		sh.StoreID, sh.ProgramID = storeIDOf(r.Store), programIDOf(r.Program)
		sh.DeviceID = s.pseudo.of(r.Beacon.MerchantID, req.DeviceID)
	case req.Lat != nil && req.Lng != nil:
		q := catalog.NearbyQuery{Lat: *req.Lat, Lng: *req.Lng, Limit: 1, Age: req.Age, Gender: req.Gender, OS: req.OS}
		page, err := s.cat.NearbyInto(ctx, q, nil) // validates q
		if err != nil {
			return ShakeResult{}, err
		}
		if len(page.Results) > 0 {
			out.By = ShakeByLocation
			r := &page.Results[0]
			out.Nearby = r
			// The record keeps no distance: with the store's position it
			// would place the phone on a circle around it.
			sh.Fallback = true
			sh.StoreID, sh.ProgramID = storeIDOf(r.Store), programIDOf(r.Program)
			if r.Store != nil {
				sh.DeviceID = s.pseudo.of(r.Store.MerchantID, req.DeviceID)
			}
		}
	}
	// The raw device id goes no further than this function: the command,
	// the record and the answer hold the pseudonym (or nothing, when no
	// merchant was chosen and so no one may read the shake).
	if _, err := s.submit(ctx, &Command{Op: OpRecordShake, Shake: sh}); err != nil {
		return ShakeResult{}, err
	}
	if out.By == ShakeByBeacon {
		s.shakeAlerts(ctx, res[0].Beacon, res[0].Store, req.Lat, req.Lng)
	}
	return out, nil
}

func storeIDOf(st *nearby.Store) uint64 {
	if st == nil {
		return 0
	}
	return st.ID
}

func programIDOf(p *nearby.Program) uint64 {
	if p == nil {
		return 0
	}
	return p.ID
}

// GetShake returns a shake of one of the merchant's beacons by its ticket.
func (s *Service) GetShake(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error) {
	return s.reg.GetShake(ctx, merchantID, ticket)
}

// Renderer is the catalog's renderer of nearby results' briefs, if it has
// one: the HTTP API copies briefs it rendered instead of encoding records.
func (s *Service) Renderer() catalog.Renderer {
	if r, ok := s.cat.(interface{ Renderer() catalog.Renderer }); ok {
		return r.Renderer()
	}
	return nil
}
