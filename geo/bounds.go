package geo

// InBounds appends to dst the ids of entries inside b (edges included), in
// no particular order. A box with MinLng > MaxLng crosses the antimeridian.
// It searches the R-tree of occupied cells: cells wholly inside b are
// taken without per-entry checks, edge cells are checked against the exact
// stored points.
func (ix *Index) InBounds(b Bounds, dst []uint64) ([]uint64, error) {
	if err := checkBounds(b); err != nil {
		return dst, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.eachInBounds(b, func(id uint64, _ Point) { dst = append(dst, id) }, false)
	return dst, nil
}

// eachInBounds calls fn for every entry inside b, with its point when
// needPoint is set (or when the entry's cell straddles b's edge). The caller
// holds the read lock.
func (ix *Index) eachInBounds(b Bounds, fn func(uint64, Point), needPoint bool) {
	type span struct{ lo, hi float64 }
	var spans [3]span
	n := 0
	if b.MinLng <= b.MaxLng {
		spans[n] = span{b.MinLng, b.MaxLng}
		n++
	} else {
		spans[n], spans[n+1] = span{b.MinLng, 180}, span{-180, b.MaxLng}
		n += 2
	}
	// Column 0 holds both -180 and 180: a box reaching 180 must look there.
	if b.MaxLng == 180 && b.MinLng > -180 && b.MinLng <= b.MaxLng {
		spans[n] = span{-180, -180}
		n++
	}
	for i, sp := range spans[:n] {
		ix.tree.Search([2]float64{b.MinLat, sp.lo}, [2]float64{b.MaxLat, sp.hi},
			func(lo, hi [2]float64, k uint64) bool {
				minLat, minLng, maxLat, maxLng := lo[0], lo[1], hi[0], hi[1]
				for _, prev := range spans[:i] {
					if minLng <= prev.hi && maxLng >= prev.lo {
						return true // an earlier span visited this cell
					}
				}
				inside := minLat >= b.MinLat && maxLat <= b.MaxLat &&
					minLng >= sp.lo && maxLng <= sp.hi
				for _, e := range ix.cellAt(k) {
					if inside && !needPoint {
						fn(e.id, Point{})
						continue
					}
					p := ix.ids[e.id]
					if inside || (p.Lat >= b.MinLat && p.Lat <= b.MaxLat && lngIn(p.Lng, b)) {
						fn(e.id, p)
					}
				}
				return true
			})
	}
}

// lngIn reports whether lng lies in b's longitude range, treating 180 and
// -180 as the same meridian.
func lngIn(lng float64, b Bounds) bool {
	in := func(x float64) bool {
		if b.MinLng <= b.MaxLng {
			return x >= b.MinLng && x <= b.MaxLng
		}
		return x >= b.MinLng || x <= b.MaxLng
	}
	if in(lng) {
		return true
	}
	switch lng {
	case 180:
		return in(-180)
	case -180:
		return in(180)
	}
	return false
}
