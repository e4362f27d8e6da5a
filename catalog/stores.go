package catalog

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// StoresQuery is a store locator request: stores near a point, nearest
// first, whether or not a program lists them. Zero RadiusM and Limit mean
// the defaults of the contract.
type StoresQuery struct {
	Lat, Lng float64
	RadiusM  float64
	Limit    int
	Cursor   string
	// MerchantID, when not 0, keeps only that merchant's stores; AppID,
	// when set, only stores where a program of that app id is present.
	MerchantID uint64
	AppID      string
	Category   string // the store's category
	OpenNow    bool
	// Q, when set, keeps only stores whose name or tags, or a present
	// program's name, match it (see Match).
	Q string

	cur  storeCursor
	text *Text // compiled Q
}

// StoreResult is one store of the locator.
type StoreResult struct {
	Store     *nearby.Store
	DistanceM float64
	Open      bool              // open now in its zone (unknown hours: open)
	Programs  []*nearby.Program // present at the store, by program id
	// Relevance is how well Q matched, in (0, 1]; 0 without Q.
	Relevance float64
}

// StoresPage is one page of the locator.
type StoresPage struct {
	Results    []StoreResult
	NextCursor string // "" on the last page
}

// Validate fills the defaults and reports every bad parameter as an
// EINVALID *nearby.Error naming lat, lng, radius_m, limit, cursor,
// category, app_id or q.
func (q *StoresQuery) Validate() error {
	var p nearby.Problems
	checkCircle(&p, q.Lat, q.Lng, &q.RadiusM, &q.Limit, q.Category)
	q.text = checkSearch(&p, q.AppID, q.Q)
	q.cur = storeCursor{}
	if q.Cursor != "" && len(p.Fields) == 0 {
		cur, ok := decodeStoreCursor(q.Cursor)
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

func (q *StoresQuery) digest() uint64 {
	var h fnv
	h.float(q.Lat)
	h.float(q.Lng)
	h.float(q.RadiusM)
	h.u64(q.MerchantID)
	h.str(q.AppID)
	h.str(q.Category)
	h.bool(q.OpenNow)
	h.str(q.Q)
	return h.sum()
}

// StoresNearby returns the stores around the query point nearest first
// (ties by id), filtered, with the programs present at each. It walks the
// geo index outward and stops once the page is full, so a filter that
// most stores pass costs about the page; one that few pass reads up to
// Options.MaxScan stores. It calls q.Validate itself.
func (c *Catalog) StoresNearby(ctx context.Context, q StoresQuery) (StoresPage, error) {
	if err := q.Validate(); err != nil {
		return StoresPage{}, err
	}
	if err := ctx.Err(); err != nil {
		return StoresPage{}, fmt.Errorf("catalog: stores nearby: %w", err)
	}
	now := c.now()
	out := make([]StoreResult, 0, q.Limit+1)
	scanned := 0
	c.mu.RLock()
	defer c.mu.RUnlock()
	visit := func(h geo.Hit) bool {
		if scanned++; scanned > c.maxScan {
			return false
		}
		if q.cur.set && !q.cur.before(h) {
			return true // served on an earlier page
		}
		rec := c.stores.At(h.ID)
		if rec == nil || rec.rec == 0 || !c.keeps(&q, rec) {
			return true
		}
		rel := 0.0
		if q.text != nil {
			if rel = c.storeRelevance(q.text, rec); rel == 0 {
				return true
			}
		}
		open := c.in.hours.at(rec.hours).sched.OpenAt(c.in.zones.at(rec.zone).loc, now)
		if q.OpenNow && !open {
			return true
		}
		hots := c.progs(rec)
		progs := make([]*nearby.Program, 0, len(hots))
		for _, ph := range hots {
			if p := c.programs.Get(ph.id); p != nil {
				progs = append(progs, c.progSnap(ph.id, p))
			}
		}
		out = append(out, StoreResult{Store: c.storeSnap(h.ID, rec), DistanceM: h.DistM, Open: open, Programs: progs, Relevance: rel})
		return len(out) <= q.Limit
	}
	center := geo.Point{Lat: q.Lat, Lng: q.Lng}
	var err error
	if hits, ok := c.textHits(q.text, center, q.RadiusM, nil, new([]uint64), q.Limit+1); ok {
		for _, h := range hits {
			if !visit(h) {
				break
			}
		}
	} else {
		err = c.ix.Walk(center, q.RadiusM, visit)
	}
	if err != nil {
		return StoresPage{}, fmt.Errorf("catalog: stores nearby: %w", err)
	}
	var page StoresPage
	if len(out) > q.Limit {
		last := out[q.Limit-1]
		out = out[:q.Limit]
		page.NextCursor = storeCursor{digest: q.digest(), dist: last.DistanceM, id: last.Store.ID}.encode()
	}
	page.Results = out
	return page, nil
}

// keeps applies q's merchant, category and app id filters; under the read
// lock.
func (c *Catalog) keeps(q *StoresQuery, rec *storeRec) bool {
	if q.MerchantID != 0 && rec.merchant != q.MerchantID {
		return false
	}
	if q.Category != "" && c.in.cats.at(rec.cat) != q.Category {
		return false
	}
	if q.AppID != "" {
		for _, ph := range c.progs(rec) {
			if programAppID(c.arena.get(ph.rec)) == q.AppID {
				return true
			}
		}
		return false
	}
	return true
}

// storeRelevance is the best match of t in the store's name and tags or
// in the name of a program present; under the read lock.
func (c *Catalog) storeRelevance(t *Text, rec *storeRec) float64 {
	st := storeText(c.arena.get(rec.rec))
	best := t.Match(&st)
	for _, ph := range c.progs(rec) {
		pt := programText(c.arena.get(ph.rec))
		best = max(best, relevance(t, &pt, &st))
	}
	return best
}

// storeCursor is the decoded locator cursor: the last store served.
type storeCursor struct {
	set    bool
	digest uint64
	dist   float64
	id     uint64
}

// before reports whether the last served store comes before h in the
// walk's order (distance, then id).
func (c storeCursor) before(h geo.Hit) bool {
	return c.dist < h.DistM || (c.dist == h.DistM && c.id < h.ID)
}

const (
	storeCursorVersion = 2
	storeCursorLen     = 1 + 3*8
)

func (c storeCursor) encode() string {
	var b [storeCursorLen]byte
	b[0] = storeCursorVersion
	binary.BigEndian.PutUint64(b[1:], c.digest)
	binary.BigEndian.PutUint64(b[9:], math.Float64bits(c.dist))
	binary.BigEndian.PutUint64(b[17:], c.id)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func decodeStoreCursor(s string) (storeCursor, bool) {
	if len(s) != base64.RawURLEncoding.EncodedLen(storeCursorLen) {
		return storeCursor{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != storeCursorLen || b[0] != storeCursorVersion {
		return storeCursor{}, false
	}
	c := storeCursor{
		set:    true,
		digest: binary.BigEndian.Uint64(b[1:]),
		dist:   math.Float64frombits(binary.BigEndian.Uint64(b[9:])),
		id:     binary.BigEndian.Uint64(b[17:]),
	}
	if math.IsNaN(c.dist) {
		return storeCursor{}, false
	}
	return c, true
}

// fnv is the FNV-1a hash of the cursor digests.
type fnv uint64

func (h *fnv) u64(v uint64) {
	if *h == 0 {
		*h = 14695981039346656037
	}
	for i := 0; i < 8; i++ {
		*h ^= fnv(v & 0xff)
		*h *= 1099511628211
		v >>= 8
	}
}

func (h *fnv) float(f float64) { h.u64(math.Float64bits(f)) }

func (h *fnv) bool(b bool) {
	if b {
		h.u64(1)
	} else {
		h.u64(0)
	}
}

func (h *fnv) str(s string) {
	h.u64(uint64(len(s)))
	for i := 0; i < len(s); i++ {
		*h ^= fnv(s[i])
		*h *= 1099511628211
	}
}

func (h *fnv) sum() uint64 { return uint64(*h) }
