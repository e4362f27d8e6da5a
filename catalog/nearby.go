package catalog

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/ranking"
)

// NearbyResult is one program at its nearest matching store.
type NearbyResult struct {
	Program   *nearby.Program
	Store     *nearby.Store
	DistanceM float64
	Score     float64
	Explain   map[string]float64 // nil unless requested; values add up to Score

	// ProgramBrief and StoreBrief are Options.Renderer's renderings of
	// Program and Store, "" without a renderer; with a BriefTemplater in
	// its compact form, which AppendBrief writes out.
	ProgramBrief, StoreBrief string
}

// NearbyPage is one page of nearby results.
type NearbyPage struct {
	Results    []NearbyResult
	NextCursor string // "" on the last page
}

// Nearby returns the best-ranked programs around the query point. It calls
// q.Validate itself.
func (c *Catalog) Nearby(ctx context.Context, q NearbyQuery) (NearbyPage, error) {
	return c.NearbyInto(ctx, q, nil)
}

// NearbyInto is Nearby with the page's results appended to dst[:0], so
// that a caller serving many queries reuses one slice instead of
// allocating a page each time (the phone hot path: the garbage collector's
// work grows with every allocation). The results, as Nearby's, point to
// shared snapshots; the caller must not keep them once it reuses dst.
func (c *Catalog) NearbyInto(ctx context.Context, q NearbyQuery, dst []NearbyResult) (NearbyPage, error) {
	if err := q.Validate(); err != nil {
		return NearbyPage{}, err
	}
	if err := ctx.Err(); err != nil {
		return NearbyPage{}, fmt.Errorf("catalog: nearby: %w", err)
	}
	now := c.now()
	if q.cur.set {
		// Pages are ranked at the first page's time. A cursor is not signed,
		// so its time is bounded: a forged one far from now must not decay
		// popularity to infinity.
		if age := now.Sub(q.cur.now); age > c.cursorTTL || age < -time.Minute {
			return NearbyPage{}, nearby.Invalid("cursor", "has expired: ask again without it")
		}
		now = q.cur.now
	}
	sc := c.scratch.Get().(*scratch)
	defer c.putScratch(sc)
	c.mu.RLock()
	sc.begin(c, &q, now)
	center := geo.Point{Lat: q.Lat, Lng: q.Lng}
	var err error
	if hits, ok := c.textHits(q.text, center, q.RadiusM, sc.hits[:0], &sc.keys, sc.k+firstExtra); ok {
		sc.hits = hits
		sc.prefetch(hits)
		for _, h := range hits {
			if !sc.visit(h) {
				break
			}
		}
	} else {
		err = sc.search(center, q.RadiusM)
	}
	page := sc.page(&q, dst)
	c.mu.RUnlock()
	if err != nil {
		return NearbyPage{}, fmt.Errorf("catalog: nearby: %w", err)
	}
	return page, nil
}

func (c *Catalog) putScratch(sc *scratch) {
	sc.end()
	c.scratch.Put(sc)
}

// The first index query fetches the page size (plus one, to know about a
// next page) and firstExtra more nearest stores: when the other factors do
// not vary much, the page settles within them. Each further round fetches
// batchGrowth times more.
const (
	firstExtra  = 4
	batchGrowth = 4
)

// search feeds visit the stores within radiusM nearest first until visit
// stops. geo's k-nearest query is cheaper than its streaming walk, so it
// asks for the k nearest with k growing, visits only the new ones each
// round (both orders are by distance, then id), and past geo.MaxLimit
// streams the rest with Walk.
func (sc *scratch) search(center geo.Point, radiusM float64) error {
	ix := sc.c.ix
	k := sc.k + firstExtra
	done := 0
	for {
		hits, err := ix.Nearby(geo.Query{Center: center, RadiusM: radiusM, Limit: k}, sc.hits[:0])
		sc.hits = hits
		if err != nil {
			return err
		}
		sc.prefetch(hits[done:])
		for _, h := range hits[done:] {
			if !sc.visit(h) {
				return nil
			}
		}
		if len(hits) < k {
			return nil // the radius is exhausted
		}
		// Every store not yet read is at least as far as the last one: when
		// nothing there can enter the page, the search is over without
		// asking for more.
		if last := hits[len(hits)-1]; sc.full(last.DistM) {
			return nil
		}
		done = len(hits)
		if k == geo.MaxLimit {
			sc.skip = done
			return ix.Walk(center, radiusM, sc.walkFn)
		}
		k = min(k*batchGrowth, geo.MaxLimit)
	}
}

// prefetch touches the records of a batch of hits before visit reads
// them one by one. At a million stores every record is a cache miss; these
// loads do not depend on each other, so the processor overlaps them here,
// while in visit each one would stall in turn.
func (sc *scratch) prefetch(hits []geo.Hit) {
	stores := &sc.c.stores
	n := 0
	for _, h := range hits {
		if rec := stores.At(h.ID); rec != nil {
			n += int(rec.one.cat)
		}
	}
	sc.sink += n
}

// walkVisit is visit for the stores Walk streams after the first skip.
func (sc *scratch) walkVisit(h geo.Hit) bool {
	if sc.skip > 0 {
		sc.skip--
		return true
	}
	return sc.visit(h)
}

// scratch is the reusable state of one nearby query.
type scratch struct {
	walkFn func(geo.Hit) bool // sc.walkVisit, bound once
	hits   []geo.Hit
	keys   []uint64 // sortHits's
	refs   []ref    // the page's records, see page
	skip   int
	sink   int // keeps prefetch's loads

	c        *Catalog
	q        NearbyQuery
	phone    ranking.Phone
	now      time.Time
	decay    float64 // popularity decay factor; -1: neutral
	maxAct   float64 // bound of any store's decayed activity; -1: neutral
	maxFit   float64 // bound of any program's fit for the phone (ranking.MaxFitFactor)
	scanned  int
	stopDist float64 // walk may stop beyond this distance once top is full
	top      []entry // min-heap of the best k by rank: top[0] ranks last
	k        int
	exs      []ranking.Explain // breakdowns of the entries, when explaining
	cat      uint32            // interned category filter; 0: any
	seen     idSet             // chain programs already ranked
	filter   bool              // app id, merchant or text filter set
	relBound float64           // what relevance may add to a score
}

type entry struct {
	key   rankKey // key.program is the program
	store uint64
	prec  ref   // the program's record
	ex    int32 // index in scratch.exs when explaining
}

// noCategory matches no program: the filter names a category no program has.
const noCategory = ^uint32(0)

func newScratch() *scratch {
	sc := &scratch{}
	sc.walkFn = sc.walkVisit
	return sc
}

func (sc *scratch) begin(c *Catalog, q *NearbyQuery, now time.Time) {
	sc.c, sc.q = c, *q // a copy: a pointer kept in the pooled scratch would move q to the heap
	sc.phone = q.phone()
	sc.maxFit = ranking.MaxFitFactor(sc.phone)
	sc.now = now
	sc.decay = c.pop.decay(now)
	sc.maxAct = -1
	if sc.decay >= 0 {
		sc.maxAct = c.pop.max.load() * sc.decay
	}
	sc.scanned = 0
	sc.stopDist = math.Inf(1)
	sc.k = q.Limit + 1 // one more tells whether a next page exists
	sc.top = sc.top[:0]
	sc.exs = sc.exs[:0]
	sc.filter = q.AppID != "" || q.MerchantID != 0 || q.text != nil
	sc.relBound = 0
	if q.text != nil {
		sc.relBound = c.weights.Relevance
	}
	sc.cat = 0
	if q.Category != "" {
		n, ok := c.in.cats.idx[q.Category] // under the read lock, see Nearby
		if !ok {
			n = noCategory
		}
		sc.cat = n
	}
}

func (sc *scratch) end() {
	sc.c, sc.q = nil, NearbyQuery{}
	clear(sc.top[:cap(sc.top)]) // drop pointers
	if cap(sc.exs) > 4096 {
		sc.exs = nil // an explained walk over a huge radius: do not keep it
	}
	sc.seen.reset()
}

// visit handles one store of the walk, nearest first.
func (sc *scratch) visit(h geo.Hit) bool {
	if sc.full(h.DistM) {
		return false
	}
	sc.scanned++
	if sc.scanned > sc.c.maxScan {
		return false
	}
	c := sc.c
	rec := c.stores.At(h.ID)
	if rec == nil {
		return true
	}
	q := &sc.q
	openKnown, open := false, false
	progs := c.progs(rec)
	for i := range progs {
		p := &progs[i]
		if sc.cat != 0 && p.cat != sc.cat {
			continue
		}
		if p.chain() && sc.seen.has(p.id) {
			continue
		}
		t := c.in.targs.at(p.targ())
		if t != nil && ranking.Excluded(t, sc.phone) {
			continue
		}
		rel := 0.0
		if sc.filter {
			if rel = sc.keep(p, rec); rel < 0 {
				continue
			}
		}
		if !openKnown {
			open = c.in.hours.at(rec.hours).sched.OpenAt(c.in.zones.at(rec.zone).loc, sc.now)
			openKnown = true
		}
		if q.OpenNow && !open {
			break // no program matches at a closed store
		}
		if p.chain() {
			sc.seen.add(p.id)
		}
		act := -1.0
		if sc.decay >= 0 {
			act = rec.act.load() * sc.decay
		}
		score, ex := ranking.ScoreOpen(ranking.Candidate{
			DistanceM: h.DistM,
			Targeting: t,
			Activity:  act,
			Relevance: rel,
		}, open, sc.phone, sc.c.weights)
		key := rankKey{score: score, dist: h.DistM, program: p.id}
		if q.cur.set && !q.cur.last.before(key) {
			continue // served on an earlier page
		}
		e := entry{key: key, store: h.ID, prec: p.rec, ex: -1}
		if q.Explain {
			e.ex = int32(len(sc.exs))
			sc.exs = append(sc.exs, ex)
		}
		sc.push(e)
	}
	return true
}

// keep applies the app id, merchant and text filters to program p at store
// rec: -1 when they reject it, else the text relevance (0 without q).
func (sc *scratch) keep(p *progHot, rec *storeRec) float64 {
	q := &sc.q
	c := sc.c
	if q.MerchantID != 0 {
		if pr := c.programs.At(p.id); pr == nil || pr.merchant != q.MerchantID {
			return -1
		}
	}
	prec := c.arena.get(p.rec) // the entry names the program's record: no row to read
	if q.AppID != "" && programAppID(prec) != q.AppID {
		return -1
	}
	if q.text == nil {
		return 0
	}
	ptext, stext := programText(prec), storeText(c.arena.get(rec.rec))
	if rel := relevance(q.text, &ptext, &stext); rel > 0 {
		return rel
	}
	return -1
}

// full reports whether the page is settled: it holds k entries and nothing
// at distance d or farther can beat the worst of them.
func (sc *scratch) full(d float64) bool {
	return len(sc.top) == sc.k && d > sc.stopDist &&
		ranking.MaxScore(d, sc.maxAct, sc.maxFit, sc.c.weights)+sc.relBound < sc.top[0].key.score
}

// push keeps the k best entries in a heap whose root ranks last.
func (sc *scratch) push(e entry) {
	if len(sc.top) < sc.k {
		sc.top = append(sc.top, e)
		sc.up(len(sc.top) - 1)
		if len(sc.top) == sc.k {
			sc.updateStop()
		}
		return
	}
	if !e.key.before(sc.top[0].key) {
		return
	}
	sc.top[0] = e
	sc.down(0)
	sc.updateStop()
}

// updateStop sets the distance beyond which MaxScore falls below the
// page's worst score, so that visit checks the exact bound only there.
func (sc *scratch) updateStop() {
	w := sc.c.weights
	rest := ranking.MaxScore(math.Inf(1), sc.maxAct, sc.maxFit, w) + sc.relBound // the bound without distance
	need := sc.top[0].key.score - rest
	switch {
	case need <= 0:
		sc.stopDist = math.Inf(1)
	case need >= w.Distance: // also a zero distance weight
		sc.stopDist = 0
	default:
		sc.stopDist = -w.HalfDistanceM * math.Log2(need/w.Distance)
	}
}

func (sc *scratch) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !sc.top[parent].key.before(sc.top[i].key) {
			return
		}
		sc.top[parent], sc.top[i] = sc.top[i], sc.top[parent]
		i = parent
	}
}

func (sc *scratch) down(i int) { sc.downN(i, len(sc.top)) }

// downN sifts entry i down within the first n entries.
func (sc *scratch) downN(i, n int) {
	for {
		worst := i
		l, r := 2*i+1, 2*i+2
		if l < n && sc.top[worst].key.before(sc.top[l].key) {
			worst = l
		}
		if r < n && sc.top[worst].key.before(sc.top[r].key) {
			worst = r
		}
		if worst == i {
			return
		}
		sc.top[i], sc.top[worst] = sc.top[worst], sc.top[i]
		i = worst
	}
}

// page sorts the heap into the served page, its results appended to
// dst[:0] (nil: a new slice). Called under the read lock.
func (sc *scratch) page(q *NearbyQuery, dst []NearbyResult) NearbyPage {
	// Heapsort in place: the root ranks last, so moving it to the end
	// each time leaves the best first. The entries are already a heap.
	for end := len(sc.top) - 1; end > 0; end-- {
		sc.top[0], sc.top[end] = sc.top[end], sc.top[0]
		sc.downN(0, end)
	}
	n := min(len(sc.top), q.Limit)
	var page NearbyPage
	if n == 0 {
		return page
	}
	page.Results = slices.Grow(dst[:0], n)[:n]
	c := sc.c
	// Each arena record is a cache miss at a million stores. Loaded in a
	// loop of independent loads (the first lines of every record) the
	// misses overlap instead of stalling the decoding one after another.
	// (The store rows were read by visit and are still cached.)
	refs := sc.refs[:0]
	for _, e := range sc.top[:n] {
		refs = append(refs, e.prec, c.stores.At(e.store).rec)
	}
	sc.refs = refs
	for _, r := range refs {
		sc.sink += c.arena.touch(r)
	}
	for i, e := range sc.top[:n] {
		r := &page.Results[i]
		r.ProgramBrief, r.StoreBrief = recBrief(c.arena.get(refs[2*i])), recBrief(c.arena.get(refs[2*i+1]))
		r.Program, r.Store = nil, nil
		if !q.BriefsOnly || c.renderer == nil {
			r.Program = c.progSnap(e.key.program, c.programs.At(e.key.program))
			r.Store = c.storeSnap(e.store, c.stores.At(e.store))
		}
		r.DistanceM, r.Score = e.key.dist, e.key.score
		r.Explain = nil
		if e.ex >= 0 {
			r.Explain = sc.exs[e.ex].Map()
		}
	}
	sc.sink += warm(page.Results)
	if len(sc.top) > q.Limit {
		page.NextCursor = cursor{digest: q.digest(), now: sc.now, last: sc.top[n-1].key}.encode()
	}
	return page
}

// warm touches what an encoder of the page reads next: the briefs, or
// without them the program and store snapshots and then the bytes of their
// strings. Each is a cache miss at a million stores; touched together here
// the misses overlap instead of stalling the encoder one after the other.
// It returns a value to keep the loads.
func warm(rs []NearbyResult) int {
	lines := func(s string) int { // a byte of each cache line s may span
		m := 0
		for i := 0; i < len(s); i += 64 {
			m += int(s[i])
		}
		if len(s) > 0 {
			m += int(s[len(s)-1])
		}
		return m
	}
	first := func(s string) int {
		if s == "" {
			return 0
		}
		return int(s[0])
	}
	n := 0
	for i := range rs {
		r := &rs[i]
		if r.ProgramBrief != "" {
			n += lines(r.ProgramBrief)
		} else if p := r.Program; p != nil {
			n += first(p.AppID) + first(p.Name) + first(p.Category) + first(p.IconURL)
		}
		if r.StoreBrief != "" {
			n += lines(r.StoreBrief)
		} else if s := r.Store; s != nil {
			n += first(s.Name) + first(s.Address)
		}
	}
	return n
}
