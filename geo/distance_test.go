package geo

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

func nan() float64 { return math.NaN() }

func TestDistance(t *testing.T) {
	tests := []struct {
		name string
		a, b Point
		want float64 // metres
		tol  float64
	}{
		{"Antimeridian", Point{0, 179.99}, Point{0, -179.99}, 0.02 * rad * EarthRadiusM, 1e-6},
		{"Same", Point{12.5, -7}, Point{12.5, -7}, 0, 0},
		{"PoleToPole", Point{90, 0}, Point{-90, 0}, math.Pi * EarthRadiusM, 1e-6},
		{"PoleAnyLng", Point{90, 0}, Point{90, 120}, 0, 1e-6},
		{"Quarter", Point{0, 0}, Point{0, 90}, math.Pi / 2 * EarthRadiusM, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Fatalf("Distance(%v, %v) = %.9f, want %.9f", tt.a, tt.b, got, tt.want)
			}
			if c := chord2ToM(chord2(toVec(tt.a), toVec(tt.b))); math.Abs(c-got) > 1e-6 {
				t.Fatalf("chord distance %.9f, haversine %.9f", c, got)
			}
		})
	}
}

// TestDistance_Vectors checks Distance (and the chord form the queries
// use) against the haversine values for R = 6371008.8 m listed in
// ../shared/data/geodesy/geodesy_vectors.json, antimeridian and
// near-antipodal pairs included.
func TestDistance_Vectors(t *testing.T) {
	raw, err := os.ReadFile("../../shared/data/geodesy/geodesy_vectors.json")
	if err != nil {
		t.Skip("geo: ../shared/data not present")
	}
	var doc struct {
		Pairs []struct {
			Name                   string
			Lat1, Lon1, Lat2, Lon2 float64
			Derived                map[string]float64 `json:"derived_here"`
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range doc.Pairs {
		want, ok := p.Derived["haversine_R6371008.8_m"]
		if !ok {
			continue
		}
		n++
		t.Run(p.Name, func(t *testing.T) {
			a, b := Point{p.Lat1, p.Lon1}, Point{p.Lat2, p.Lon2}
			if got := Distance(a, b); math.Abs(got-want) > 1e-3 {
				t.Errorf("Distance = %.4f m, want %.4f m", got, want)
			}
			if got := chord2ToM(chord2(toVec(a), toVec(b))); math.Abs(got-want) > 1e-3 {
				t.Errorf("chord distance = %.4f m, want %.4f m", got, want)
			}
		})
	}
	if n < 10 {
		t.Fatalf("only %d vectors with a haversine value", n)
	}
}

func TestBoxMinAngle(t *testing.T) {
	// The exact minimum over a box can be checked by sampling the box
	// densely: the sampled minimum is never below the bound, and close to it.
	boxes := [][4]float64{
		{10, 20, 11, 21}, {-5, 179, 5, 180}, {89, -180, 90, -170}, {-90, 0, -89, 10},
		{40, 100, 41, 101}, {-60, -10, -50, 10},
	}
	centres := []Point{{0, 0}, {10.5, 25}, {60, 20.5}, {0, -179.5}, {89.5, 100}, {-89.9, 170}, {45, 100.5}, {45, -80}}
	for _, bx := range boxes {
		for _, c := range centres {
			lb := boxMinAngle(c, bx[0], bx[1], bx[2], bx[3])
			best := math.Inf(1)
			const n = 200
			for i := 0; i <= n; i++ {
				for j := 0; j <= n; j++ {
					p := Point{bx[0] + (bx[2]-bx[0])*float64(i)/n, bx[1] + (bx[3]-bx[1])*float64(j)/n}
					best = min(best, Distance(c, p)/EarthRadiusM)
				}
			}
			if lb > best+1e-12 {
				t.Errorf("box %v centre %v: bound %.9f above sampled minimum %.9f", bx, c, lb, best)
			}
			if best-lb > 0.01*rad {
				t.Errorf("box %v centre %v: bound %.9f far below sampled minimum %.9f", bx, c, lb, best)
			}
		}
	}
}
