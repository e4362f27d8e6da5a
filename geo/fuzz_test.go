package geo

import (
	"errors"
	"math"
	"testing"
)

// FuzzIndex_Query feeds arbitrary centres, radii, limits and boxes to every
// query. Each call either succeeds with a correct-looking answer (hits within
// the radius, nearest first, at most limit) or fails with a *FieldError
// naming the bad argument; it never panics.
func FuzzIndex_Query(f *testing.F) {
	f.Add(0.0, 0.0, 2000.0, 20, 0.0, 0.0, 1.0, 1.0)
	f.Add(math.NaN(), 0.0, 2000.0, 20, -1.0, -1.0, 1.0, 1.0)
	f.Add(0.0, math.Inf(1), 2000.0, 20, 0.0, 179.0, 1.0, -179.0)
	f.Add(90.0, 180.0, 0.0, 1, 89.0, -180.0, 90.0, 180.0)
	f.Add(-91.0, 0.0, -1.0, 0, 1.0, 0.0, -1.0, 0.0)
	f.Add(0.0, 179.99, MaxRadiusM, MaxLimit, 0.0, 0.0, 0.0, 0.0)
	f.Add(45.0, 45.0, 1e300, -5, math.Inf(-1), 0.0, 0.0, math.NaN())
	f.Add(0.0, -179.99, MaxRadiusM+1, MaxLimit+1, -90.0, 10.0, 90.0, 9.0)

	ix := New()
	pts := []Point{{0, 179.99}, {0, -179.99}, {90, 0}, {-90, 0}, {89.9, 45}, {0, 0}, {0, 0}, {45, 45}, {-33.9, 151.2}}
	for i, p := range pts {
		if err := ix.Insert(uint64(i+1), p); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, lat, lng, radius float64, limit int, bMinLat, bMinLng, bMaxLat, bMaxLng float64) {
		c := Point{lat, lng}
		want := func(err error, fields ...string) {
			t.Helper()
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not a *FieldError wrapping ErrInvalid", err)
			}
			for _, f := range fields {
				if fe.Field == f {
					return
				}
			}
			t.Fatalf("error names %q, want one of %q", fe.Field, fields)
		}
		centreOK := !math.IsNaN(lat) && !math.IsNaN(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
		radiusOK := !math.IsNaN(radius) && radius >= 0 && radius <= MaxRadiusM
		limitOK := limit >= 1 && limit <= MaxLimit

		hits, err := ix.Nearby(Query{Center: c, RadiusM: radius, Limit: limit}, nil)
		switch {
		case !centreOK:
			want(err, "lat", "lng")
		case !radiusOK:
			want(err, "radius_m")
		case !limitOK:
			want(err, "limit")
		case err != nil:
			t.Fatalf("Nearby(%v, %v, %d): %v", c, radius, limit, err)
		default:
			checkFuzzHits(t, ix, c, radius, limit, hits)
		}

		hits, err = ix.KNN(c, limit, radius, nil, nil)
		switch {
		case !centreOK:
			want(err, "lat", "lng")
		case !radiusOK:
			want(err, "radius_m")
		case !limitOK:
			want(err, "k")
		case err != nil:
			t.Fatalf("KNN: %v", err)
		default:
			checkFuzzHits(t, ix, c, radius, limit, hits)
		}

		n := 0
		err = ix.Walk(c, radius, func(Hit) bool { n++; return true })
		switch {
		case !centreOK:
			want(err, "lat", "lng")
		case !radiusOK:
			want(err, "radius_m")
		case err != nil:
			t.Fatalf("Walk: %v", err)
		}

		b := Bounds{MinLat: bMinLat, MinLng: bMinLng, MaxLat: bMaxLat, MaxLng: bMaxLng}
		ok := func(v, lo, hi float64) bool { return !math.IsNaN(v) && v >= lo && v <= hi }
		boundsOK := ok(bMinLat, -90, 90) && ok(bMaxLat, -90, 90) && ok(bMinLng, -180, 180) &&
			ok(bMaxLng, -180, 180) && bMinLat <= bMaxLat
		ids, err := ix.InBounds(b, nil)
		if !boundsOK {
			want(err, "bounds")
		} else if err != nil {
			t.Fatalf("InBounds(%+v): %v", b, err)
		} else {
			br := &brute{}
			for i, p := range pts {
				br.ids, br.pts = append(br.ids, uint64(i+1)), append(br.pts, p)
			}
			checkBoundsIDs(t, ids, br, b)
		}
		if _, err := ix.Cells(limit, b); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("Cells: %v", err)
		}
		if _, err := CellOf(c, limit); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("CellOf: %v", err)
		}
	})
}

func checkFuzzHits(t *testing.T, ix *Index, c Point, radius float64, limit int, hits []Hit) {
	t.Helper()
	if len(hits) > limit {
		t.Fatalf("%d hits for limit %d", len(hits), limit)
	}
	for i, h := range hits {
		p, ok := ix.Get(h.ID)
		if !ok {
			t.Fatalf("hit %d: unknown id %d", i, h.ID)
		}
		if h.DistM > radius || math.Abs(Distance(c, p)-h.DistM) > distTol(h.DistM) {
			t.Fatalf("hit %d: id %d at %v m (haversine %v) for radius %v", i, h.ID, h.DistM, Distance(c, p), radius)
		}
		if i > 0 && hits[i-1].DistM > h.DistM {
			t.Fatalf("hits out of order at %d", i)
		}
	}
}
