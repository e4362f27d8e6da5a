package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// dataset builds a named point set for the property tests.
type dataset struct {
	name string
	gen  func(r *rand.Rand) []Point
}

// specials are the places where naive code breaks.
var specials = []Point{
	{0, 179.99}, {0, -179.99}, {0, 180}, {0, -180}, {10, 179.999}, {-10, -179.999},
	{89.9, 0}, {89.9, 180}, {-89.9, 45}, {90, 0}, {90, 123}, {-90, 0}, {-90, -77},
	{0, 0}, {0, 0}, {51.5, -0.12}, {51.5, -0.12},
}

var datasets = []dataset{
	{"uniform", func(r *rand.Rand) []Point {
		pts := make([]Point, 2000)
		for i := range pts {
			pts[i] = randPoint(r)
		}
		return append(pts, specials...)
	}},
	{"clustered", func(r *rand.Rand) []Point {
		var pts []Point
		centres := append([]Point{{0, 179.995}, {89.95, 10}, {-89.99, 0}}, randPoint(r), randPoint(r), randPoint(r))
		for _, c := range centres {
			for range 500 {
				p := offset(r, c, math.Abs(r.NormFloat64())*3000)
				pts = append(pts, p)
				if r.IntN(10) == 0 { // duplicates
					pts = append(pts, p)
				}
			}
		}
		return append(pts, specials...)
	}},
}

func randCenter(r *rand.Rand, pts []Point) Point {
	switch r.IntN(4) {
	case 0:
		return randPoint(r)
	case 1:
		return specials[r.IntN(len(specials))]
	default:
		return offset(r, pts[r.IntN(len(pts))], r.Float64()*3000)
	}
}

func randRadius(r *rand.Rand) float64 {
	radii := []float64{0, 1, 100, 2000, 5000, 50000, 500000, 5e6, MaxRadiusM}
	rr := radii[r.IntN(len(radii))]
	if r.IntN(2) == 0 {
		rr *= r.Float64()
	}
	return rr
}

func randFilter(r *rand.Rand) (Filter, string) {
	switch r.IntN(3) {
	case 0:
		return nil, "nil"
	case 1:
		return func(id uint64) bool { return id%50 == 7 }, "2%"
	default:
		return func(id uint64) bool { return id%2 == 0 }, "50%"
	}
}

func TestIndex_Property(t *testing.T) {
	seed := rand.Uint64()
	for _, ds := range datasets {
		for _, budget := range []int{DefaultGridBudget, 0, 4} {
			t.Run(fmt.Sprintf("%s/budget=%d", ds.name, budget), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, uint64(budget)))
				defer func() {
					if t.Failed() {
						t.Logf("seed %d (rand.NewPCG(seed, %d))", seed, budget)
					}
				}()
				pts := ds.gen(r)
				ids := make([]uint64, len(pts))
				for i := range ids {
					ids[i] = uint64(i)*3 + 1
				}
				ix := mustNew(t)
				ix.GridBudget = budget
				if err := ix.Load(ids, pts); err != nil {
					t.Fatal(err)
				}
				b := &brute{ids: ids, pts: pts}
				queries := 1000
				if testing.Short() {
					queries = 200
				}
				for q := range queries {
					c := randCenter(r, pts)
					rad := randRadius(r)
					limit := 1 + r.IntN(40)
					f, fname := randFilter(r)
					where := fmt.Sprintf("query %d centre %v radius %v limit %d filter %s", q, c, rad, limit, fname)
					all := b.hits(c, rad, f)

					got, err := ix.Nearby(Query{Center: c, RadiusM: rad, Limit: limit, Filter: f}, nil)
					if err != nil {
						t.Fatalf("%s: %v", where, err)
					}
					checkHits(t, got, all, rad, limit, "Nearby "+where)

					got, err = ix.KNN(c, limit, rad, f, got[:0])
					if err != nil {
						t.Fatalf("%s: %v", where, err)
					}
					checkHits(t, got, all, rad, limit, "KNN "+where)

					if f == nil && q%4 == 0 {
						stopAt := 1 + r.IntN(60)
						got = got[:0]
						err := ix.Walk(c, rad, func(h Hit) bool {
							got = append(got, h)
							return len(got) < stopAt
						})
						if err != nil {
							t.Fatalf("%s: %v", where, err)
						}
						checkHits(t, got, all, rad, stopAt, "Walk "+where)
					}
					if q%3 == 0 {
						bb := randBounds(r)
						gotIDs, err := ix.InBounds(bb, nil)
						if err != nil {
							t.Fatalf("%v: %v", bb, err)
						}
						checkBoundsIDs(t, gotIDs, b, bb)
					}
				}
			})
		}
	}
}

func randBounds(r *rand.Rand) Bounds {
	lat1, lat2 := r.Float64()*180-90, r.Float64()*180-90
	if r.IntN(4) == 0 {
		lat2 = min(90, lat1+r.Float64())
	}
	lng1 := r.Float64()*360 - 180
	lng2 := lng1 + r.Float64()*r.Float64()*360
	if lng2 > 180 {
		lng2 -= 360 // crosses the antimeridian
	}
	b := Bounds{MinLat: min(lat1, lat2), MaxLat: max(lat1, lat2), MinLng: lng1, MaxLng: lng2}
	switch r.IntN(6) {
	case 0:
		b.MaxLng = 180
	case 1:
		b.MinLng = -180
	case 2:
		b.MinLng, b.MaxLng = 179.99, -179.99
	}
	return b
}

// inBoundsRef is the reference rule: edges included, 180 ≡ -180.
func inBoundsRef(p Point, b Bounds) bool {
	if p.Lat < b.MinLat || p.Lat > b.MaxLat {
		return false
	}
	in := func(x float64) bool {
		if b.MinLng <= b.MaxLng {
			return x >= b.MinLng && x <= b.MaxLng
		}
		return x >= b.MinLng || x <= b.MaxLng
	}
	return in(p.Lng) || (p.Lng == 180 && in(-180)) || (p.Lng == -180 && in(180))
}

func checkBoundsIDs(tb testing.TB, got []uint64, b *brute, bb Bounds) {
	tb.Helper()
	var want []uint64
	for i, p := range b.pts {
		if inBoundsRef(p, bb) {
			want = append(want, b.ids[i])
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		tb.Fatalf("InBounds(%+v): got %d ids, want %d", bb, len(got), len(want))
	}
}

// TestIndex_PropertyWrites builds the index by Insert, then moves and
// deletes at random (into and out of the antimeridian and polar clusters),
// and compares queries with brute force over the resulting points.
func TestIndex_PropertyWrites(t *testing.T) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 11))
	defer func() {
		if t.Failed() {
			t.Logf("seed %d", seed)
		}
	}()
	pts := datasets[1].gen(r)
	cur := make(map[uint64]Point, len(pts))
	ix := mustNew(t)
	for i, p := range pts {
		id := uint64(i) + 1
		if err := ix.Insert(id, p); err != nil {
			t.Fatal(err)
		}
		cur[id] = p
	}
	for range len(pts) {
		id := uint64(1 + r.IntN(len(pts)))
		switch r.IntN(5) {
		case 0:
			ix.Delete(id)
			delete(cur, id)
		case 1:
			p := specials[r.IntN(len(specials))]
			_ = ix.Insert(id, p)
			cur[id] = p
		default:
			if old, ok := cur[id]; ok {
				p := offset(r, old, r.Float64()*5000)
				if err := ix.Move(id, p); err != nil {
					t.Fatal(err)
				}
				cur[id] = p
			}
		}
	}
	if got, want := ix.Len(), len(cur); got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	b := &brute{}
	for id, p := range cur {
		b.ids, b.pts = append(b.ids, id), append(b.pts, p)
	}
	for q := range 300 {
		c := randCenter(r, b.pts)
		rad := randRadius(r)
		limit := 1 + r.IntN(40)
		f, fname := randFilter(r)
		where := fmt.Sprintf("query %d centre %v radius %v limit %d filter %s", q, c, rad, limit, fname)
		got, err := ix.Nearby(Query{Center: c, RadiusM: rad, Limit: limit, Filter: f}, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkHits(t, got, b.hits(c, rad, f), rad, limit, "Nearby "+where)
		bb := randBounds(r)
		ids, err := ix.InBounds(bb, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkBoundsIDs(t, ids, b, bb)
	}
}
