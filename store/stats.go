package store

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// MaxStatsDays bounds the day range of BeaconStats and StoreStats, a
// safety limit above the api's own (366 days).
const MaxStatsDays = 400

// BeaconStats returns beacon beaconID's figures (merchantID 0: any owner)
// for every date from from's to to's inclusive. Events are counted on their
// local date in the time zone of the beacon's store; from and to are taken
// as calendar dates as given (t.Date() in t's own location), so that
// "2026-03-08" parsed as UTC midnight means March 8th in every store. A
// day without data is present with zeros. An empty slice when to is
// before from; EINVALID "to" beyond MaxStatsDays.
func (db *DB) BeaconStats(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []nearby.DayStats
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := getBeacon(tx, merchantID, beaconID)
		if err != nil {
			return err
		}
		days, err := dayRange(tx.Bucket(bucketBeaconStats), b.ID, from, to)
		if err != nil {
			return err
		}
		out, err = db.publishBeacon(tx, b, days)
		return err
	})
	return out, err
}

// StoreStats is BeaconStats for a store: events of all its beacons plus
// shakes answered with it.
func (db *DB) StoreStats(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []nearby.DayStats
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketStores).Get(u64(storeID))
		if v == nil || (merchantID != 0 && storeMerchant(v) != merchantID) {
			return notFound("store")
		}
		days, err := dayRange(tx.Bucket(bucketStoreStats), storeID, from, to)
		if err != nil {
			return err
		}
		out = make([]nearby.DayStats, len(days))
		for i, dd := range days {
			out[i] = publish(dd.n, dd.d, db.shown(dd.d, famShake), db.shown(dd.d, famVisit), db.minCount)
		}
		return db.addStoreQRScans(tx, storeID, out)
	})
	return out, err
}

// datedDay is a date's day record, nil when there is none.
type datedDay struct {
	n uint32
	d *day
}

// dayRange reads id's day records for the local dates of from..to.
func dayRange(b *bolt.Bucket, id uint64, from, to time.Time) ([]datedDay, error) {
	first := time.Date(from.Year(), from.Month(), from.Day(), 12, 0, 0, 0, time.UTC)
	last := time.Date(to.Year(), to.Month(), to.Day(), 12, 0, 0, 0, time.UTC)
	if last.Before(first) {
		return []datedDay{}, nil
	}
	if n := int(last.Sub(first).Hours()/24) + 1; n > MaxStatsDays {
		return nil, nearby.Invalid("to", "must be at most %d days after from", MaxStatsDays-1)
	}
	out := []datedDay{}
	c := b.Cursor()
	k, v := c.Seek(dayKey(id, dayNum(first)))
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		n := dayNum(d)
		for k != nil && len(k) == 12 && binary.BigEndian.Uint64(k) == id && binary.BigEndian.Uint32(k[8:]) < n {
			k, v = c.Next()
		}
		if k != nil && len(k) == 12 && binary.BigEndian.Uint64(k) == id && binary.BigEndian.Uint32(k[8:]) == n {
			rec, err := decodeDay(v)
			if err != nil {
				return nil, err
			}
			out = append(out, datedDay{n, rec})
			continue
		}
		out = append(out, datedDay{n, nil})
	}
	return out, nil
}

// StoreActivity calls fn with each store's shake and visit counts for every
// local date on or after since's date in that store's time zone; day is
// that date at 12:00 UTC, the convention of the statistics. It seeds
// ranking's popularity at start-up; fn runs inside a read transaction and
// must not write to db.
func (db *DB) StoreActivity(ctx context.Context, since time.Time, fn func(storeID uint64, day time.Time, shakes, visits int64) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		stores := tx.Bucket(bucketStores)
		c := tx.Bucket(bucketStoreStats).Cursor()
		k, v := c.First()
		for k != nil {
			if err := ctxErr(ctx); err != nil {
				return err
			}
			if len(k) != 12 {
				k, v = c.Next()
				continue
			}
			id := binary.BigEndian.Uint64(k)
			loc := time.UTC
			if sv := stores.Get(u64(id)); sv != nil {
				loc = nearby.Zone(storeTimezone(sv))
			}
			start := dayNum(since.In(loc))
			if binary.BigEndian.Uint32(k[8:]) < start {
				k, v = c.Seek(dayKey(id, start))
			}
			for ; k != nil && len(k) == 12 && binary.BigEndian.Uint64(k) == id; k, v = c.Next() {
				d, err := dayCounters(v)
				if err != nil {
					return err
				}
				if err := fn(id, dayNoon(binary.BigEndian.Uint32(k[8:])), d.shakePV, d.visits); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// StoreEventCounts returns, for each of storeIDs that exists, the number of
// events recorded there (all types, plus shakes) on the dates of from..to,
// read as in StoreStats; stores without events are absent. The
// granularity is a day, and only days with at least the minimum count of
// distinct devices (shakers and visitors together) are summed: withheld
// holds the stores with a day left out.
func (db *DB) StoreEventCounts(ctx context.Context, storeIDs []uint64, from, to time.Time) (counts map[uint64]int64, withheld map[uint64]bool, err error) {
	if err := ctxErr(ctx); err != nil {
		return nil, nil, err
	}
	counts, withheld = make(map[uint64]int64), make(map[uint64]bool)
	first, last := dayNum(from), dayNum(to)
	err = db.bolt.View(func(tx *bolt.Tx) error {
		stores := tx.Bucket(bucketStores)
		c := tx.Bucket(bucketStoreStats).Cursor()
		for i, id := range storeIDs {
			if i%1024 == 0 {
				if err := ctxErr(ctx); err != nil {
					return err
				}
			}
			if stores.Get(u64(id)) == nil {
				continue
			}
			var sum int64
			for k, v := c.Seek(dayKey(id, first)); len(k) == 12 && binary.BigEndian.Uint64(k) == id && binary.BigEndian.Uint32(k[8:]) <= last; k, v = c.Next() {
				d, err := dayCounters(v)
				if err != nil {
					return err
				}
				// Fewer events than k cannot have k devices: no need to
				// decode the sketches.
				if d.events > 0 && d.events >= db.minCount {
					if d, err = decodeDay(v); err != nil {
						return err
					}
				}
				if d.events > 0 && (d.events < db.minCount || storeDayDevices(d) < db.minCount) {
					withheld[id] = true
					continue
				}
				sum += d.events
			}
			if sum > 0 {
				counts[id] = sum
			}
		}
		return nil
	})
	return counts, withheld, err
}
