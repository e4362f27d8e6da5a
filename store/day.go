package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/axiomhq/hyperloglog"
	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// Day record versions: v1 holds the unique counts as sketches, v2 (a
// sealed day, see seal.go) only their estimates.
const (
	dayRecordV1 = 1
	dayRecordV2 = 2
)

// day is one beacon's or store's figures for one local date. Unique
// counts are HyperLogLog sketches (precision 14, sparse while small) of
// the merchants' device pseudonyms, so no device id is kept; once sealed,
// only the sketches' estimates are.
type day struct {
	shakePV, visits, dwellN, dwellMS, events int64
	shakeUV, visitors                        *hyperloglog.Sketch // nil: nothing inserted yet
	sealed                                   bool
	sealedUV                                 [2]int64 // by family, when sealed
	// shakeVerified trails the record: records written before it existed
	// decode it as 0.
	shakeVerified int64
}

// uniques is the distinct devices of family f.
func (d *day) uniques(f family) int64 {
	if d.sealed {
		return d.sealedUV[f]
	}
	_, sk := f.of(d)
	return estimate(sk)
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
	if d.sealed {
		b[0] = dayRecordV2
	}
	for _, n := range []int64{d.shakePV, d.visits, d.dwellN, d.dwellMS, d.events} {
		b = binary.AppendVarint(b, n)
	}
	if d.sealed {
		b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(d.sealedUV[famShake])), uint64(d.sealedUV[famVisit]))
		return d.appendVerified(b), nil
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
	return d.appendVerified(b), nil
}

// appendVerified appends the trailing verified-shake count, when there is
// one: records without it stay as they were.
func (d *day) appendVerified(b []byte) []byte {
	if d.shakeVerified != 0 {
		b = binary.AppendVarint(b, d.shakeVerified)
	}
	return b
}

// decodeVerified reads the trailing verified-shake count, if any.
func (d *day) decodeVerified(v []byte) error {
	if len(v) == 0 {
		return nil
	}
	n, w := binary.Varint(v)
	if w <= 0 {
		return errCorrupt
	}
	d.shakeVerified = n
	return nil
}

func decodeDay(v []byte) (*day, error) {
	d, v, err := decodeCounters(v)
	if err != nil {
		return nil, err
	}
	if d.sealed {
		for i := range d.sealedUV {
			n, w := binary.Uvarint(v)
			if w <= 0 || n > 1<<62 {
				return nil, errCorrupt
			}
			d.sealedUV[i], v = int64(n), v[w:]
		}
		return d, d.decodeVerified(v)
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
	return d, d.decodeVerified(v)
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
	if len(v) == 0 || v[0] != dayRecordV1 && v[0] != dayRecordV2 {
		return nil, nil, errCorrupt
	}
	d := &day{sealed: v[0] == dayRecordV2}
	v = v[1:]
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

// days accumulates changes to day records during one transaction and
// writes each touched record once.
type days struct {
	bucket *bolt.Bucket
	kind   byte // dayBeacon or dayStore, for the seal index
	m      map[string]*day
	fresh  map[string]bool // records this transaction creates
}

func newDays(tx *bolt.Tx, kind byte) *days {
	return &days{bucket: tx.Bucket(statsBuckets[kind]), kind: kind, m: make(map[string]*day), fresh: make(map[string]bool)}
}

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
	} else {
		ds.fresh[string(k)] = true
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
		if ds.fresh[k] {
			if err := ds.bucket.Tx().Bucket(bucketDaysToSeal).Put(sealKey(ds.kind, []byte(k)), nil); err != nil {
				return fmt.Errorf("store: put seal index: %w", err)
			}
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
