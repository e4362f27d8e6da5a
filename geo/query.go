package geo

import (
	"cmp"
	"slices"
)

// Hit is one query result: an id and its great-circle distance in metres.
type Hit struct {
	ID    uint64
	DistM float64
}

// Filter accepts or rejects an id during a query; nil accepts all. It runs
// under the index's read lock: it must not call the Index, and should be
// quick.
type Filter func(id uint64) bool

// Query asks for up to Limit entries within RadiusM metres of Center that
// Filter accepts, nearest first.
type Query struct {
	Center  Point
	RadiusM float64
	Limit   int
	Filter  Filter
}

// Nearby appends to dst the Limit nearest entries within q.RadiusM of
// q.Center that q.Filter accepts, nearest first, ties broken by ascending
// id. A Filter that rejects most entries makes the search go on outward
// until Limit entries are accepted or the radius is exhausted. With a dst
// of sufficient capacity a grid-path query does not allocate.
func (ix *Index) Nearby(q Query, dst []Hit) ([]Hit, error) {
	if err := checkPoint(q.Center); err != nil {
		return dst, err
	}
	if err := checkRadius(q.RadiusM); err != nil {
		return dst, err
	}
	if err := checkLimit("limit", q.Limit); err != nil {
		return dst, err
	}
	return ix.nearest(q.Center, q.RadiusM, q.Limit, q.Filter, dst), nil
}

// KNN appends to dst the k nearest entries within maxRadiusM of center that
// f accepts (nil accepts all), nearest first, ties by id. Pass MaxRadiusM
// for no distance limit; 0 finds only entries exactly at center.
func (ix *Index) KNN(center Point, k int, maxRadiusM float64, f Filter, dst []Hit) ([]Hit, error) {
	if err := checkPoint(center); err != nil {
		return dst, err
	}
	if err := checkRadius(maxRadiusM); err != nil {
		return dst, err
	}
	if err := checkLimit("k", k); err != nil {
		return dst, err
	}
	return ix.nearest(center, maxRadiusM, k, f, dst), nil
}

// Walk calls fn for every entry within radiusM of center, nearest first
// (ties by id), until fn returns false. It expands outward ring by ring, so
// stopping early does not pay for the whole radius. fn runs under the
// index's read lock: it must not call the Index, and writers wait for Walk
// to return.
func (ix *Index) Walk(center Point, radiusM float64, fn func(Hit) bool) error {
	if err := checkPoint(center); err != nil {
		return err
	}
	if err := checkRadius(radiusM); err != nil {
		return err
	}
	if fn == nil {
		return invalid("fn", "must not be nil")
	}
	s := ix.getSearch(center, radiusM)
	s.fn = fn
	ix.run(s)
	ix.putSearch(s)
	return nil
}

func (ix *Index) nearest(center Point, radiusM float64, limit int, f Filter, dst []Hit) []Hit {
	s := ix.getSearch(center, radiusM)
	s.limit, s.filter = limit, f
	ix.run(s)
	// Heap-sort the max-heap in place: ascending by chord, then id.
	for n := len(s.best) - 1; n > 0; n-- {
		s.best[0], s.best[n] = s.best[n], s.best[0]
		downMax(s.best[:n])
	}
	start := len(dst)
	for _, c := range s.best {
		dst = append(dst, Hit{ID: c.id, DistM: chord2ToM(c.c2)})
	}
	// Two chords an ulp apart can map to the same metres, and equal metres
	// must come out by id: an insertion pass, linear on sorted input.
	hs := dst[start:]
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && cmpHit(hs[j-1], hs[j]) > 0; j-- {
			hs[j-1], hs[j] = hs[j], hs[j-1]
		}
	}
	ix.putSearch(s)
	return dst
}

func (ix *Index) getSearch(center Point, radiusM float64) *search {
	s := ix.pool.Get().(*search)
	s.c, s.cv = center, toVec(center)
	s.thetaMax = radiusM / EarthRadiusM
	s.c2max = radiusChord2(radiusM)
	s.grid = false
	return s
}

func (ix *Index) putSearch(s *search) {
	s.filter, s.fn, s.limit = nil, nil, 0
	s.best, s.pend = s.best[:0], s.pend[:0]
	ix.pool.Put(s)
}

// run searches under the read lock: first on the grid, then, if the grid
// walk gave up (budget, pole, width), on the R-tree of cells.
func (ix *Index) run(s *search) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if s.gridWalk(ix) {
		return
	}
	s.treeWalk(ix)
}

// search is the per-query state, pooled so that queries do not allocate.
// In Nearby mode (fn == nil) best is a max-heap of the limit best accepted
// candidates; in Walk mode pend is a min-heap of candidates not yet emitted.
type search struct {
	c        Point
	cv       vec
	thetaMax float64 // radius, radians
	c2max    float64 // radius, squared chord
	limit    int
	filter   Filter
	fn       func(Hit) bool
	best     []cand
	pend     []cand
	tie      []cand // Walk: a run of equal distances being emitted

	// The grid rectangle already visited: rows r0..r1, columns c0..c1
	// (unwrapped: may run past either end and is taken modulo nCols), and
	// a cursor per row (indexed from the centre row minus budget+2).
	grid           bool
	r0, r1, c0, c1 int
	cur            []rowCursor
	touch          uint64 // gridWalk's early reads, kept so they are not dropped
}

// visit offers every entry of a cell within the radius.
func (s *search) visit(es []entry) {
	cx, cy, cz, c2max := s.cv.x, s.cv.y, s.cv.z, s.c2max
	if s.fn != nil {
		for i := range es {
			e := &es[i]
			dx, dy, dz := e.v.x-cx, e.v.y-cy, e.v.z-cz
			if c2 := dx*dx + dy*dy + dz*dz; c2 <= c2max {
				s.pend = append(s.pend, cand{c2, e.id})
				upMin(s.pend)
			}
		}
		return
	}
	for i := range es {
		e := &es[i]
		dx, dy, dz := e.v.x-cx, e.v.y-cy, e.v.z-cz
		c2 := dx*dx + dy*dy + dz*dz
		if c2 > c2max {
			continue
		}
		cd := cand{c2, e.id}
		if len(s.best) == s.limit {
			if !worse(s.best[0], cd) {
				continue
			}
			if s.filter != nil && !s.filter(e.id) {
				continue
			}
			s.best[0] = cd
			downMax(s.best)
			continue
		}
		if s.filter != nil && !s.filter(e.id) {
			continue
		}
		s.best = append(s.best, cd)
		upMax(s.best)
	}
}

// flush is called when every entry with squared chord <= bound has been
// visited. Nearby mode: reports whether the best set is complete. Walk mode:
// emits the pending candidates up to bound and reports whether fn stopped.
func (s *search) flush(bound float64) bool {
	if s.fn == nil {
		return len(s.best) == s.limit && s.best[0].c2 <= bound
	}
	for len(s.pend) > 0 && s.pend[0].c2 <= bound {
		// Chords an ulp apart can give equal metres: emit such a run by id.
		d := chord2ToM(s.pend[0].c2)
		s.tie = s.tie[:0]
		for len(s.pend) > 0 && s.pend[0].c2 <= bound && chord2ToM(s.pend[0].c2) == d {
			s.tie = append(s.tie, s.pend[0])
			last := len(s.pend) - 1
			s.pend[0] = s.pend[last]
			s.pend = s.pend[:last]
			downMin(s.pend)
		}
		if len(s.tie) > 1 {
			slices.SortFunc(s.tie, func(a, b cand) int { return cmp.Compare(a.id, b.id) })
		}
		for _, c := range s.tie {
			if !s.fn(Hit{ID: c.id, DistM: d}) {
				return true
			}
		}
	}
	return false
}
