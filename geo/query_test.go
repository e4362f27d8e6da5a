package geo

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// TestIndex_Nearby spells out the cases where naive code breaks; the
// property test covers them at random.
func TestIndex_Nearby(t *testing.T) {
	ix := mustNew(t)
	pts := map[uint64]Point{
		1: {0, 179.99}, 2: {0, -179.99}, 3: {0, 179.9},
		10: {89.99, 0}, 11: {89.99, 180}, 12: {90, 45},
		20: {-33.9, 151.2}, 21: {-33.9, 151.2}, 22: {-33.9, 151.2},
	}
	for id := uint64(100); id < 400; id++ { // a crowd near Sydney
		pts[id] = Point{-33.9 + float64(id%17)*0.001, 151.2 + float64(id%13)*0.001}
	}
	for id, p := range pts {
		if err := ix.Insert(id, p); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(hs []Hit) []uint64 {
		var out []uint64
		for _, h := range hs {
			out = append(out, h.ID)
		}
		return out
	}
	tests := []struct {
		name string
		q    Query
		want []uint64
	}{
		{"Antimeridian", Query{Center: Point{0, -179.99}, RadiusM: 3000, Limit: 10}, []uint64{2, 1}},
		{"AntimeridianFarSide", Query{Center: Point{0, 180}, RadiusM: 12000, Limit: 10}, []uint64{1, 2, 3}},
		{"NorthPole", Query{Center: Point{90, -120}, RadiusM: 1000, Limit: 10}, []uint64{12}},
		{"NearPole", Query{Center: Point{89.995, 90}, RadiusM: 2000, Limit: 10}, []uint64{12, 10, 11}},
		{"RadiusZeroDuplicates", Query{Center: Point{-33.9, 151.2}, RadiusM: 0, Limit: 10}, []uint64{20, 21, 22, 221}},
		{"LimitOneTieByID", Query{Center: Point{-33.9, 151.2}, RadiusM: 0, Limit: 1}, []uint64{20}},
		{"FilterRejectsMost", Query{Center: Point{-33.9, 151.2}, RadiusM: 5000, Limit: 3,
			Filter: func(id uint64) bool { return id >= 390 }}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.Nearby(tt.q, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil { // FilterRejectsMost: the 3 nearest accepted
				var acc []Hit
				for id, p := range pts {
					if id >= 390 {
						acc = append(acc, Hit{ID: id, DistM: Distance(tt.q.Center, p)})
					}
				}
				slices.SortFunc(acc, cmpHit)
				tt.want = ids(acc[:3])
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Fatalf("got %v (%v), want %v", ids(got), got, tt.want)
			}
		})
	}
	t.Run("MaxRadiusFindsAll", func(t *testing.T) {
		got, err := ix.KNN(Point{45, 45}, MaxLimit, MaxRadiusM, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(pts) {
			t.Fatalf("got %d hits, want all %d", len(got), len(pts))
		}
	})
	t.Run("AntimeridianDistance", func(t *testing.T) {
		only1 := func(id uint64) bool { return id == 1 }
		got, _ := ix.Nearby(Query{Center: Point{0, -179.99}, RadiusM: 3000, Limit: 5, Filter: only1}, nil)
		if len(got) != 1 || got[0].ID != 1 || math.Abs(got[0].DistM-2223.9) > 0.1 {
			t.Fatalf("got %v, want id 1 at 2223.9 m", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, q := range []Query{
			{Center: Point{math.NaN(), 0}, RadiusM: 1, Limit: 1},
			{Center: Point{0, math.Inf(-1)}, RadiusM: 1, Limit: 1},
			{Center: Point{0, 0}, RadiusM: MaxRadiusM * 2, Limit: 1},
			{Center: Point{0, 0}, RadiusM: 1, Limit: 0},
			{Center: Point{0, 0}, RadiusM: 1, Limit: MaxLimit + 1},
		} {
			if _, err := ix.Nearby(q, nil); !errors.Is(err, ErrInvalid) {
				t.Errorf("Nearby(%+v) = %v, want ErrInvalid", q, err)
			}
		}
	})
}
