package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/axiomhq/hyperloglog"
	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

const dayRecordV1 = 1

// day is one beacon's or store's figures for one local date. Unique
// counts are HyperLogLog sketches (precision 14, sparse while small), so no
// device id is kept.
type day struct {
	shakePV, visits, dwellN, dwellMS, events int64
	shakeUV, visitors                        *hyperloglog.Sketch // nil: nothing inserted yet
	// shakeVerified trails the sketches in the record: records written
	// before it existed decode it as 0.
	shakeVerified int64
}

// dayNum is a local date as the number yyyymmdd: big-endian keys sort by date.
func dayNum(t time.Time) uint32 {
	y, m, d := t.Date()
	return uint32(y*10000 + int(m)*100 + d)
}

func dayString(n uint32) string {
	return fmt.Sprintf("%04d-%02d-%02d", n/10000, n/100%100, n%100)
}

// dayNoon is day n at 12:00 UTC.
func dayNoon(n uint32) time.Time {
	return time.Date(int(n/10000), time.Month(n/100%100), int(n%100), 12, 0, 0, 0, time.UTC)
}

func dayKey(id uint64, n uint32) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, id)
	binary.BigEndian.PutUint32(k[8:], n)
	return k
}

func (d *day) encode() ([]byte, error) {
	b := []byte{dayRecordV1}
	for _, n := range []int64{d.shakePV, d.visits, d.dwellN, d.dwellMS, d.events} {
		b = binary.AppendVarint(b, n)
	}
	for _, sk := range []*hyperloglog.Sketch{d.shakeUV, d.visitors} {
		if sk == nil {
			b = binary.AppendUvarint(b, 0)
			continue
		}
		enc, err := sk.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("store: encode sketch: %w", err)
		}
		b = binary.AppendUvarint(b, uint64(len(enc)))
		b = append(b, enc...)
	}
	if d.shakeVerified != 0 {
		b = binary.AppendVarint(b, d.shakeVerified)
	}
	return b, nil
}

func decodeDay(v []byte) (*day, error) {
	d, v, err := decodeCounters(v)
	if err != nil {
		return nil, err
	}
	for _, p := range []**hyperloglog.Sketch{&d.shakeUV, &d.visitors} {
		n, w := binary.Uvarint(v)
		if w <= 0 || n > uint64(len(v)-w) {
			return nil, errCorrupt
		}
		v = v[w:]
		if n == 0 {
			continue
		}
		sk := hyperloglog.New14()
		// Copy: the sketch must not alias the mmap or a value rewritten later in this transaction.
		if err := sk.UnmarshalBinary(append([]byte(nil), v[:n]...)); err != nil {
			return nil, fmt.Errorf("store: decode sketch: %w", err)
		}
		*p, v = sk, v[n:]
	}
	if len(v) > 0 {
		n, w := binary.Varint(v)
		if w <= 0 {
			return nil, errCorrupt
		}
		d.shakeVerified = n
	}
	return d, nil
}

// dayCounters decodes only the counters of a day record, skipping the
// sketches: bulk readers need no unique counts.
func dayCounters(v []byte) (*day, error) {
	d, _, err := decodeCounters(v)
	return d, err
}

// decodeCounters decodes a day record's version and counters and returns
// the rest (the sketches).
func decodeCounters(v []byte) (*day, []byte, error) {
	if len(v) == 0 || v[0] != dayRecordV1 {
		return nil, nil, errCorrupt
	}
	v = v[1:]
	d := &day{}
	for _, p := range []*int64{&d.shakePV, &d.visits, &d.dwellN, &d.dwellMS, &d.events} {
		n, w := binary.Varint(v)
		if w <= 0 {
			return nil, nil, errCorrupt
		}
		*p, v = n, v[w:]
	}
	return d, v, nil
}

func insert(sk **hyperloglog.Sketch, device string) {
	if device == "" {
		return
	}
	if *sk == nil {
		*sk = hyperloglog.New14()
	}
	(*sk).Insert([]byte(device))
}

func estimate(sk *hyperloglog.Sketch) int64 {
	if sk == nil {
		return 0
	}
	return int64(sk.Estimate())
}

func (d *day) stats(date uint32) nearby.DayStats {
	s := nearby.DayStats{
		Date: dayString(date), ShakePV: d.shakePV, ShakeUV: estimate(d.shakeUV),
		Visits: d.visits, Visitors: estimate(d.visitors), ShakeVerified: d.shakeVerified,
	}
	if d.dwellN > 0 {
		s.AvgDwellS = float64(d.dwellMS) / float64(d.dwellN) / 1000
	}
	return s
}

// days accumulates changes to day records during one transaction and
// writes each touched record once.
type days struct {
	bucket *bolt.Bucket
	m      map[string]*day
}

func newDays(b *bolt.Bucket) *days { return &days{bucket: b, m: make(map[string]*day)} }

func (ds *days) get(id uint64, date uint32) (*day, error) {
	k := dayKey(id, date)
	if d, ok := ds.m[string(k)]; ok {
		return d, nil
	}
	d := &day{}
	if v := ds.bucket.Get(k); v != nil {
		var err error
		if d, err = decodeDay(v); err != nil {
			return nil, err
		}
	}
	ds.m[string(k)] = d
	return d, nil
}

func (ds *days) flush() error {
	for k, d := range ds.m {
		v, err := d.encode()
		if err != nil {
			return err
		}
		if err := ds.bucket.Put([]byte(k), v); err != nil {
			return fmt.Errorf("store: put day: %w", err)
		}
	}
	return nil
}

// countPresence counts a shake's verified presence apart (issue 17).
func (d *day) countPresence(presence string) {
	if presence == nearby.PresenceVerified {
		d.shakeVerified++
	}
}
