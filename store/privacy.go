package store

import (
	"github.com/axiomhq/hyperloglog"
	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// Minimum counts. A day's figures come in two families, each counting
// people: shakes (shake_pv, shake_uv) and visits (visits, visitors and
// avg_dwell_s). A family of one beacon's or store's day (an atom) is shown
// only when no events stand behind it, or at least k distinct devices do;
// avg_dwell_s needs k dwell events besides. Otherwise its figures are nil
// and the day says Suppressed.
//
// Differencing. The statistics routes publish atoms only, never a total
// over days, so two overlapping ranges show the same figures for the
// days they share and a suppressed day is inside nothing that is shown. A
// store's day is a total over its beacons' days (plus the shakes chosen by
// location), so a beacon's family is also suppressed when showing it
// would leave, in the store's figure minus its shown beacons', events of
// fewer than k devices (complement suppression: the smallest shown beacons
// are withheld until the rest is empty or has k devices). Heatmap counts
// sum only the store-days whose devices number at least k (see
// StoreEventCounts), so any difference of two heatmaps is a sum of such
// days.

// family is one of a day's families of figures.
type family int

const (
	famShake family = iota
	famVisit
)

// of returns the family's event count and device sketch in d.
func (f family) of(d *day) (int64, *hyperloglog.Sketch) {
	if f == famShake {
		return d.shakePV, d.shakeUV
	}
	return d.visits, d.visitors
}

// shown reports whether a family of d may be shown on its own.
func (db *DB) shown(d *day, f family) bool {
	if d == nil {
		return true
	}
	n, _ := f.of(d)
	return n == 0 || d.uniques(f) >= db.minCount
}

// publish is the published form of day n's figures d (nil: none).
func publish(n uint32, d *day, shake, visit bool, k int64) nearby.DayStats {
	out := nearby.DayStats{Date: dayString(n)}
	if d == nil {
		d = &day{}
	}
	p := func(v int64) *int64 { return &v }
	if shake {
		out.ShakePV, out.ShakeUV, out.ShakeVerified = p(d.shakePV), p(d.uniques(famShake)), p(d.shakeVerified)
	}
	if visit {
		out.Visits, out.Visitors = p(d.visits), p(d.uniques(famVisit))
		switch {
		case d.dwellN == 0:
			avg := 0.0
			out.AvgDwellS = &avg
		case d.dwellN >= k:
			avg := float64(d.dwellMS) / float64(d.dwellN) / 1000
			out.AvgDwellS = &avg
		}
	}
	out.Suppressed = out.ShakePV == nil || out.Visits == nil || out.AvgDwellS == nil
	return out
}

// publishBeacon publishes beacon b's days, with complement suppression
// against its store's days.
func (db *DB) publishBeacon(tx *bolt.Tx, b *nearby.Beacon, days []datedDay) ([]nearby.DayStats, error) {
	siblings := seconds(tx.Bucket(bucketStoreBeacons), b.StoreID)
	out := make([]nearby.DayStats, len(days))
	for i, dd := range days {
		shake, visit := db.shown(dd.d, famShake), db.shown(dd.d, famVisit)
		if dd.d != nil && (shake || visit) {
			var err error
			if shake, visit, err = db.complement(tx, b, siblings, dd.n, shake, visit); err != nil {
				return nil, err
			}
		}
		out[i] = publish(dd.n, dd.d, shake, visit, db.minCount)
	}
	return out, nil
}

// complement decides whether beacon b's families of day n stay shown once
// its store's figure minus those of all shown beacons of the store is
// taken into account.
func (db *DB) complement(tx *bolt.Tx, b *nearby.Beacon, siblings []uint64, n uint32, shake, visit bool) (bool, bool, error) {
	store, err := readDay(tx.Bucket(bucketStoreStats), b.StoreID, n)
	if err != nil || store == nil {
		return shake, visit, err
	}
	sib := make(map[uint64]*day, len(siblings))
	for _, id := range siblings {
		if sib[id], err = readDay(tx.Bucket(bucketBeaconStats), id, n); err != nil {
			return false, false, err
		}
	}
	if _, ok := sib[b.ID]; !ok { // moved since: count it where it is now
		if sib[b.ID], err = readDay(tx.Bucket(bucketBeaconStats), b.ID, n); err != nil {
			return false, false, err
		}
	}
	return shake && db.survives(store, sib, b.ID, famShake), visit && db.survives(store, sib, b.ID, famVisit), nil
}

// survives runs complement suppression of family f over a store's day and
// its beacons' days and reports whether beacon id is still shown.
func (db *DB) survives(store *day, beacons map[uint64]*day, id uint64, f family) bool {
	shown := map[uint64]*day{}
	for bid, d := range beacons {
		if n, _ := f.of(orEmpty(d)); n > 0 && db.shown(d, f) {
			shown[bid] = d
		}
	}
	storeN, _ := f.of(store)
	for len(shown) > 0 {
		rest := storeN
		for _, d := range shown {
			n, _ := f.of(d)
			rest -= n
		}
		devices := store.uniques(f) - unionOf(shown, f)
		if rest <= 0 || devices >= db.minCount {
			break
		}
		delete(shown, smallest(shown, f))
	}
	if _, ok := shown[id]; ok {
		return true
	}
	n, _ := f.of(orEmpty(beacons[id]))
	return n == 0 // nothing to hide
}

// unionOf is the distinct devices of family f over days; for sealed days
// (no sketches) the sum of their counts, which is at least the union, so
// that the rest it leaves is never overestimated.
func unionOf(days map[uint64]*day, f family) int64 {
	union := hyperloglog.New14()
	var sum int64
	sealed := false
	for _, d := range days {
		sum += d.uniques(f)
		if _, sk := f.of(d); sk != nil {
			_ = union.Merge(sk) // same precision: cannot fail
		}
		sealed = sealed || d.sealed
	}
	if sealed {
		return sum
	}
	return int64(union.Estimate())
}

// smallest is the shown beacon with the fewest devices (ties: highest id).
func smallest(shown map[uint64]*day, f family) uint64 {
	var best uint64
	bestN := int64(-1)
	for id, d := range shown {
		if n := d.uniques(f); bestN < 0 || n < bestN || n == bestN && id > best {
			best, bestN = id, n
		}
	}
	return best
}

func orEmpty(d *day) *day {
	if d == nil {
		return &day{}
	}
	return d
}

// readDay reads id's record of day n, nil when there is none.
func readDay(b *bolt.Bucket, id uint64, n uint32) (*day, error) {
	v := b.Get(dayKey(id, n))
	if v == nil {
		return nil, nil
	}
	return decodeDay(v)
}

// storeDayDevices is the distinct devices of a store's day: shakers and
// visitors together (sealed: the larger of the two, a lower bound).
func storeDayDevices(d *day) int64 {
	if d.sealed {
		return max(d.sealedUV[famShake], d.sealedUV[famVisit])
	}
	u := hyperloglog.New14()
	for _, sk := range []*hyperloglog.Sketch{d.shakeUV, d.visitors} {
		if sk != nil {
			_ = u.Merge(sk)
		}
	}
	return int64(u.Estimate())
}
