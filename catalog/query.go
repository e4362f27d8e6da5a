package catalog

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
)

// NearbyQuery is a phone's nearby request. Zero RadiusM and Limit mean the
// defaults of the contract.
type NearbyQuery struct {
	Lat, Lng float64
	RadiusM  float64
	Limit    int
	Cursor   string
	Category string
	Age      *int
	Gender   string
	OS       string
	OpenNow  bool
	Explain  bool
	// AppID and MerchantID, when set, keep only that app id's or that
	// merchant's programs. Q, when set, keeps only programs whose name, or
	// whose store's name or tags, match it (see CompileText); how well
	// adds to the score (ranking's relevance).
	AppID      string
	MerchantID uint64
	Q          string
	// BriefsOnly leaves the results' Program and Store nil when the
	// catalog has a Renderer: a caller that encodes only the briefs (the
	// phone API) saves rebuilding forty snapshots per page.
	BriefsOnly bool

	cur  cursor // decoded Cursor, set by Validate
	text *Text  // compiled Q, set by Validate
}

// Validate fills the defaults and reports every bad parameter as an
// EINVALID *nearby.Error naming lat, lng, radius_m, limit, cursor,
// category, age, gender, os, app_id or q.
func (q *NearbyQuery) Validate() error {
	var p nearby.Problems
	checkCircle(&p, q.Lat, q.Lng, &q.RadiusM, &q.Limit, q.Category)
	if q.Age != nil && (*q.Age < 0 || *q.Age > nearby.MaxAge) {
		p.Addf("age", "must be between 0 and %d", nearby.MaxAge)
	}
	if q.Gender != "" && !nearby.ValidEnum(q.Gender, nearby.Genders) {
		p.Addf("gender", "must be one of %v", nearby.Genders)
	}
	if q.OS != "" && !nearby.ValidEnum(q.OS, nearby.OSes) {
		p.Addf("os", "must be one of %v", nearby.OSes)
	}
	q.text = checkSearch(&p, q.AppID, q.Q)
	q.cur = cursor{}
	if q.Cursor != "" && len(p.Fields) == 0 {
		cur, ok := decodeCursor(q.Cursor)
		switch {
		case !ok:
			p.Addf("cursor", "is not a valid cursor")
		case cur.digest != q.digest():
			p.Addf("cursor", "belongs to a query with other parameters")
		default:
			q.cur = cur
		}
	}
	return p.Err()
}

// phone returns the phone attributes of the query.
func (q *NearbyQuery) phone() ranking.Phone {
	return ranking.Phone{Age: q.Age, Gender: q.Gender, OS: q.OS}
}

// digest is an FNV-1a hash of the parameters that select and score
// results. Limit and Explain are left out: they may change between pages.
func (q *NearbyQuery) digest() uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint64) {
		for i := 0; i < 8; i++ {
			h ^= v & 0xff
			h *= 1099511628211
			v >>= 8
		}
	}
	str := func(s string) {
		mix(uint64(len(s)))
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	mix(math.Float64bits(q.Lat))
	mix(math.Float64bits(q.Lng))
	mix(math.Float64bits(q.RadiusM))
	str(q.Category)
	age := uint64(math.MaxUint64)
	if q.Age != nil {
		age = uint64(*q.Age)
	}
	mix(age)
	str(q.Gender)
	str(q.OS)
	if q.OpenNow {
		mix(1)
	} else {
		mix(0)
	}
	if q.AppID != "" || q.MerchantID != 0 || q.Q != "" { // older cursors stay valid
		str(q.AppID)
		mix(q.MerchantID)
		str(q.Q)
	}
	return h
}

// rankKey orders results: score descending, then distance, then program id.
type rankKey struct {
	score, dist float64
	program     uint64
}

// before reports whether a ranks before b.
func (a rankKey) before(b rankKey) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return a.program < b.program
}

// cursor is the decoded form of a page cursor.
type cursor struct {
	set    bool
	digest uint64
	now    time.Time // query time of the first page
	last   rankKey   // last result served
}

const (
	cursorVersion = 1
	cursorLen     = 1 + 5*8
)

func (c cursor) encode() string {
	var b [cursorLen]byte
	b[0] = cursorVersion
	binary.BigEndian.PutUint64(b[1:], c.digest)
	binary.BigEndian.PutUint64(b[9:], uint64(c.now.UnixNano()))
	binary.BigEndian.PutUint64(b[17:], math.Float64bits(c.last.score))
	binary.BigEndian.PutUint64(b[25:], math.Float64bits(c.last.dist))
	binary.BigEndian.PutUint64(b[33:], c.last.program)
	var out [56]byte
	base64.RawURLEncoding.Encode(out[:], b[:])
	return string(out[:base64.RawURLEncoding.EncodedLen(cursorLen)])
}

func decodeCursor(s string) (cursor, bool) {
	var b [cursorLen]byte
	if len(s) != base64.RawURLEncoding.EncodedLen(cursorLen) {
		return cursor{}, false
	}
	var in [56]byte
	n := copy(in[:], s)
	if m, err := base64.RawURLEncoding.Strict().Decode(b[:], in[:n]); err != nil || m != cursorLen || b[0] != cursorVersion {
		return cursor{}, false
	}
	c := cursor{
		set:    true,
		digest: binary.BigEndian.Uint64(b[1:]),
		now:    time.Unix(0, int64(binary.BigEndian.Uint64(b[9:]))),
		last: rankKey{
			score:   math.Float64frombits(binary.BigEndian.Uint64(b[17:])),
			dist:    math.Float64frombits(binary.BigEndian.Uint64(b[25:])),
			program: binary.BigEndian.Uint64(b[33:]),
		},
	}
	if math.IsNaN(c.last.score) || math.IsNaN(c.last.dist) {
		return cursor{}, false
	}
	return c, true
}
