package catalog_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/geo"
)

// TestCatalog_NearbyInto checks that the pooled form answers exactly as
// Nearby, over a dst that is reused from query to query (and holds stale
// results and explanations of the previous one), and that it allocates no
// result slice once dst is large enough.
func TestCatalog_NearbyInto(t *testing.T) {
	w := catalogtest.NewWorld(catalogtest.Options{Seed: 3, Stores: 20_000})
	c := catalog.New(geo.New(), &catalog.Options{Now: func() time.Time { return benchNow }})
	if err := c.Load(w.Stores, w.Programs, nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	dst := make([]catalog.NearbyResult, 0, 4)
	tests := []struct {
		name    string
		limit   int
		explain bool
	}{
		{"explained", 20, true},
		{"plain after explained", 20, false},
		{"small", 3, false},
		{"large", 100, true},
		{"plain after large", 7, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 {
				lat, lng := w.Point(rng)
				q := catalog.NearbyQuery{Lat: lat, Lng: lng, RadiusM: 3000, Limit: tt.limit, Explain: tt.explain}
				want, err := c.Nearby(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.NearbyInto(ctx, q, dst)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Results) != len(want.Results) || got.NextCursor != want.NextCursor {
					t.Fatalf("got %d results, cursor %q; want %d, %q", len(got.Results), got.NextCursor, len(want.Results), want.NextCursor)
				}
				for i := range want.Results {
					if !reflect.DeepEqual(got.Results[i], want.Results[i]) {
						t.Fatalf("result %d: got %+v, want %+v", i, got.Results[i], want.Results[i])
					}
				}
				if len(got.Results) > 0 && cap(dst) >= len(got.Results) && &got.Results[0] != &dst[:1][0] {
					t.Errorf("dst of capacity %d not reused for %d results", cap(dst), len(got.Results))
				}
				dst = got.Results[:0]
			}
		})
	}
	t.Run("no allocation", func(t *testing.T) {
		if raceEnabled {
			t.Skip("allocation counts under -race include sync.Pool's random drops")
		}
		// The phone's path: rendered briefs only (snapshots are rebuilt,
		// and allocated, on demand). A point with a next page: the most a
		// query allocates is its cursor.
		c := catalog.New(geo.New(), &catalog.Options{Now: func() time.Time { return benchNow }, Renderer: api.Briefs{}})
		if err := c.Load(w.Stores, w.Programs, nil); err != nil {
			t.Fatal(err)
		}
		var q catalog.NearbyQuery
		for tries := 0; ; tries++ {
			if tries == 100 {
				t.Fatal("no point of 100 has more than 20 results within 3 km")
			}
			lat, lng := w.Point(rng)
			q = catalog.NearbyQuery{Lat: lat, Lng: lng, RadiusM: 3000, Limit: 20, BriefsOnly: true}
			if err := q.Validate(); err != nil {
				t.Fatal(err)
			}
			page, err := c.NearbyInto(ctx, q, dst)
			if err != nil {
				t.Fatal(err)
			}
			if page.NextCursor != "" {
				break
			}
		}
		got := testing.AllocsPerRun(50, func() {
			if _, err := c.NearbyInto(ctx, q, dst); err != nil {
				t.Fatal(err)
			}
		})
		if want := 1.0; got > want { // the next-page cursor string
			t.Errorf("%v allocations per query, want at most %v", got, want)
		}
	})
}
