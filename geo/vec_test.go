package geo

import (
	"math/rand/v2"
	"testing"
)

// TestVec_MatchesIndexDistance checks that the exported vector form gives
// IndexDistance exactly, and that Chord2Bound never drops a point inside.
func TestVec_MatchesIndexDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		a := Point{Lat: rng.Float64()*180 - 90, Lng: rng.Float64()*360 - 180}
		b := Point{Lat: a.Lat + rng.NormFloat64()*0.05, Lng: a.Lng + rng.NormFloat64()*0.05}
		b.Lat = max(-90, min(90, b.Lat))
		c2 := VecOf(a).Chord2(VecOf(b))
		d := IndexDistance(a, b)
		if got := Chord2ToM(c2); got != d {
			t.Fatalf("Chord2ToM = %v, IndexDistance = %v for %v %v", got, d, a, b)
		}
		if r := d * (0.5 + rng.Float64()); d <= r && c2 > Chord2Bound(r) {
			t.Fatalf("%v to %v is %v m, within %v m, but its chord² %v is over the bound %v", a, b, d, r, c2, Chord2Bound(r))
		}
		if c2 > Chord2Bound(d) {
			t.Fatalf("%v to %v: chord² %v over the bound of its own distance %v", a, b, c2, Chord2Bound(d))
		}
	}
}
