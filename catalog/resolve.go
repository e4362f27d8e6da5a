package catalog

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/nearby-dev/nearby"
)

// PutBeacon adds or replaces a beacon. Only active beacons resolve; a
// beacon without a UUID is kept for Counts but never resolves. A rotating
// beacon resolves by the identities it rotates through, never by its
// static one (which anyone may have recorded).
func (c *Catalog) PutBeacon(b *nearby.Beacon) {
	cp := *b
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unindexBeacon(b.ID)
	c.beacons[b.ID] = &cp
	switch {
	case cp.Identity.UUID.IsZero():
	case cp.Rotation != nil:
		c.rot.put(&cp, now)
	default:
		c.byIdent[cp.Identity] = &cp
	}
}

// DeleteBeacon removes a beacon.
func (c *Catalog) DeleteBeacon(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unindexBeacon(id)
	delete(c.beacons, id)
}

func (c *Catalog) unindexBeacon(id uint64) {
	old := c.beacons[id]
	if old == nil {
		return
	}
	if c.byIdent[old.Identity] == old {
		delete(c.byIdent, old.Identity)
	}
	c.rot.remove(id)
}

// Sighting is one beacon a phone reports. RSSI and TxPower are optional;
// TxPower overrides the beacon's configured measured power.
type Sighting struct {
	Identity nearby.Identity
	RSSI     *int
	TxPower  *int
}

// Resolved is a known active beacon a phone sees.
type Resolved struct {
	Beacon *nearby.Beacon
	// Seen is the identity the phone reported: a rotating beacon's
	// identity of the moment, not its static one.
	Seen nearby.Identity
	// Presence is nearby.PresenceVerified when Seen is a rotating identity
	// of an accepted window, else nearby.PresenceUnverified.
	Presence  string
	Store     *nearby.Store
	Program   *nearby.Program // the program of the beacon's page; may be nil
	DistanceM *float64        // nil without rssi
	Proximity string
}

// MaxSightings bounds one resolve request.
const MaxSightings = 100

// Resolve returns the known active beacons among seen, nearest first (those
// without a distance last, then by beacon id). A beacon reported twice
// counts once, at its nearest estimate. Unknown and inactive identities
// are left out; they are not errors.
func (c *Catalog) Resolve(ctx context.Context, seen []Sighting) ([]Resolved, error) {
	if len(seen) > MaxSightings {
		return nil, nearby.Invalid("beacons", "must have at most %d entries", MaxSightings)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("catalog: resolve: %w", err)
	}
	out := make([]Resolved, 0, len(seen))
	now := c.now()
	c.advanceRotation(now)
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, s := range seen {
		presence := nearby.PresenceUnverified
		b := c.byIdent[s.Identity]
		if b == nil {
			var ok bool
			if b, ok = c.rot.lookup(s.Identity, now); ok {
				presence = nearby.PresenceVerified
			}
		}
		if b == nil || (b.Status != "" && b.Status != nearby.BeaconActive) {
			continue
		}
		srec := c.stores.Get(b.StoreID)
		if srec == nil {
			continue // its store is gone: nothing to show
		}
		r := Resolved{Beacon: b, Seen: s.Identity, Presence: presence, Store: c.storeSnap(b.StoreID, srec), Proximity: string(nearby.ProximityUnknown)}
		if b.Page != nil {
			if p := c.programs.Get(b.Page.ProgramID); p != nil {
				r.Program = c.progSnap(b.Page.ProgramID, p)
			}
		}
		if s.RSSI != nil {
			tx := b.TxPower
			if s.TxPower != nil {
				tx = *s.TxPower
			}
			if tx == 0 {
				tx = nearby.DefaultTxPower
			}
			if d := c.estimate(*s.RSSI, tx); d >= 0 && !math.IsNaN(d) && !math.IsInf(d, 0) {
				r.DistanceM = &d
				r.Proximity = c.classify(d)
			}
		}
		if i := slices.IndexFunc(out, func(o Resolved) bool { return o.Beacon == b }); i >= 0 {
			if closer(r, out[i]) {
				out[i] = r
			}
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Resolved) int {
		if closer(a, b) {
			return -1
		}
		if closer(b, a) {
			return 1
		}
		return cmp.Compare(a.Beacon.ID, b.Beacon.ID)
	})
	return out, nil
}

// closer reports whether a has a smaller distance than b; no distance is
// farther than any.
func closer(a, b Resolved) bool {
	switch {
	case a.DistanceM == nil:
		return false
	case b.DistanceM == nil:
		return true
	}
	return *a.DistanceM < *b.DistanceM
}
