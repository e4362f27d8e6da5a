package geo

import "math"

// angleSlack absorbs rounding in the bounds: 1e-12 rad is 6 µm.
const angleSlack = 1e-12

// gridStepFrac is the grid walk's radius step as a share of a cell height.
const gridStepFrac = 0.5

// gridWalk expands a lat/lng rectangle of grid cells around the centre by
// half a cell height per step; after each step every entry nearer than the
// rectangle's edges (covered) is known, so candidates nearer than that are
// final. Each row of the rectangle keeps two cursors into its sorted
// occupied cells, placed at the centre's column when the row joins, so
// growing the rectangle visits only the new occupied cells. It reports
// whether the query is complete; false hands over to treeWalk, which skips
// the visited cells.
func (s *search) gridWalk(ix *Index) bool {
	if ix.rows == nil {
		return true
	}
	step := cellDeg * rad * gridStepFrac
	rho := min(s.thetaMax, step)
	budget := max(ix.GridBudget, 0)
	cosPhi := math.Cos(s.c.Lat * rad)
	centreRow := rowOf(s.c.Lat)
	centreCol := int(math.Floor((s.c.Lng + 180) * cellsPerDeg))
	half := min(budget, nRows) + 2 // each row in the rectangle costs a unit
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
		// Place the cursors of the new rows first, reading the first
		// entry of the cells either side of the centre column: the rows'
		// cache misses (row, directory, entries: a dependent chain each)
		// then overlap instead of one row waiting for the previous row's
		// scan. The cells either side are adjacent in the row's entries,
		// so the two reads usually share a cache line or its neighbour.
		var touch uint64
		for r := r0; r <= r1; r++ {
			if s.grid && r >= s.r0 && r <= s.r1 {
				continue
			}
			g := &ix.rows[r]
			if g.n() == 0 {
				continue
			}
			cur := &s.cur[r-base]
			cur.start(g, centreCol)
			// The first entry of the cell right of the centre column and
			// the last of the cell left of it (cells are never empty).
			touch += g.at(cur.next)[0].id
			left := g.at(cur.prev)
			touch += left[len(left)-1].id
		}
		s.touch = touch
		// Rows from the centre outward, and new rows from the centre
		// column outward: the nearest entries come first, so a Nearby heap
		// fills with good candidates and later ones rarely displace them.
		for d := 0; centreRow-d >= r0 || centreRow+d <= r1; d++ {
			if r := centreRow - d; r >= r0 {
				budget -= s.extendRow(ix, r, base, c0, c1)
			}
			if r := centreRow + d; d > 0 && r <= r1 {
				budget -= s.extendRow(ix, r, base, c0, c1)
			}
		}
		s.grid, s.r0, s.r1, s.c0, s.c1 = true, r0, r1, c0, c1
		cov := s.covered(cosPhi)
		if rho >= s.thetaMax || cov >= s.thetaMax {
			s.flush(s.c2max)
			return true
		}
		if s.flush(angleToChord2(max(0, cov-angleSlack))) {
			return true
		}
		if budget < 0 {
			return false
		}
		rho = min(s.thetaMax, max(rho, cov)+step)
	}
}

// extendRow visits row r's occupied cells out to columns c0..c1 from its
// cursor, s.cur[r-base], and returns how many it visited.
func (s *search) extendRow(ix *Index, r, base, c0, c1 int) int {
	g := &ix.rows[r]
	if len(g.dir) == 0 {
		return 0
	}
	cur := &s.cur[r-base]
	return s.right(g, cur, c1) + s.left(g, cur, c0)
}

// covered returns the angle from the centre to the nearest point outside
// the visited rectangle (rows r0..r1, columns c0..c1): the nearer of its
// parallels, by latitude difference, and of its meridians, whose nearest
// point lies at asin(cos φ · sin Δλ) (or at the pole past 90°). Every entry
// nearer than that has been visited. It is at least the radius rho the
// rectangle was sized for, and larger by up to a cell, since the rectangle
// is rounded out to whole cells: using it, a query can end a step earlier.
func (s *search) covered(cosPhi float64) float64 {
	latLo := float64(s.r0)*cellDeg - 90
	latHi := float64(s.r1+1)*cellDeg - 90
	cov := min(s.c.Lat-latLo, latHi-s.c.Lat) * rad
	lngLo := float64(s.c0)*cellDeg - 180
	lngHi := float64(s.c1+1)*cellDeg - 180
	// Past 90° the nearest point of a meridian is the pole, at asin(cos φ):
	// the walk gives up before its rectangle gets that wide, but keep the
	// bound right.
	dl := min(s.c.Lng-lngLo, lngHi-s.c.Lng, 90)
	return min(cov, math.Asin(min(cosPhi*math.Sin(dl*rad), 1)))
}

// rowCursor brackets the visited run of a row's occupied cells: positions
// prev and next (exclusive) count through the row's cells repeated around
// the globe, position p being cell p mod n at column dir[p mod n].col +
// (p div n)·nCols, so a run may cross the antimeridian.
type rowCursor struct{ prev, next int }

// at returns the entries of the cell at position p (see rowCursor).
func (g *gridRow) at(p int) []entry {
	n := g.n()
	return g.cell(((p % n) + n) % n)
}

func unwrappedCol(g *gridRow, p int) int {
	n := g.n()
	k := p / n
	if p%n < 0 {
		k--
	}
	return int(g.dir[p-k*n].col) + k*nCols
}

func (c *rowCursor) start(g *gridRow, c0 int) {
	n := g.n()
	k := c0 / nCols
	if c0%nCols < 0 {
		k--
	}
	i, _ := g.find(c0 - k*nCols)
	c.next = k*n + i
	c.prev = c.next - 1
}

// right visits the row's cells up to column c1 and returns how many.
func (s *search) right(g *gridRow, c *rowCursor, c1 int) int {
	n, v := g.n(), 0
	for c.next-c.prev-1 < n && unwrappedCol(g, c.next) <= c1 {
		s.visit(g.at(c.next))
		c.next++
		v++
	}
	return v
}

// left visits the row's cells down to column c0 and returns how many.
func (s *search) left(g *gridRow, c *rowCursor, c0 int) int {
	n, v := g.n(), 0
	for c.next-c.prev-1 < n && unwrappedCol(g, c.prev) >= c0 {
		s.visit(g.at(c.prev))
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
