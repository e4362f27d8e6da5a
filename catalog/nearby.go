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
}

// NearbyPage is one page of nearby results.
type NearbyPage struct {
	Results    []NearbyResult
	NextCursor string // "" on the last page
}

// Nearby returns the best-ranked programs around the query point. It calls
// q.Validate itself.
func (c *Catalog) Nearby(ctx context.Context, q NearbyQuery) (NearbyPage, error) {
	if err := q.Validate(); err != nil {
		return NearbyPage{}, err
	}
	if err := ctx.Err(); err != nil {
		return NearbyPage{}, fmt.Errorf("catalog: nearby: %w", err)
	}
	sc := c.scratch.Get().(*scratch)
	defer c.putScratch(sc)
	now := c.now()
	if q.cur.set {
		now = q.cur.now
	}
	sc.begin(c, &q, now)

	c.mu.RLock()
	err := c.ix.Walk(geo.Point{Lat: q.Lat, Lng: q.Lng}, q.RadiusM, sc.visitFn)
	page := sc.page(&q)
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

// scratch is the reusable state of one nearby query.
type scratch struct {
	visitFn func(geo.Hit) bool // sc.visit, bound once

	c        *Catalog
	q        *NearbyQuery
	phone    ranking.Phone
	now      time.Time
	decay    float64 // popularity decay factor; -1: neutral
	maxAct   float64 // bound of any store's decayed activity; -1: neutral
	scanned  int
	stopDist float64 // walk may stop beyond this distance once top is full
	top      []entry // min-heap of the best k by rank: top[0] ranks last
	k        int
	seen     map[*progRec]struct{}
}

type entry struct {
	key   rankKey
	prog  *progRec
	store *storeRec
	ex    ranking.Explain
}

// maxSeenKept bounds the dedupe set a pooled scratch keeps between
// queries: clearing a map costs its capacity, not its length.
const maxSeenKept = 4096

func newScratch() *scratch {
	sc := &scratch{seen: make(map[*progRec]struct{}, 64)}
	sc.visitFn = sc.visit
	return sc
}

func (sc *scratch) begin(c *Catalog, q *NearbyQuery, now time.Time) {
	sc.c, sc.q = c, q
	sc.phone = q.phone()
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
}

func (sc *scratch) end() {
	sc.c, sc.q = nil, nil
	clear(sc.top[:cap(sc.top)]) // drop pointers
	if len(sc.seen) > maxSeenKept {
		sc.seen = make(map[*progRec]struct{}, 64)
	} else {
		clear(sc.seen)
	}
}

// visit handles one store of the walk, nearest first.
func (sc *scratch) visit(h geo.Hit) bool {
	if len(sc.top) == sc.k && h.DistM > sc.stopDist {
		// Nothing at this distance or farther can beat the page's worst.
		w := sc.c.weights
		if ranking.MaxScore(h.DistM, sc.maxAct, w) < sc.top[0].key.score {
			return false
		}
	}
	sc.scanned++
	if sc.scanned > sc.c.maxScan {
		return false
	}
	rec := sc.c.stores[h.ID]
	if rec == nil || len(rec.progs) == 0 {
		return true
	}
	q := sc.q
	openKnown, open := false, false
	for _, p := range rec.progs {
		if q.Category != "" && p.p.Category != q.Category {
			continue
		}
		if _, dup := sc.seen[p]; dup {
			continue
		}
		if ranking.Excluded(p.p.Targeting, sc.phone) {
			continue
		}
		if !openKnown {
			open = rec.sched.OpenAt(rec.loc, sc.now)
			openKnown = true
		}
		if q.OpenNow && !open {
			break // no program matches at a closed store
		}
		sc.seen[p] = struct{}{}
		act := -1.0
		if sc.decay >= 0 {
			act = rec.act.load() * sc.decay
		}
		score, ex := ranking.ScoreOpen(ranking.Candidate{
			DistanceM: h.DistM,
			Targeting: p.p.Targeting,
			Activity:  act,
		}, open, sc.phone, sc.c.weights)
		key := rankKey{score: score, dist: h.DistM, program: p.p.ID}
		if q.cur.set && !q.cur.last.before(key) {
			continue // served on an earlier page
		}
		sc.push(entry{key: key, prog: p, store: rec, ex: ex})
	}
	return true
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
	rest := ranking.MaxScore(math.Inf(1), sc.maxAct, w) // the bound without distance
	need := sc.top[0].key.score - rest
	switch {
	case need <= 0:
		sc.stopDist = math.Inf(1)
	case w.Distance == 0:
		sc.stopDist = 0
	case need >= w.Distance:
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

func (sc *scratch) down(i int) {
	n := len(sc.top)
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

// page sorts the heap into the served page. Called under the read lock.
func (sc *scratch) page(q *NearbyQuery) NearbyPage {
	slices.SortFunc(sc.top, func(a, b entry) int {
		if a.key.before(b.key) {
			return -1
		}
		if b.key.before(a.key) {
			return 1
		}
		return 0
	})
	n := min(len(sc.top), q.Limit)
	var page NearbyPage
	if n == 0 {
		return page
	}
	page.Results = make([]NearbyResult, n)
	for i, e := range sc.top[:n] {
		r := &page.Results[i]
		r.Program, r.Store = e.prog.p, e.store.s
		r.DistanceM, r.Score = e.key.dist, e.key.score
		if q.Explain {
			r.Explain = e.ex.Map()
		}
	}
	if len(sc.top) > q.Limit {
		page.NextCursor = cursor{digest: q.digest(), now: sc.now, last: sc.top[n-1].key}.encode()
	}
	return page
}
