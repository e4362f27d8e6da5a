package geo

import (
	"math/rand/v2"
	"testing"
)

// TestCellBoundary checks, for random points, that their cell's boundary
// has 5 or 6 vertices (a pentagon or a hexagon, one more where it crosses
// an icosahedron edge at odd resolutions) around the point, and that
// non-cells are rejected.
func TestCellBoundary(t *testing.T) {
	r := rand.New(rand.NewPCG(rand.Uint64(), 9))
	for range 200 {
		p := Point{Lat: r.Float64()*160 - 80, Lng: r.Float64()*340 - 170}
		res := r.IntN(12)
		cell, err := CellOf(p, res)
		if err != nil {
			t.Fatal(err)
		}
		b, err := CellBoundary(cell)
		if err != nil {
			t.Fatalf("%s: %v", cell, err)
		}
		if len(b) < 5 || len(b) > 10 {
			t.Fatalf("%s: %d vertices", cell, len(b))
		}
		// The point lies within the vertices' bounding box (cells this far
		// from the poles and the antimeridian do not wrap).
		minLat, maxLat, minLng, maxLng := 90.0, -90.0, 180.0, -180.0
		for _, v := range b {
			minLat, maxLat = min(minLat, v.Lat), max(maxLat, v.Lat)
			minLng, maxLng = min(minLng, v.Lng), max(maxLng, v.Lng)
		}
		if res > 1 && (p.Lat < minLat || p.Lat > maxLat || p.Lng < minLng || p.Lng > maxLng) {
			t.Fatalf("%v (res %d, cell %s) outside its boundary box %v..%v, %v..%v", p, res, cell, minLat, maxLat, minLng, maxLng)
		}
	}
	for _, bad := range []string{"", "zz", "0", "872830828ffffff0"} {
		if _, err := CellBoundary(bad); err == nil {
			t.Errorf("CellBoundary(%q): want an error", bad)
		}
	}
}
