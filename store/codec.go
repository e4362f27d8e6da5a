package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/nearby-dev/nearby"
)

// Record versions: the first byte of every value. A decoder that meets a
// version it does not know fails loudly instead of guessing.
const (
	storeRecordV1 = 1 // hand-written binary, see encodeStore
	jsonRecordV1  = 1 // version byte followed by JSON
)

var errCorrupt = errors.New("store: corrupt record")

// encodeStore appends the binary form of s to dst. Stores are the one
// record read in bulk (1M at start-up), so they get a compact encoding that
// decodes without reflection:
//
//	version u8 | id u64 | merchant u64 | lat f64 | lng f64 | created i64 | updated i64 (unix ns)
//	name, category, address, timezone: uvarint length + bytes
//	tags: uvarint count, then strings
//	hours: uvarint day count; per day (sorted): string, uvarint ranges, then open, close strings
func encodeStore(dst []byte, s *nearby.Store) []byte {
	dst = append(dst, storeRecordV1)
	dst = binary.BigEndian.AppendUint64(dst, s.ID)
	dst = binary.BigEndian.AppendUint64(dst, s.MerchantID)
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(s.Lat))
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(s.Lng))
	dst = binary.BigEndian.AppendUint64(dst, uint64(timeNS(s.CreatedAt)))
	dst = binary.BigEndian.AppendUint64(dst, uint64(timeNS(s.UpdatedAt)))
	for _, str := range []string{s.Name, s.Category, s.Address, s.Timezone} {
		dst = appendString(dst, str)
	}
	dst = binary.AppendUvarint(dst, uint64(len(s.Tags)))
	for _, t := range s.Tags {
		dst = appendString(dst, t)
	}
	if s.Hours == nil {
		return binary.AppendUvarint(dst, 0)
	}
	// Day count + 1, so that an empty non-nil Hours survives the round trip.
	dst = binary.AppendUvarint(dst, uint64(len(s.Hours))+1)
	days := make([]string, 0, len(s.Hours))
	for d := range s.Hours {
		days = append(days, d)
	}
	slices.Sort(days)
	for _, d := range days {
		dst = appendString(dst, d)
		rs := s.Hours[d]
		dst = binary.AppendUvarint(dst, uint64(len(rs)))
		for _, r := range rs {
			dst = appendString(dst, r[0])
			dst = appendString(dst, r[1])
		}
	}
	return dst
}

// decodeStore decodes a record written by encodeStore into fresh memory.
func decodeStore(v []byte) (*nearby.Store, error) {
	s := new(nearby.Store)
	if err := decodeStoreInto(s, v); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeStoreInto decodes a record written by encodeStore into *s, which
// must be zero; nothing in s refers to v.
func decodeStoreInto(s *nearby.Store, v []byte) error {
	const fixed = 1 + 6*8
	if len(v) < fixed || v[0] != storeRecordV1 {
		return errCorrupt
	}
	*s = nearby.Store{
		ID:         binary.BigEndian.Uint64(v[1:]),
		MerchantID: binary.BigEndian.Uint64(v[9:]),
		Lat:        math.Float64frombits(binary.BigEndian.Uint64(v[17:])),
		Lng:        math.Float64frombits(binary.BigEndian.Uint64(v[25:])),
		CreatedAt:  nsTime(int64(binary.BigEndian.Uint64(v[33:]))),
		UpdatedAt:  nsTime(int64(binary.BigEndian.Uint64(v[41:]))),
	}
	// One string for all the text fields: they are sliced out of it, one
	// allocation instead of one per field, and it is a copy out of the mmap.
	tail := string(v[fixed:])
	r := reader{b: v[fixed:], s: tail}
	s.Name = r.string()
	s.Category = r.string()
	s.Address = r.string()
	s.Timezone = r.string()
	if n := r.count(); n > 0 {
		s.Tags = make([]string, n)
		for i := range s.Tags {
			s.Tags[i] = r.string()
		}
	}
	if n := r.count(); n > 0 {
		s.Hours = make(nearby.Hours, n-1)
		// The days' ranges share one backing array (one range a day is the
		// common case), each capped so that appending to one cannot
		// overwrite the next.
		backing := make([][2]string, 0, n-1)
		for range n - 1 {
			d := r.string()
			k := r.count()
			if len(backing)+k > cap(backing) {
				backing = make([][2]string, 0, max(k, n-1))
			}
			start := len(backing)
			for range k {
				backing = append(backing, [2]string{r.string(), r.string()})
			}
			s.Hours[d] = backing[start:len(backing):len(backing)]
		}
	}
	if r.err || len(r.b) != 0 {
		*s = nearby.Store{}
		return errCorrupt
	}
	return nil
}

// storeTimezone reads only the time zone of a store record.
func storeTimezone(v []byte) string {
	const fixed = 1 + 6*8
	if len(v) < fixed || v[0] != storeRecordV1 {
		return ""
	}
	r := reader{b: v[fixed:]}
	r.skip()
	r.skip()
	r.skip()
	return r.string()
}

// storeMerchant reads only the merchant id of a store record.
func storeMerchant(v []byte) uint64 {
	if len(v) < 17 {
		return 0
	}
	return binary.BigEndian.Uint64(v[9:])
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// reader decodes length-prefixed fields; the first short read sets err and
// makes every later call return zero values. When s is set it holds the
// same bytes as b at the start, and strings are sliced from it.
type reader struct {
	b   []byte
	s   string
	off int // bytes consumed
	err bool
}

func (r *reader) count() int {
	n, w := binary.Uvarint(r.b)
	if w <= 0 || n > uint64(len(r.b)) { // every element takes at least a byte
		r.err, r.b = true, nil
		return 0
	}
	r.b, r.off = r.b[w:], r.off+w
	return int(n)
}

func (r *reader) string() string {
	n := r.count()
	if n > len(r.b) {
		r.err, r.b = true, nil
		return ""
	}
	var s string
	if r.s != "" {
		s = r.s[r.off : r.off+n]
	} else {
		s = string(r.b[:n]) // copies out of the mmap
	}
	r.b, r.off = r.b[n:], r.off+n
	return s
}

func (r *reader) skip() {
	n := r.count()
	if n > len(r.b) {
		r.err, r.b = true, nil
		return
	}
	r.b, r.off = r.b[n:], r.off+n
}

func timeNS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func nsTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// encodeJSON is the encoding of the records read one at a time (merchants,
// programs, beacons, shakes): a version byte and the JSON of v.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode: %w", err)
	}
	return append([]byte{jsonRecordV1}, b...), nil
}

// decodeJSON decodes a record written by encodeJSON; json.Unmarshal copies,
// so v never points into the mmap.
func decodeJSON(b []byte, v any) error {
	if len(b) == 0 || b[0] != jsonRecordV1 {
		return errCorrupt
	}
	if err := json.Unmarshal(b[1:], v); err != nil {
		return fmt.Errorf("store: decode: %w", err)
	}
	return nil
}
