package geo

import (
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// loadStarbucks reads ../shared/data/starbucks_directory.csv (Longitude
// before Latitude; rows with empty coordinates skipped).
func loadStarbucks(tb testing.TB) (ids []uint64, pts []Point, names []string) {
	tb.Helper()
	f, err := os.Open("../../shared/data/starbucks_directory.csv")
	if err != nil {
		tb.Skip("geo: ../shared/data not present")
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("line %d: %v", line, err)
		}
		lat, err1 := strconv.ParseFloat(rec[col["Latitude"]], 64)
		lng, err2 := strconv.ParseFloat(rec[col["Longitude"]], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		ids = append(ids, uint64(line))
		pts = append(pts, Point{lat, lng})
		names = append(names, rec[col["Store Name"]]+", "+rec[col["City"]])
	}
	return ids, pts, names
}

// TestIndex_RealData loads the 25,599 located Starbucks stores and checks
// nearest-neighbour answers at real places against brute force; the file's
// coordinates are rounded to 0.01°, so many stores share a point and ties
// by id are exercised.
func TestIndex_RealData(t *testing.T) {
	ids, pts, names := loadStarbucks(t)
	if got, want := len(pts), 25599; got != want {
		t.Fatalf("loaded %d located stores, want %d (SOURCES.md)", got, want)
	}
	ix := mustNew(t)
	if err := ix.Load(ids, pts); err != nil {
		t.Fatal(err)
	}
	b := &brute{ids: ids, pts: pts}
	places := []struct {
		name string
		p    Point
	}{
		{"Seattle Pike Place", Point{47.6097, -122.3422}},
		{"Toronto 43.65,-79.38 (26 stores at one point)", Point{43.65, -79.38}},
		{"Shanghai People's Square", Point{31.2304, 121.4737}},
		{"London Charing Cross", Point{51.5072, -0.1276}},
		{"Honolulu", Point{21.3069, -157.8583}},
		{"Auckland", Point{-36.8485, 174.7633}},
		{"Fiji, across the antimeridian", Point{-17.7, -179.99}},
		{"Reykjavik (nearest is far)", Point{64.1466, -21.9426}},
		{"North Pole", Point{90, 0}},
	}
	for _, pl := range places {
		t.Run(pl.name, func(t *testing.T) {
			for _, radius := range []float64{2000, 50000, MaxRadiusM} {
				all := b.hits(pl.p, radius, nil)
				got, err := ix.KNN(pl.p, 10, radius, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkHits(t, got, all, radius, 10, "KNN "+pl.name)
				if radius == MaxRadiusM {
					t.Logf("nearest: %s at %.0f m", names[got[0].ID-1], got[0].DistM)
				}
			}
		})
	}
	t.Run("TiesAtOnePoint", func(t *testing.T) {
		// SOURCES.md: up to 26 stores share 43.65,-79.38. Radius 0 finds
		// exactly the stores at that point, ordered by id.
		got, err := ix.Nearby(Query{Center: Point{43.65, -79.38}, RadiusM: 0, Limit: 100}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, p := range pts {
			if p == (Point{43.65, -79.38}) {
				want++
			}
		}
		if len(got) != want || want < 20 {
			t.Fatalf("got %d stores at the point, want %d (at least 20)", len(got), want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].DistM != 0 || got[i-1].ID >= got[i].ID {
				t.Fatalf("hit %d = %+v after %+v: want distance 0, ids ascending", i, got[i], got[i-1])
			}
		}
	})
	t.Run("Random", func(t *testing.T) {
		seed := rand.Uint64()
		r := rand.New(rand.NewPCG(seed, 1))
		for range 300 {
			c := offset(r, pts[r.IntN(len(pts))], r.Float64()*20000)
			all := b.hits(c, 5000, func(id uint64) bool { return id%4 == 0 })
			got, _ := ix.Nearby(Query{Center: c, RadiusM: 5000, Limit: 20, Filter: func(id uint64) bool { return id%4 == 0 }}, nil)
			checkHits(t, got, all, 5000, 20, "Nearby")
			if t.Failed() {
				t.Fatalf("seed %d", seed)
			}
		}
	})
}
