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
// version it does not know fails loudly instead of guessing. Each bucket
// has its own numbering; every version ever written stays decodable (files
// written by older builds keep working), and records are rewritten in the
// newest version only when they change (or by Compact).
const (
	jsonRecordV1    = 1 // version byte followed by JSON (programs up to schema 2)
	storeRecordV1   = 1 // binary, fixed-width id, merchant and times
	storeRecordV2   = 2 // binary, see encodeStore: the id is the key's
	programRecordV2 = 2 // binary, see encodeProgram; 1 is JSON
)

var errCorrupt = errors.New("store: corrupt record")

// encodeStore appends the binary form of s to dst. Stores are read in bulk
// (1M at start-up) and are most of the file, so they get a compact
// encoding that decodes without reflection:
//
//	version u8 | merchant uvarint | lat f64 | lng f64 | created varint | updated-created varint
//	name, category, address, timezone: uvarint length + bytes
//	tags: uvarint count, then strings
//	hours: uvarint day count; per day (sorted): string, uvarint ranges, then open, close strings
//
// The id is not in the value: it is the key. Times are Unix nanoseconds (0
// for the zero time) and UpdatedAt is kept as its distance from CreatedAt,
// one byte for a store never updated (storeRecordV1 spent 8 bytes on each
// of the id, the merchant and the two times).
func encodeStore(dst []byte, s *nearby.Store) []byte {
	dst = append(dst, storeRecordV2)
	dst = binary.AppendUvarint(dst, s.MerchantID)
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(s.Lat))
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(s.Lng))
	dst = appendTimes(dst, s.CreatedAt, s.UpdatedAt)
	return appendStoreText(dst, s)
}

// appendStoreText appends the strings of s, the same in every binary
// store version.
func appendStoreText(dst []byte, s *nearby.Store) []byte {
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

const storeV1Fixed = 1 + 6*8

// decodeStore decodes store record v of key k into fresh memory.
func decodeStore(k, v []byte) (*nearby.Store, error) {
	s := new(nearby.Store)
	if err := decodeStoreInto(s, k, v); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeStoreInto decodes store record v of key k (the big-endian id) into
// *s; nothing in s refers to k or v.
func decodeStoreInto(s *nearby.Store, k, v []byte) error {
	*s = nearby.Store{}
	var text []byte
	switch {
	case len(v) >= storeV1Fixed && v[0] == storeRecordV1:
		*s = nearby.Store{
			ID:         binary.BigEndian.Uint64(v[1:]),
			MerchantID: binary.BigEndian.Uint64(v[9:]),
			Lat:        math.Float64frombits(binary.BigEndian.Uint64(v[17:])),
			Lng:        math.Float64frombits(binary.BigEndian.Uint64(v[25:])),
			CreatedAt:  nsTime(int64(binary.BigEndian.Uint64(v[33:]))),
			UpdatedAt:  nsTime(int64(binary.BigEndian.Uint64(v[41:]))),
		}
		text = v[storeV1Fixed:]
	case len(v) > 0 && v[0] == storeRecordV2 && len(k) == 8:
		r := reader{b: v[1:]}
		s.ID = binary.BigEndian.Uint64(k)
		s.MerchantID = r.uvarint()
		s.Lat = math.Float64frombits(r.u64())
		s.Lng = math.Float64frombits(r.u64())
		s.CreatedAt, s.UpdatedAt = r.times()
		if r.err {
			*s = nearby.Store{}
			return errCorrupt
		}
		text = r.b
	default:
		return errCorrupt
	}
	// One string for all the text fields: they are sliced out of it, one
	// allocation instead of one per field, and it is a copy out of the mmap.
	r := reader{b: text, s: string(text)}
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

// storeText returns the text part of a store record (from the name on),
// nil when v is not a store record.
func storeText(v []byte) []byte {
	switch {
	case len(v) >= storeV1Fixed && v[0] == storeRecordV1:
		return v[storeV1Fixed:]
	case len(v) > 0 && v[0] == storeRecordV2:
		r := reader{b: v[1:]}
		r.uvarint()
		r.u64()
		r.u64()
		r.times()
		if r.err {
			return nil
		}
		return r.b
	}
	return nil
}

// storeTimezone reads only the time zone of a store record.
func storeTimezone(v []byte) string {
	text := storeText(v)
	if text == nil {
		return ""
	}
	r := reader{b: text}
	r.skip()
	r.skip()
	r.skip()
	return r.string()
}

// storeMerchant reads only the merchant id of a store record.
func storeMerchant(v []byte) uint64 {
	switch {
	case len(v) >= 17 && v[0] == storeRecordV1:
		return binary.BigEndian.Uint64(v[9:])
	case len(v) > 0 && v[0] == storeRecordV2:
		r := reader{b: v[1:]}
		if id := r.uvarint(); !r.err {
			return id
		}
	}
	return 0
}

// Flags of a program record.
const (
	progTargeting = 1 << iota // Targeting != nil
	progAgeMin                // Targeting.AgeMin != nil
	progAgeMax
	progStrict
	progGenders // Targeting.Genders != nil
	progOS      // Targeting.OS != nil
	progFlags   = 1<<iota - 1
)

// encodeProgram appends the binary form of p to dst:
//
//	version u8 | merchant uvarint | created varint | updated-created varint | flags u8
//	[age_min varint] [age_max varint] (when their flags are set)
//	app id, name, category, description, icon url: uvarint length + bytes
//	[genders] [os]: uvarint count, then strings (when their flags are set)
//
// The id is the key; StoreIDs are links (program_stores) and Selection is
// resolved on write, so neither is kept. Programs were JSON (about 250
// bytes for a plain one, reflection to decode); this is about 50.
func encodeProgram(dst []byte, p *nearby.Program) []byte {
	dst = append(dst, programRecordV2)
	dst = binary.AppendUvarint(dst, p.MerchantID)
	dst = appendTimes(dst, p.CreatedAt, p.UpdatedAt)
	t := p.Targeting
	if t == nil {
		dst = append(dst, 0)
	} else {
		f := byte(progTargeting)
		for _, c := range []struct {
			set  bool
			flag byte
		}{{t.AgeMin != nil, progAgeMin}, {t.AgeMax != nil, progAgeMax}, {t.Strict, progStrict},
			{t.Genders != nil, progGenders}, {t.OS != nil, progOS}} {
			if c.set {
				f |= c.flag
			}
		}
		dst = append(dst, f)
		if t.AgeMin != nil {
			dst = binary.AppendVarint(dst, int64(*t.AgeMin))
		}
		if t.AgeMax != nil {
			dst = binary.AppendVarint(dst, int64(*t.AgeMax))
		}
	}
	for _, str := range []string{p.AppID, p.Name, p.Category, p.Description, p.IconURL} {
		dst = appendString(dst, str)
	}
	if t != nil {
		for _, list := range [][]string{t.Genders, t.OS} {
			if list == nil {
				continue
			}
			dst = binary.AppendUvarint(dst, uint64(len(list)))
			for _, str := range list {
				dst = appendString(dst, str)
			}
		}
	}
	return dst
}

// decodeProgram decodes program record v of key k into fresh memory,
// without StoreIDs.
func decodeProgram(k, v []byte) (*nearby.Program, error) {
	p := new(nearby.Program)
	if err := decodeProgramInto(p, k, v); err != nil {
		return nil, err
	}
	return p, nil
}

// programTargeting is a Targeting with room for its ages: one allocation.
type programTargeting struct {
	t              nearby.Targeting
	ageMin, ageMax int
}

// decodeProgramInto decodes program record v of key k (the big-endian id)
// into *p, binary or JSON; nothing in p refers to k or v. StoreIDs are
// left nil.
func decodeProgramInto(p *nearby.Program, k, v []byte) error {
	*p = nearby.Program{}
	if len(v) > 0 && v[0] == jsonRecordV1 {
		if err := decodeJSON(v, p); err != nil {
			*p = nearby.Program{}
			return err
		}
		p.StoreIDs, p.Selection = nil, nil
		return nil
	}
	if len(v) == 0 || v[0] != programRecordV2 || len(k) != 8 {
		return errCorrupt
	}
	r := reader{b: v[1:]}
	p.ID = binary.BigEndian.Uint64(k)
	p.MerchantID = r.uvarint()
	p.CreatedAt, p.UpdatedAt = r.times()
	f := r.byte()
	var pt *programTargeting
	if f&^progFlags != 0 || (f != 0 && f&progTargeting == 0) {
		r.err = true
	} else if f&progTargeting != 0 {
		pt = new(programTargeting)
		pt.t.Strict = f&progStrict != 0
		if f&progAgeMin != 0 {
			pt.ageMin = int(r.varint())
			pt.t.AgeMin = &pt.ageMin
		}
		if f&progAgeMax != 0 {
			pt.ageMax = int(r.varint())
			pt.t.AgeMax = &pt.ageMax
		}
		p.Targeting = &pt.t
	}
	if r.err {
		*p = nearby.Program{}
		return errCorrupt
	}
	r = reader{b: r.b, s: string(r.b)}
	p.AppID = r.string()
	p.Name = r.string()
	p.Category = r.string()
	p.Description = r.string()
	p.IconURL = r.string()
	if f&progGenders != 0 {
		pt.t.Genders = r.strings(r.count())
	}
	if f&progOS != 0 {
		pt.t.OS = r.strings(r.count())
	}
	if r.err || len(r.b) != 0 {
		*p = nearby.Program{}
		return errCorrupt
	}
	return nil
}

// appendTimes appends created and updated as varints of Unix nanoseconds,
// updated as its distance from created (wrapping arithmetic: exact for any
// pair).
func appendTimes(dst []byte, created, updated time.Time) []byte {
	c := timeNS(created)
	dst = binary.AppendVarint(dst, c)
	return binary.AppendVarint(dst, timeNS(updated)-c)
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

// uvarint, varint, u64 and byte read numbers; they do not move off, so
// they come before the strings of a reader with s set.
func (r *reader) uvarint() uint64 {
	n, w := binary.Uvarint(r.b)
	if w <= 0 {
		r.err, r.b = true, nil
		return 0
	}
	r.b = r.b[w:]
	return n
}

func (r *reader) varint() int64 {
	n, w := binary.Varint(r.b)
	if w <= 0 {
		r.err, r.b = true, nil
		return 0
	}
	r.b = r.b[w:]
	return n
}

func (r *reader) u64() uint64 {
	if len(r.b) < 8 {
		r.err, r.b = true, nil
		return 0
	}
	n := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return n
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.err, r.b = true, nil
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// times reads what appendTimes wrote.
func (r *reader) times() (created, updated time.Time) {
	c := r.varint()
	u := r.varint()
	return nsTime(c), nsTime(c + u)
}

// strings reads n strings into a new slice (nil when n is 0 and r failed).
func (r *reader) strings(n int) []string {
	if r.err {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
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
// beacons, shakes): a version byte and the JSON of v.
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
