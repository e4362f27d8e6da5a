package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// EventRetention is how long an event id is kept for deduplication,
// counted from the event's own time. The api rejects events older than
// nearby.MaxEventAge, so an id pruned after MaxEventAge plus a day's margin
// can never be accepted twice.
const EventRetention = nearby.MaxEventAge + 24*time.Hour

// pruneBatch bounds the expired event ids removed per write, so that
// pruning keeps up with ingest without ever making one commit slow.
const pruneBatch = 512

// RecordEvents stores events seen at beacon beaconID: each event id not seen
// before at this beacon is accepted and counted in the beacon's and its store's statistics
// for the event's local date (the store's time zone); an id seen before at
// this beacon is a duplicate and changes nothing. Ids are scoped to the
// beacon, so no agent can collide with, or probe for, another beacon's. It does not validate (the api does).
// Everything is committed (fsync) before it returns; concurrent calls share
// a commit (bbolt DB.Batch). ENOTFOUND when the beacon does not exist.
func (db *DB) RecordEvents(ctx context.Context, beaconID uint64, evs []nearby.Event) (accepted, duplicates []string, err error) {
	if err := ctxErr(ctx); err != nil {
		return nil, nil, err
	}
	err = db.batch(ctx, func(tx *bolt.Tx) error {
		// Batch may run fn more than once: start from nothing each time.
		accepted, duplicates = accepted[:0], duplicates[:0]
		b, err := getBeacon(tx, 0, beaconID)
		if err != nil {
			return err
		}
		loc := time.UTC
		if v := tx.Bucket(bucketStores).Get(u64(b.StoreID)); v != nil {
			loc = nearby.Zone(storeTimezone(v))
		}
		ids, byAt := tx.Bucket(bucketEvents), tx.Bucket(bucketEventsByAt)
		stream := db.streamWriter(tx)
		bdays, sdays := newDays(tx, dayBeacon), newDays(tx, dayStore)
		for i := range evs {
			e := &evs[i]
			k := eventKey(beaconID, e.ID)
			if ids.Get(k) != nil || ids.Get(legacyEventKey(e.ID)) != nil {
				duplicates = append(duplicates, e.ID)
				continue
			}
			at := e.At.UnixNano()
			if err := ids.Put(k, u64(uint64(at))); err != nil {
				return fmt.Errorf("store: put event: %w", err)
			}
			if err := byAt.Put(append(u64(uint64(at)), k...), nil); err != nil {
				return fmt.Errorf("store: put event time: %w", err)
			}
			date := dayNum(e.At.In(loc))
			for _, c := range []struct {
				ds *days
				id uint64
			}{{bdays, beaconID}, {sdays, b.StoreID}} {
				d, err := c.ds.get(c.id, date)
				if err != nil {
					return err
				}
				d.add(e)
			}
			accepted = append(accepted, e.ID)
			if err := stream.add(b.MerchantID, string(e.Type), agentEventOf(b, e)); err != nil {
				return err
			}
		}
		if err := stream.done(); err != nil {
			return err
		}
		if err := bdays.flush(); err != nil {
			return err
		}
		if err := sdays.flush(); err != nil {
			return err
		}
		if err := db.pruneShakes(tx); err != nil {
			return err
		}
		if _, err := db.seal(tx); err != nil {
			return err
		}
		return db.prune(ctx, tx)
	})
	if err != nil {
		return nil, nil, err
	}
	return accepted, duplicates, nil
}

// add counts one event.
func (d *day) add(e *nearby.Event) {
	d.events++
	switch e.Type {
	case nearby.EventShake:
		d.shakePV++
		insert(&d.shakeUV, e.DeviceID)
	case nearby.EventEnter:
		d.visits++
		insert(&d.visitors, e.DeviceID)
	case nearby.EventDwell:
		if e.DwellMS != nil {
			d.dwellN++
			d.dwellMS += *e.DwellMS
		}
	}
}

// eventKey is the beacon's id (8 bytes) and the 16 bytes of a UUID event
// id, or 0xff and the raw id for anything else (the store does not
// validate; both forms cannot collide).
func eventKey(beaconID uint64, id string) []byte {
	return append(u64(beaconID), legacyEventKey(id)...)
}

// legacyEventKey is the key of an event id recorded before ids were
// scoped to their beacon (16 or 17+ bytes, never 24 with a UUID's form):
// such an id is still a duplicate until it is pruned, EventRetention after
// its event, so an upgrade does not count a re-sent event twice.
func legacyEventKey(id string) []byte {
	if u, err := nearby.ParseUUID(id); err == nil {
		return u[:]
	}
	return append([]byte{0xff}, id...)
}

// prune deletes up to pruneBatch event ids whose event time is older than
// EventRetention.
func (db *DB) prune(ctx context.Context, tx *bolt.Tx) error {
	cutoff := uint64(db.stamp(ctx).Add(-EventRetention).UnixNano())
	ids, c := tx.Bucket(bucketEvents), tx.Bucket(bucketEventsByAt).Cursor()
	n := 0
	for k, _ := c.First(); k != nil && n < pruneBatch; k, _ = c.First() {
		if len(k) < 8 || binary.BigEndian.Uint64(k) >= cutoff {
			break
		}
		if err := ids.Delete(k[8:]); err != nil {
			return fmt.Errorf("store: prune event: %w", err)
		}
		if err := c.Delete(); err != nil {
			return fmt.Errorf("store: prune event time: %w", err)
		}
		n++
	}
	return nil
}

// RecordShake stores a phone's shake under its ticket (ECONFLICT "ticket"
// when taken) and counts it in the shake PV/UV of the chosen beacon (when
// s.BeaconID is not 0 and still exists) and of its store (s.StoreID, else
// the beacon's). Committed before it returns; concurrent calls share a
// commit. At defaults to now.
func (db *DB) RecordShake(ctx context.Context, s *nearby.Shake) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if s.Ticket == "" {
		return nearby.Invalid("ticket", "is required")
	}
	rec := *s
	if rec.At.IsZero() {
		rec.At = db.stamp(ctx)
	}
	err := db.batch(ctx, func(tx *bolt.Tx) error {
		shakes := tx.Bucket(bucketShakes)
		if shakes.Get([]byte(rec.Ticket)) != nil {
			return conflict("ticket", "is already recorded")
		}
		r := rec // Batch may run fn again: work on a copy
		var beacon *nearby.Beacon
		if r.BeaconID != 0 {
			var err error
			if beacon, err = getBeacon(tx, 0, r.BeaconID); err != nil && nearby.ErrorCode(err) != nearby.ENOTFOUND {
				return err
			}
			if beacon != nil && r.StoreID == 0 {
				r.StoreID = beacon.StoreID
			}
		}
		storeID := r.StoreID
		if err := db.appendStream(tx, shakeMerchant(tx, beacon, storeID), nearby.StreamShake, shakeOf(&r)); err != nil {
			return err
		}
		enc, err := encodeJSON(&r)
		if err != nil {
			return err
		}
		if err := shakes.Put([]byte(r.Ticket), enc); err != nil {
			return fmt.Errorf("store: put shake: %w", err)
		}
		if err := tx.Bucket(bucketShakesByAt).Put(shakeAtKey(r.At, r.Ticket), nil); err != nil {
			return fmt.Errorf("store: put shake time: %w", err)
		}
		if err := db.pruneShakes(tx); err != nil {
			return err
		}
		loc := time.UTC
		if v := tx.Bucket(bucketStores).Get(u64(storeID)); v != nil {
			loc = nearby.Zone(storeTimezone(v))
		}
		date := dayNum(r.At.In(loc))
		ev := nearby.Event{Type: nearby.EventShake, DeviceID: r.DeviceID, At: r.At}
		if beacon != nil {
			ds := newDays(tx, dayBeacon)
			d, err := ds.get(beacon.ID, date)
			if err != nil {
				return err
			}
			d.add(&ev)
			d.countPresence(r.Presence)
			if err := ds.flush(); err != nil {
				return err
			}
		}
		if storeID != 0 {
			ds := newDays(tx, dayStore)
			d, err := ds.get(storeID, date)
			if err != nil {
				return err
			}
			d.add(&ev)
			d.countPresence(r.Presence)
			return ds.flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.At = rec.At
	return nil
}

// GetShake returns the shake with ticket when merchantID (0: any) owns the
// chosen beacon, or for a fallback shake without a beacon, the store;
// ENOTFOUND otherwise, and once the ticket is older than the ticket TTL.
func (db *DB) GetShake(ctx context.Context, merchantID uint64, ticket string) (*nearby.Shake, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var s nearby.Shake
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketShakes).Get([]byte(ticket))
		if v == nil {
			return notFound("shake")
		}
		if err := decodeJSON(v, &s); err != nil {
			return err
		}
		if db.now().Sub(s.At) > db.ticketTTL {
			return notFound("shake")
		}
		if merchantID == 0 {
			return nil
		}
		if s.BeaconID != 0 {
			if b, err := getBeacon(tx, merchantID, s.BeaconID); err == nil && b != nil {
				return nil
			}
			if tx.Bucket(bucketBeacons).Get(u64(s.BeaconID)) != nil {
				return notFound("shake") // the beacon is someone else's
			}
		}
		// No beacon, or it was deleted since: the store decides.
		if sv := tx.Bucket(bucketStores).Get(u64(s.StoreID)); sv != nil && storeMerchant(sv) == merchantID {
			return nil
		}
		return notFound("shake")
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}
