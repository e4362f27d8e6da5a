package catalog_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

// TestCatalog_Concurrent runs writers (stores moved, deleted and put back,
// programs relinked, beacons replaced, activity) against readers (nearby
// with cursors, resolve, counts) under the race detector, and checks the
// readers' invariants on every answer.
func TestCatalog_Concurrent(t *testing.T) {
	c, _ := MustNew(t, nil)
	const nStores = 300
	for i := uint64(1); i <= nStores; i++ {
		c.PutStore(store(i, 48.85+float64(i%17)*0.001, 2.35+float64(i/17)*0.001))
		c.PutProgram(program(i, []string{"coffee", "food"}[i%2], i, 1+(i*7)%nStores))
	}
	ctx := context.Background()
	var writers, readers sync.WaitGroup
	stop := make(chan struct{})
	// The writers start once a reader has read a page: on a loaded
	// machine they could otherwise finish before any reader ran.
	read := make(chan struct{})
	var readOnce sync.Once
	for w := 0; w < 2; w++ {
		writers.Add(1)
		go func(seed uint64) {
			defer writers.Done()
			<-read
			rng := rand.New(rand.NewPCG(seed, 1))
			for i := 0; i < 2000; i++ {
				id := uint64(1 + rng.IntN(nStores))
				switch rng.IntN(5) {
				case 0:
					c.PutStore(store(id, 48.85+rng.Float64()*0.02, 2.35+rng.Float64()*0.02))
				case 1:
					c.DeleteStore(id)
					c.PutStore(store(id, 48.85, 2.35))
				case 2:
					c.PutProgram(program(id, "coffee", id, uint64(1+rng.IntN(nStores))))
				case 3:
					c.PutBeacon(&nearby.Beacon{ID: id, StoreID: id, Identity: nearby.Identity{UUID: testUUID, Major: 1, Minor: uint16(rng.IntN(5))}})
				case 4:
					c.RecordActivity(id, nearby.EventShake, monday)
				}
			}
		}(uint64(w))
	}
	pages := 0
	var mu sync.Mutex
	for r := 0; r < 2; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				q := catalog.NearbyQuery{Lat: 48.855, Lng: 2.355, Limit: 7, Explain: true}
				for p := 0; p < 3; p++ {
					page, err := c.Nearby(ctx, q)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					pages++
					mu.Unlock()
					readOnce.Do(func() { close(read) })
					checkBriefs(t, c, page.Results)
					seen := map[uint64]bool{}
					for i, res := range page.Results {
						if seen[res.Program.ID] {
							t.Errorf("program %d twice on one page", res.Program.ID)
						}
						seen[res.Program.ID] = true
						if i > 0 && res.Score > page.Results[i-1].Score {
							t.Errorf("page out of order: %v after %v", res.Score, page.Results[i-1].Score)
						}
					}
					if page.NextCursor == "" {
						break
					}
					q.Cursor = page.NextCursor
				}
				// Text queries sort the text index's cells lazily under the
				// read lock.
				if _, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.855, Lng: 2.355, Q: "s"}); err != nil {
					t.Error(err)
					return
				}
				if _, err := c.StoresNearby(ctx, catalog.StoresQuery{Lat: 48.855, Lng: 2.355, Q: "p"}); err != nil {
					t.Error(err)
					return
				}
				if _, err := c.Resolve(ctx, []catalog.Sighting{{Identity: nearby.Identity{UUID: testUUID, Major: 1, Minor: 2}, RSSI: ptr(-60)}}); err != nil {
					t.Error(err)
					return
				}
				c.Counts()
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if s, _, _ := c.Counts(); s != nStores || pages == 0 {
		t.Errorf("%d stores after the writers (want %d), %d pages read", s, nStores, pages)
	}
}
