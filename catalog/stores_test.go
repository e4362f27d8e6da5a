package catalog_test

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/ranking"
)

// TestCatalog_StoresNearby_MatchesBruteForce pages through the locator for
// random points and filters and compares the whole walk with a scan of
// every store: nearest first, ties by id, filters applied, no duplicates
// or gaps between pages.
func TestCatalog_StoresNearby_MatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	c, _ := MustNew(t, nil)
	stores := map[uint64]*nearby.Store{}
	names := []string{"Starbucks", "Café Rivoli", "Costa", "星巴克咖啡"}
	hours := []nearby.Hours{nil, {"mon": {{"09:00", "10:00"}}}, {"mon": {{"00:00", "24:00"}}}}
	for id := uint64(1); id <= 3000; id++ {
		s := &nearby.Store{ID: id, MerchantID: 1 + uint64(rng.IntN(3)), Name: names[rng.IntN(len(names))],
			Lat: 48.8 + rng.Float64()*0.1, Lng: 2.3 + rng.Float64()*0.1, Category: []string{"coffee", "food"}[rng.IntN(2)],
			Hours: hours[rng.IntN(len(hours))]}
		if id%500 == 0 { // a few at the same point: ties by id
			s.Lat, s.Lng = 48.85, 2.35
		}
		stores[id] = s
		if err := c.PutStore(s); err != nil {
			t.Fatal(err)
		}
	}
	progAt := map[uint64][]*nearby.Program{}
	for pid := uint64(1); pid <= 300; pid++ {
		p := &nearby.Program{ID: pid, MerchantID: 1, AppID: []string{"wxa", "wxb", "wxc"}[pid%3], Name: "Rewards", Category: "coffee"}
		for range 1 + rng.IntN(20) {
			p.StoreIDs = append(p.StoreIDs, 1+uint64(rng.IntN(3000)))
		}
		c.PutProgram(p)
		slices.Sort(p.StoreIDs)
		for _, sid := range slices.Compact(p.StoreIDs) {
			progAt[sid] = append(progAt[sid], p)
		}
	}
	ctx := context.Background()
	for i := range 60 {
		q := catalog.StoresQuery{Lat: 48.8 + rng.Float64()*0.1, Lng: 2.3 + rng.Float64()*0.1, RadiusM: 500 + rng.Float64()*3000,
			Limit: 1 + rng.IntN(30)}
		switch i % 6 {
		case 1:
			q.MerchantID = 2
		case 2:
			q.AppID = "wxb"
		case 3:
			q.Category, q.OpenNow = "food", true
		case 4:
			q.Q = "star"
		case 5:
			q.Q = "星巴克"
		}
		if i%10 == 0 {
			q.Lat, q.Lng = 48.85, 2.35
		}
		var want []uint64
		for id, s := range stores {
			d := geo.Distance(geo.Point{Lat: q.Lat, Lng: q.Lng}, geo.Point{Lat: s.Lat, Lng: s.Lng})
			if d > q.RadiusM || (q.MerchantID != 0 && s.MerchantID != q.MerchantID) || (q.Category != "" && s.Category != q.Category) ||
				(q.OpenNow && !ranking.OpenAt(s.Hours, nil, monday)) {
				continue
			}
			if q.AppID != "" && !slices.ContainsFunc(progAt[id], func(p *nearby.Program) bool { return p.AppID == q.AppID }) {
				continue
			}
			if q.Q == "star" && s.Name != "Starbucks" || q.Q == "星巴克" && s.Name != "星巴克咖啡" {
				continue
			}
			want = append(want, id)
		}
		dist := func(id uint64) float64 {
			return geo.Distance(geo.Point{Lat: q.Lat, Lng: q.Lng}, geo.Point{Lat: stores[id].Lat, Lng: stores[id].Lng})
		}
		slices.SortFunc(want, func(a, b uint64) int { return cmp.Or(cmp.Compare(dist(a), dist(b)), cmp.Compare(a, b)) })
		var got []uint64
		for pages := 0; ; pages++ {
			page, err := c.StoresNearby(ctx, q)
			if err != nil {
				t.Fatalf("query %d %+v: %v", i, q, err)
			}
			if len(page.Results) > q.Limit {
				t.Fatalf("query %d: %d results, limit %d", i, len(page.Results), q.Limit)
			}
			for _, r := range page.Results {
				got = append(got, r.Store.ID)
				if len(r.Programs) != len(progAt[r.Store.ID]) {
					t.Fatalf("store %d: %d programs, want %d", r.Store.ID, len(r.Programs), len(progAt[r.Store.ID]))
				}
				if r.Open != ranking.OpenAt(r.Store.Hours, nil, monday) {
					t.Fatalf("store %d: open %v", r.Store.ID, r.Open)
				}
				if (q.Q != "") != (r.Relevance > 0) {
					t.Fatalf("store %d: relevance %v for q %q", r.Store.ID, r.Relevance, q.Q)
				}
			}
			if page.NextCursor == "" || pages > 500 {
				break
			}
			q.Cursor = page.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %+v:\n got %v\nwant %v", i, q, got, want)
		}
	}
}

func TestCatalog_StoresNearby_Validate(t *testing.T) {
	c, _ := MustNew(t, nil)
	for _, tc := range []struct {
		q     catalog.StoresQuery
		field string
	}{
		{catalog.StoresQuery{Lat: 91}, "lat"},
		{catalog.StoresQuery{RadiusM: 60000}, "radius_m"},
		{catalog.StoresQuery{Limit: 1000}, "limit"},
		{catalog.StoresQuery{Category: "Bad Cat"}, "category"},
		{catalog.StoresQuery{Q: "!!!"}, "q"},
		{catalog.StoresQuery{Cursor: "nope"}, "cursor"},
	} {
		_, err := c.StoresNearby(context.Background(), tc.q)
		var e *nearby.Error
		if !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
			t.Errorf("%+v: error %v, want one naming %s", tc.q, err, tc.field)
		}
	}
	q := catalog.StoresQuery{Lat: 1, Lng: 1, Limit: 1, Cursor: storeCursorOf(t, c)}
	q.Category = "food"
	if _, err := c.StoresNearby(context.Background(), q); nearby.ErrorCode(err) != nearby.EINVALID {
		t.Errorf("cursor of other parameters: %v, want EINVALID", err)
	}
}

// storeCursorOf returns a cursor of a locator query around (1, 1).
func storeCursorOf(t *testing.T, c *catalog.Catalog) string {
	t.Helper()
	for id := uint64(1); id <= 3; id++ {
		c.PutStore(&nearby.Store{ID: id, MerchantID: 1, Name: "s", Lat: 1, Lng: 1, Category: "coffee"})
	}
	page, err := c.StoresNearby(context.Background(), catalog.StoresQuery{Lat: 1, Lng: 1, Limit: 1})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("page %+v, %v: want a cursor", page, err)
	}
	return page.NextCursor
}
