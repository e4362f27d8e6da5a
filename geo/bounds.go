package geo

import "math"

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
	ix.eachInBounds(b, nil, &dst)
	return dst, nil
}

// eachInBounds finds every entry inside b: with ids set it appends their
// ids there, else it calls fn with each id and its exact point. The caller
// holds the read lock.
func (ix *Index) eachInBounds(b Bounds, fn func(uint64, Point), ids *[]uint64) {
	needPoint := ids == nil
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
				if inside && !needPoint {
					for _, e := range ix.cellAt(k) {
						*ids = append(*ids, e.id)
					}
					return true
				}
				// An edge cell: decide each entry from its unit vector
				// against the edges that cut the cell, and read the exact
				// point from the id table only when the vector is within
				// rounding of an edge.
				t := edgeTest{
					minLat: minLat < b.MinLat, maxLat: maxLat > b.MaxLat,
					lo: minLng < sp.lo, hi: maxLng > sp.hi,
				}
				t.sinMin, t.sinMax = math.Sin(b.MinLat*rad), math.Sin(b.MaxLat*rad)
				t.sinLo, t.cosLo = math.Sincos(sp.lo * rad)
				t.sinHi, t.cosHi = math.Sincos(sp.hi * rad)
				for _, e := range ix.cellAt(k) {
					in := 1
					if !inside {
						in = t.classify(e.v)
					}
					if in < 0 {
						continue
					}
					if in > 0 && !needPoint {
						*ids = append(*ids, e.id)
						continue
					}
					p := *ix.ids.At(e.id)
					if in == 0 && !(p.Lat >= b.MinLat && p.Lat <= b.MaxLat && lngIn(p.Lng, b)) {
						continue
					}
					if needPoint {
						fn(e.id, p)
					} else {
						*ids = append(*ids, e.id)
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

// edgeTest classifies a unit vector against the edges of a box that cut
// one cell: latitude by z = sin(lat), a longitude edge L by the sign of
// cos(L)·y - sin(L)·x = cos(lat)·sin(lng-L), which is exact in sign for
// points within a cell's width of L. Results within vecEps of an edge are
// "uncertain" (0), and the caller checks the stored point.
type edgeTest struct {
	minLat, maxLat, lo, hi bool
	sinMin, sinMax         float64
	sinLo, cosLo           float64
	sinHi, cosHi           float64
}

const vecEps = 1e-12

func (t *edgeTest) classify(v vec) int {
	var d [4]float64
	n := 0
	if t.minLat {
		d[n] = v.z - t.sinMin
		n++
	}
	if t.maxLat {
		d[n] = t.sinMax - v.z
		n++
	}
	if t.lo {
		d[n] = t.cosLo*v.y - t.sinLo*v.x
		n++
	}
	if t.hi {
		d[n] = t.sinHi*v.x - t.cosHi*v.y
		n++
	}
	res := 1
	for _, x := range d[:n] { // x > 0: on the inner side of that edge
		if x < -vecEps {
			return -1
		}
		if x <= vecEps {
			res = 0
		}
	}
	return res
}
