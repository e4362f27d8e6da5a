package geo

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// TestIndex_Concurrent runs writers (insert, move, delete) against readers
// (Nearby, KNN, Walk, InBounds, Cells) under -race. Each id is moved only
// between two points of its own "pair" far apart, so a reader that saw a
// half-applied move would find an id twice or miss it: InBounds over the
// whole area must always hold all n moving ids exactly once.
func TestIndex_Concurrent(t *testing.T) {
	seed := rand.Uint64()
	defer func() {
		if t.Failed() {
			t.Logf("seed %d", seed)
		}
	}()
	ix := mustNew(t)
	const n = 2000
	home := func(id uint64) Point { return Point{Lat: float64(id%40) - 20, Lng: float64(id%50)*0.01 + 179.5} }
	away := func(id uint64) Point { return Point{Lat: -float64(id%40) + 20.005, Lng: -179.7 + float64(id%13)*0.01} }
	for id := uint64(1); id <= n; id++ {
		if err := ix.Insert(id, home(id)); err != nil {
			t.Fatal(err)
		}
	}
	iters := 1000
	if testing.Short() {
		iters = 200
	}
	var stop atomic.Bool
	var wg, readers sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for range iters {
				id := uint64(1 + r.IntN(n))
				// Ids 1..n only move; ids n+1..2n come and go.
				switch r.IntN(4) {
				case 0:
					_ = ix.Move(id, away(id))
				case 1:
					_ = ix.Insert(id, home(id))
				case 2:
					ix.Delete(id + n)
				default:
					_ = ix.Insert(id+n, away(id))
				}
			}
		}()
	}
	check := func(hits []Hit, where string) {
		seen := make(map[uint64]bool, len(hits))
		for i, h := range hits {
			if seen[h.ID] {
				t.Errorf("%s: id %d seen twice", where, h.ID)
			}
			seen[h.ID] = true
			if i > 0 && hits[i-1].DistM > h.DistM {
				t.Errorf("%s: out of order at %d", where, i)
			}
		}
	}
	for rdr := range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			r := rand.New(rand.NewPCG(seed, 100+uint64(rdr)))
			var dst []Hit
			var ids []uint64
			for !stop.Load() {
				c := Point{Lat: r.Float64()*40 - 20, Lng: 179.5 + r.Float64()}
				if c.Lng > 180 {
					c.Lng -= 360
				}
				var err error
				switch r.IntN(5) {
				case 0:
					dst, err = ix.Nearby(Query{Center: c, RadiusM: 300000, Limit: 50}, dst[:0])
					check(dst, "Nearby")
				case 1:
					dst, err = ix.KNN(c, 30, MaxRadiusM, func(id uint64) bool { return id%3 == 0 }, dst[:0])
					check(dst, "KNN")
				case 2:
					dst = dst[:0]
					err = ix.Walk(c, 200000, func(h Hit) bool { dst = append(dst, h); return len(dst) < 100 })
					check(dst, "Walk")
				case 3:
					ids, err = ix.InBounds(Bounds{MinLat: -30, MaxLat: 30, MinLng: 179, MaxLng: -179}, ids[:0])
					seen := make(map[uint64]bool, len(ids))
					movers := 0
					for _, id := range ids {
						if seen[id] {
							t.Errorf("InBounds: id %d twice", id)
						}
						seen[id] = true
						if id <= n {
							movers++
						}
					}
					if movers != n {
						t.Errorf("InBounds: %d of the %d moving ids, want all", movers, n)
					}
				default:
					var cells []CellCount
					cells, err = ix.Cells(2, Bounds{MinLat: -30, MaxLat: 30, MinLng: 179, MaxLng: -179})
					total := 0
					for _, c := range cells {
						total += c.Count
					}
					if total < n || total > 2*n {
						t.Errorf("Cells: %d entries counted, want %d moving ids plus at most %d others", total, n, n)
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()
}
