package geo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// mustNew returns an empty index whose invariants are checked when the test
// ends: R-tree count = grid cell count, cell entries = id count, and every
// entry sits in the cell of its stored point with that point's vector.
func mustNew(tb testing.TB) *Index {
	tb.Helper()
	ix := New()
	tb.Cleanup(func() { mustCheck(tb, ix) })
	return ix
}

func mustCheck(tb testing.TB, ix *Index) {
	tb.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	cells := map[uint64][]entry{}
	for r := range ix.rows {
		g := &ix.rows[r]
		if len(g.dir) == 0 {
			if len(g.ents) != 0 {
				tb.Errorf("row %d: no cells but %d entries", r, len(g.ents))
			}
			continue
		}
		n := g.n()
		if end := g.dir[n]; n == 0 || end.col != dirEnd || int(end.off) != len(g.ents) || g.dir[0].off != 0 {
			tb.Errorf("row %d: %d cells, first offset %d, sentinel %+v, %d entries", r, n, g.dir[0].off, end, len(g.ents))
			continue
		}
		for i := range n {
			d, next := g.dir[i], g.dir[i+1]
			if d.col < 0 || d.col >= nCols || d.col >= next.col || d.off > next.off {
				tb.Errorf("row %d: cell %d %+v then %+v: columns not increasing or offsets decreasing", r, i, d, next)
				continue
			}
			cells[cellKey(r, int(d.col))] = g.cell(i)
		}
	}
	ix.tree.Scan(func(lo, _ [2]float64, k uint64) bool {
		if _, ok := cells[k]; !ok || lo != func() [2]float64 { l, _ := cellBox(int(k>>32), int(uint32(k))); return l }() {
			tb.Errorf("r-tree cell %x at %v is not an occupied grid cell", k, lo)
		}
		return true
	})
	if got, want := ix.tree.Len(), len(cells); got != want || ix.ncell != want {
		tb.Errorf("r-tree holds %d cells, grid %d, count %d", got, want, ix.ncell)
	}
	n := 0
	for k, es := range cells {
		if len(es) == 0 {
			tb.Errorf("cell %x is empty but kept", k)
		}
		n += len(es)
		for _, e := range es {
			pp := ix.ids.Get(e.id)
			if pp == nil {
				tb.Errorf("cell %x holds unknown id %d", k, e.id)
				continue
			}
			p := *pp
			if cellKey(rowOf(p.Lat), colOf(p.Lng)) != k {
				tb.Errorf("id %d at %v is in cell %x", e.id, p, k)
			}
			if e.v != toVec(p) {
				tb.Errorf("id %d: stale vector", e.id)
			}
		}
	}
	if got, want := n, ix.ids.Len(); got != want {
		tb.Errorf("cells hold %d entries, id table %d", got, want)
	}
}

// randPoint is uniform on the sphere.
func randPoint(r *rand.Rand) Point {
	return Point{Lat: math.Asin(2*r.Float64()-1) / rad, Lng: r.Float64()*360 - 180}
}

// offset returns a point about distM metres from p in a random direction,
// folded back into range.
func offset(r *rand.Rand, p Point, distM float64) Point {
	theta := distM / EarthRadiusM
	brg := r.Float64() * 2 * math.Pi
	phi1, l1 := p.Lat*rad, p.Lng*rad
	phi2 := math.Asin(math.Sin(phi1)*math.Cos(theta) + math.Cos(phi1)*math.Sin(theta)*math.Cos(brg))
	l2 := l1 + math.Atan2(math.Sin(brg)*math.Sin(theta)*math.Cos(phi1), math.Cos(theta)-math.Sin(phi1)*math.Sin(phi2))
	lng := math.Mod(l2/rad+540, 360) - 180
	return Point{Lat: min(90, max(-90, phi2/rad)), Lng: lng}
}

// brute is the reference: haversine over every entry.
type brute struct {
	ids []uint64
	pts []Point
}

func (b *brute) hits(c Point, radiusM float64, f Filter) []Hit {
	var out []Hit
	for i, p := range b.pts {
		if d := Distance(c, p); d <= radiusM+distTol(radiusM) && (f == nil || f(b.ids[i])) {
			out = append(out, Hit{ID: b.ids[i], DistM: d})
		}
	}
	slices.SortFunc(out, func(x, y Hit) int {
		if x.DistM != y.DistM {
			if x.DistM < y.DistM {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return out
}

// distTol is how far the index's chord-based distance and the reference
// haversine may differ at distance d: 10 µm plus 2e-12 relative (both
// formulas lose digits near the antipode, where the arcsine is steep).
func distTol(d float64) float64 { return 1e-5 + 2e-12*d }

// checkHits compares an index answer with the brute-force answer for the
// same query: same length (allowing entries within distTol of the radius
// either way), each hit's distance equal to the reference distance at the
// same rank, sorted nearest first with ties by id, no duplicates, and each
// hit really within the radius at the reported distance.
func checkHits(tb testing.TB, got []Hit, all []Hit, radiusM float64, limit int, where string) {
	tb.Helper()
	nIn := 0
	for _, h := range all {
		if h.DistM <= radiusM-distTol(radiusM) {
			nIn++
		}
	}
	lo, hi := min(limit, nIn), min(limit, len(all))
	if len(got) < lo || len(got) > hi {
		tb.Fatalf("%s: got %d hits, want between %d and %d (reference %d within radius)", where, len(got), lo, hi, len(all))
	}
	ref := make(map[uint64]float64, len(all))
	for _, h := range all {
		ref[h.ID] = h.DistM
	}
	seen := make(map[uint64]bool, len(got))
	for i, h := range got {
		if seen[h.ID] {
			tb.Fatalf("%s: id %d returned twice", where, h.ID)
		}
		seen[h.ID] = true
		d, ok := ref[h.ID]
		if !ok {
			tb.Fatalf("%s: hit %d (id %d, %.6f m) is not a reference hit", where, i, h.ID, h.DistM)
		}
		if math.Abs(d-h.DistM) > distTol(d) {
			tb.Fatalf("%s: id %d at %.9f m, want %.9f m", where, h.ID, h.DistM, d)
		}
		if h.DistM > radiusM {
			tb.Fatalf("%s: id %d at %.9f m beyond radius %v", where, h.ID, h.DistM, radiusM)
		}
		if math.Abs(all[i].DistM-h.DistM) > distTol(h.DistM) {
			tb.Fatalf("%s: rank %d at %.9f m, want %.9f m (id %d, want id %d)", where, i, h.DistM, all[i].DistM, h.ID, all[i].ID)
		}
		if i > 0 {
			p := got[i-1]
			if p.DistM > h.DistM || (p.DistM == h.DistM && p.ID > h.ID) {
				tb.Fatalf("%s: hits %d and %d out of order: %+v then %+v", where, i-1, i, p, h)
			}
		}
	}
}
