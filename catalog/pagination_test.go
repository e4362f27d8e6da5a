package catalog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
)

func TestCatalog_Nearby_StablePagination(t *testing.T) {
	now := monday
	clock := func() time.Time { return now }
	w := catalogtest.NewWorld(catalogtest.Options{Seed: 11, Stores: 3000, Cities: 1, Rich: true, Center: &[2]float64{35.68, 139.76}})
	c, _ := MustNew(t, &catalog.Options{Now: clock})
	if err := c.Load(w.Stores, w.Programs, nil); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 500; i++ {
		c.RecordActivity(w.Stores[rng.IntN(len(w.Stores))].ID, nearby.EventShake, now.Add(-time.Duration(rng.IntN(100))*time.Hour))
	}
	ctx := context.Background()
	total := 0
	for i := 0; i < 10; i++ {
		lat, lng := w.Point(rng)
		q := catalog.NearbyQuery{Lat: lat, Lng: lng, RadiusM: 5000, Limit: 100, OpenNow: i%2 == 0}
		now = monday
		one, err := c.Nearby(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		total += len(one.Results)
		for _, limit := range []int{1, 3, 7, 20} {
			t.Run(fmt.Sprintf("%d/limit=%d", i, limit), func(t *testing.T) {
				// Time passes between pages: hours open and close, activity
				// decays. The cursor pins the first page's time, so the pages
				// still tile the first page's ranking exactly.
				now = monday
				pq := q
				pq.Limit = limit
				var got []catalog.NearbyResult
				seen := map[uint64]bool{}
				for pages := 0; pages < 200; pages++ {
					page, err := c.Nearby(ctx, pq)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range page.Results {
						if seen[r.Program.ID] {
							t.Fatalf("program %d served twice", r.Program.ID)
						}
						seen[r.Program.ID] = true
					}
					got = append(got, page.Results...)
					if page.NextCursor == "" {
						break
					}
					pq.Cursor = page.NextCursor
					now = now.Add(7 * time.Minute) // within the cursor's 24 hours over 200 pages
				}
				want := one.Results
				if len(want) == 100 && len(got) > 100 {
					got = got[:100] // the single page stopped at its limit
				}
				if len(got) != len(want) {
					t.Fatalf("pages of %d gave %d results, one page %d", limit, len(got), len(want))
				}
				for k := range want {
					if got[k].Program.ID != want[k].Program.ID || got[k].Store.ID != want[k].Store.ID || got[k].Score != want[k].Score {
						t.Fatalf("result %d: paged %d@%d (%v), single page %d@%d (%v)", k,
							got[k].Program.ID, got[k].Store.ID, got[k].Score, want[k].Program.ID, want[k].Store.ID, want[k].Score)
					}
				}
			})
		}
	}
	if total < 300 {
		t.Errorf("only %d results in all: the test is too weak", total)
	}
}

func TestCatalog_Nearby_ErrCursorExpired(t *testing.T) {
	now := monday
	c, _ := MustNew(t, &catalog.Options{Now: func() time.Time { return now }, CursorTTL: time.Hour})
	for i := uint64(1); i <= 3; i++ {
		c.PutStore(store(i, 48.85, 2.35+float64(i)*0.001))
		c.PutProgram(program(i, "coffee", i))
	}
	q := catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Limit: 1}
	page, err := c.Nearby(context.Background(), q)
	if err != nil || page.NextCursor == "" {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	q.Cursor = page.NextCursor
	for _, tc := range []struct {
		name  string
		shift time.Duration
		ok    bool
	}{
		{"Fresh", 59 * time.Minute, true},
		{"Expired", 61 * time.Minute, false},
		{"FromTheFuture", -2 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = monday.Add(tc.shift)
			_, err := c.Nearby(context.Background(), q)
			if got := err == nil; got != tc.ok {
				t.Fatalf("cursor %v after the first page: error %v", tc.shift, err)
			}
			if !tc.ok && fieldOf(err) != "cursor" {
				t.Errorf("error %v, want EINVALID naming cursor", err)
			}
		})
	}
}
