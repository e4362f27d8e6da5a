package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIndex_InBoundsEdges puts points exactly on box edges (included) and
// one ulp outside them (excluded), where the unit-vector test is within
// rounding and must defer to the stored point.
func TestIndex_InBoundsEdges(t *testing.T) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 7))
	for n := range 200 {
		b := randBounds(r)
		if b.MinLng > b.MaxLng || b.MaxLat-b.MinLat < 1e-6 || b.MaxLng-b.MinLng < 1e-6 {
			continue
		}
		midLat, midLng := (b.MinLat+b.MaxLat)/2, (b.MinLng+b.MaxLng)/2
		in := []Point{
			{b.MinLat, midLng}, {b.MaxLat, midLng}, {midLat, b.MinLng}, {midLat, b.MaxLng},
			{b.MinLat, b.MinLng}, {b.MaxLat, b.MaxLng},
		}
		out := []Point{
			{math.Nextafter(b.MinLat, -91), midLng}, {math.Nextafter(b.MaxLat, 91), midLng},
			{midLat, math.Nextafter(b.MinLng, -181)}, {midLat, math.Nextafter(b.MaxLng, 181)},
		}
		ix := mustNew(t)
		var want []uint64
		for i, p := range append(in, out...) {
			if checkPoint(p) != nil {
				continue
			}
			if err := ix.Insert(uint64(i), p); err != nil {
				t.Fatal(err)
			}
			if inBoundsRef(p, b) {
				want = append(want, uint64(i))
			}
		}
		got, err := ix.InBounds(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("box %d %+v (seed %d): got %v, want %v", n, b, seed, got, want)
		}
		if len(want) < len(in) {
			t.Fatalf("box %+v: only %d edge points inside, want 6", b, len(want))
		}
	}
}
