package geo

import (
	"cmp"
	"math"
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
	s.grid, s.stopped = false, false
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

// cand is a candidate hit ranked by squared chord, then id.
type cand struct {
	c2 float64
	id uint64
}

func cmpCand(a, b cand) int {
	switch {
	case a.c2 < b.c2:
		return -1
	case a.c2 > b.c2:
		return 1
	case a.id < b.id:
		return -1
	case a.id > b.id:
		return 1
	}
	return 0
}

func cmpHit(a, b Hit) int {
	switch {
	case a.DistM < b.DistM:
		return -1
	case a.DistM > b.DistM:
		return 1
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func worse(a, b cand) bool { return a.c2 > b.c2 || (a.c2 == b.c2 && a.id > b.id) }

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
	stopped  bool

	// The grid rectangle already visited: rows r0..r1, columns c0..c1
	// (unwrapped: may run past either end and is taken modulo nCols), and
	// a cursor per row (indexed from the centre row minus budget+2).
	grid           bool
	r0, r1, c0, c1 int
	cur            []rowCursor
}

// angleSlack absorbs rounding in the bounds: 1e-12 rad is 6 µm.
const angleSlack = 1e-12

// gridStepFrac is the grid walk's radius step as a share of a cell height.
const gridStepFrac = 0.5

// gridWalk expands a lat/lng rectangle of grid cells around the centre by
// half a cell height per step; after each step every entry within rho is
// known, so candidates nearer than rho are final. Each row of the rectangle
// keeps two cursors into its sorted occupied cells, so growing the
// rectangle visits only the new occupied cells. It reports whether the query
// is complete; false hands over to treeWalk, which skips the visited cells.
func (s *search) gridWalk(ix *Index) bool {
	if ix.rows == nil {
		return true
	}
	step := cellDeg * rad * gridStepFrac
	rho := min(s.thetaMax, step)
	budget := ix.GridBudget
	cosPhi := math.Cos(s.c.Lat * rad)
	centreRow := rowOf(s.c.Lat)
	half := budget + 2
	if need := 2*half + 1; cap(s.cur) < need {
		s.cur = make([]rowCursor, need)
	}
	s.cur = s.cur[:2*half+1]
	base := centreRow - half
	for {
		dLat := rho/rad + 1e-9
		latLo, latHi := s.c.Lat-dLat, s.c.Lat+dLat
		sinR := math.Sin(rho)
		if latLo <= -89.9 || latHi >= 89.9 || sinR >= cosPhi*0.99 {
			return false // near a pole: the rectangle degenerates
		}
		dLng := math.Asin(sinR/cosPhi)/rad*(1+1e-9) + 1e-9
		r0, r1 := rowOf(latLo), rowOf(latHi)
		c0 := int(math.Floor((s.c.Lng - dLng + 180) * cellsPerDeg))
		c1 := int(math.Floor((s.c.Lng + dLng + 180) * cellsPerDeg))
		if c1-c0+1 >= nCols || r0 < base || r1 >= base+len(s.cur) {
			return false
		}
		budget -= r1 - r0 + 1 // a unit per row per step, empty or not
		for r := r0; r <= r1; r++ {
			g := &ix.rows[r]
			if len(g.cols) == 0 {
				continue
			}
			cur := &s.cur[r-base]
			if !s.grid || r < s.r0 || r > s.r1 {
				cur.start(g, c0)
			} else {
				budget -= s.left(g, cur, c0)
			}
			budget -= s.right(g, cur, c1)
		}
		s.grid, s.r0, s.r1, s.c0, s.c1 = true, r0, r1, c0, c1
		if rho >= s.thetaMax {
			s.flush(s.c2max)
			return true
		}
		if s.flush(angleToChord2(max(0, rho-angleSlack))) {
			return true
		}
		if budget < 0 {
			return false
		}
		rho = min(s.thetaMax, rho+step)
	}
}

// rowCursor brackets the visited run of a row's occupied cells: positions
// prev and next (exclusive) count through the row's cells repeated around
// the globe, position p being cell p mod n at column cols[p mod n] + (p div
// n)·nCols, so a run may cross the antimeridian.
type rowCursor struct{ prev, next int }

func unwrappedCol(g *gridRow, p int) int {
	n := len(g.cols)
	k := p / n
	if p%n < 0 {
		k--
	}
	return int(g.cols[p-k*n]) + k*nCols
}

func (c *rowCursor) start(g *gridRow, c0 int) {
	n := len(g.cols)
	k := c0 / nCols
	if c0%nCols < 0 {
		k--
	}
	i, _ := slices.BinarySearch(g.cols, int32(c0-k*nCols))
	c.next = k*n + i
	c.prev = c.next - 1
}

// right visits the row's cells up to column c1 and returns how many.
func (s *search) right(g *gridRow, c *rowCursor, c1 int) int {
	n, v := len(g.cols), 0
	for c.next-c.prev-1 < n && unwrappedCol(g, c.next) <= c1 {
		s.visit(g.cells[((c.next%n)+n)%n])
		c.next++
		v++
	}
	return v
}

// left visits the row's cells down to column c0 and returns how many.
func (s *search) left(g *gridRow, c *rowCursor, c0 int) int {
	n, v := len(g.cols), 0
	for c.next-c.prev-1 < n && unwrappedCol(g, c.prev) >= c0 {
		s.visit(g.cells[((c.prev%n)+n)%n])
		c.prev--
		v++
	}
	return v
}

func (s *search) visited(k uint64) bool {
	row, col := int(k>>32), int(uint32(k))
	if !s.grid || row < s.r0 || row > s.r1 {
		return false
	}
	off := ((col-s.c0)%nCols + nCols) % nCols
	return off <= s.c1-s.c0
}

// treeWalk visits occupied cells in order of their exact minimum distance
// from the centre (the R-tree's best-first walk, with a great-circle
// point-to-box distance for nodes and cells).
func (s *search) treeWalk(ix *Index) {
	done := false
	ix.tree.Nearby(func(lo, hi [2]float64, _ uint64, _ bool) float64 {
		return boxMinAngle(s.c, lo[0], lo[1], hi[0], hi[1])
	}, func(_, _ [2]float64, k uint64, dist float64) bool {
		if dist > s.thetaMax+angleSlack {
			return false
		}
		if s.visited(k) {
			return true
		}
		if s.flush(angleToChord2(max(0, dist-angleSlack))) {
			done = true
			return false
		}
		s.visit(ix.cellAt(k))
		return true
	})
	if !done {
		s.flush(s.c2max)
	}
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
				s.stopped = true
				return true
			}
		}
	}
	return false
}

func upMax(h []cand) {
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !worse(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func downMax(h []cand) {
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(h[r], h[l]) {
			m = r
		}
		if !worse(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func upMin(h []cand) {
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !worse(h[p], h[i]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func downMin(h []cand) {
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(h[l], h[r]) {
			m = r
		}
		if !worse(h[i], h[m]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
