package catalog_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/ranking"
)

func ptr[T any](v T) *T { return &v }

// load puts a world into a new catalog and records some activity.
func load(tb testing.TB, w *catalogtest.World, rng *rand.Rand) (*catalog.Catalog, map[uint64]*nearby.Store) {
	tb.Helper()
	c, _ := MustNew(tb, nil)
	byID := make(map[uint64]*nearby.Store, len(w.Stores))
	for _, s := range w.Stores {
		if err := c.PutStore(s); err != nil {
			tb.Fatal(err)
		}
		byID[s.ID] = s
	}
	for _, p := range w.Programs {
		c.PutProgram(p)
	}
	if rng != nil {
		for i := 0; i < len(w.Stores)/5; i++ {
			s := w.Stores[rng.IntN(len(w.Stores))]
			typ := []nearby.EventType{nearby.EventShake, nearby.EventEnter, nearby.EventExit}[rng.IntN(3)]
			c.RecordActivity(s.ID, typ, monday.Add(-time.Duration(rng.IntN(30*24))*time.Hour))
		}
	}
	return c, byID
}

func randomQuery(rng *rand.Rand, w *catalogtest.World) catalog.NearbyQuery {
	lat, lng := w.Point(rng)
	q := catalog.NearbyQuery{Lat: lat, Lng: lng, RadiusM: []float64{300, 1000, 2000, 5000}[rng.IntN(4)], Limit: 1 + rng.IntN(25), Explain: rng.IntN(2) == 0}
	if rng.IntN(3) == 0 {
		q.Category = catalogtest.Categories[rng.IntN(len(catalogtest.Categories))]
	}
	if rng.IntN(2) == 0 {
		q.Age = ptr(10 + rng.IntN(60))
	}
	if rng.IntN(2) == 0 {
		q.Gender = nearby.Genders[rng.IntN(len(nearby.Genders))]
	}
	if rng.IntN(2) == 0 {
		q.OS = nearby.OSes[rng.IntN(len(nearby.OSes))]
	}
	q.OpenNow = rng.IntN(3) == 0
	return q
}

func TestCatalog_Nearby_MatchesBruteForce(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	w := catalogtest.NewWorld(catalogtest.Options{Seed: seed, Stores: 4000, Cities: 3, Rich: true, Center: &[2]float64{48.85, 2.35}})
	c, stores := load(t, w, rng)
	total := 0
	for i := 0; i < 60; i++ {
		q := randomQuery(rng, w)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			got := AllPages(t, c, q)
			want := Brute(stores, w.Programs, withDefaults(q), c.Weights(), monday, func(id uint64) float64 { return c.Activity(id, monday) })
			CompareWithBrute(t, got, want)
			total += len(want)
		})
	}
	if total < 500 {
		t.Errorf("only %d results over all queries: the comparison is too weak", total)
	}
}

func withDefaults(q catalog.NearbyQuery) catalog.NearbyQuery {
	if err := q.Validate(); err != nil {
		panic(err)
	}
	return q
}

// TestCatalog_Nearby_Starbucks ranks real store locations: every Starbucks
// of the shared directory within about 300 km of London carries one program
// of its city's chain.
func TestCatalog_Nearby_Starbucks(t *testing.T) {
	f, err := os.Open("../../shared/data/starbucks_directory.csv")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("starbucks_directory.csv: ../shared/data not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	c, _ := MustNew(t, nil)
	stores := map[uint64]*nearby.Store{}
	chains := map[string]*nearby.Program{}
	var programs []*nearby.Program
	for id := uint64(1); ; {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lng, err1 := strconv.ParseFloat(rec[11], 64)
		lat, err2 := strconv.ParseFloat(rec[12], 64)
		if err1 != nil || err2 != nil || rec[7] != "GB" {
			continue
		}
		s := &nearby.Store{ID: id, MerchantID: 1, Name: rec[2], Lat: lat, Lng: lng, Category: "coffee"}
		id++
		if err := c.PutStore(s); err != nil {
			t.Fatal(err)
		}
		stores[s.ID] = s
		city := strings.ToLower(rec[6])
		p := chains[city]
		if p == nil || len(p.StoreIDs) >= 5 { // small chains, so many programs compete
			p = &nearby.Program{ID: uint64(len(programs) + 1), MerchantID: 1, AppID: "wx", Name: city, Category: "coffee"}
			chains[city] = p
			programs = append(programs, p)
		}
		p.StoreIDs = append(p.StoreIDs, s.ID)
	}
	if len(stores) < 500 {
		t.Fatalf("only %d GB stores read", len(stores))
	}
	for _, p := range programs {
		c.PutProgram(p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 30; i++ {
		s := stores[uint64(1+rng.IntN(len(stores)))]
		q := catalog.NearbyQuery{Lat: s.Lat + rng.NormFloat64()*0.01, Lng: s.Lng + rng.NormFloat64()*0.01, RadiusM: 5000, Limit: 7}
		got := AllPages(t, c, q)
		want := Brute(stores, programs, withDefaults(q), c.Weights(), monday, func(uint64) float64 { return -1 })
		CompareWithBrute(t, got, want)
	}
}

func TestCatalog_Nearby(t *testing.T) {
	ctx := context.Background()
	t.Run("NearestMatchingStore", func(t *testing.T) {
		c, _ := MustNew(t, nil)
		for i := uint64(1); i <= 5; i++ {
			c.PutStore(store(i, 48.85, 2.35+float64(i)*0.001))
		}
		closed := store(6, 48.85, 2.35)
		closed.Hours = nearby.Hours{"tue": {{"09:00", "10:00"}}}
		c.PutStore(closed)
		c.PutProgram(program(1, "coffee", 5, 3, 6, 4))
		page, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, OpenNow: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Results) != 1 || page.Results[0].Store.ID != 3 {
			t.Fatalf("got %+v, want program 1 once, at store 3", page.Results)
		}
		page, _ = c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35})
		if len(page.Results) != 1 || page.Results[0].Store.ID != 6 {
			t.Fatalf("without open_now got %+v, want program 1 at the closed store 6", page.Results)
		}
	})
	t.Run("FillsLimitPastAChain", func(t *testing.T) {
		c, _ := MustNew(t, nil)
		var chain []uint64
		// More stores of one chain around the phone than geo's k-nearest
		// limit, so the search must fall back to the streaming walk.
		for i := uint64(1); i <= geo.MaxLimit+500; i++ {
			c.PutStore(store(i, 48.85+float64(i%100)*0.00003, 2.35+float64(i/100)*0.00003))
			chain = append(chain, i)
		}
		c.PutProgram(program(1, "coffee", chain...))
		for i := uint64(0); i < 30; i++ { // 30 single stores farther out
			c.PutStore(store(1000+i, 48.86+float64(i)*0.0002, 2.35))
			c.PutProgram(program(100+i, "food", 1000+i))
		}
		page, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Results) != 20 || page.NextCursor == "" {
			t.Fatalf("got %d results (next %q), want 20 and a next page", len(page.Results), page.NextCursor)
		}
		page, _ = c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Limit: 20, Category: "food"})
		if len(page.Results) != 20 {
			t.Fatalf("category food: got %d results, want 20", len(page.Results))
		}
		for _, r := range page.Results {
			if r.Program.Category != "food" {
				t.Fatalf("category filter let %q through", r.Program.Category)
			}
		}
	})
	t.Run("StrictTargetingHides", func(t *testing.T) {
		c, _ := MustNew(t, nil)
		c.PutStore(store(1, 48.85, 2.35))
		c.PutStore(store(2, 48.85, 2.351))
		strict := program(1, "coffee", 1)
		strict.Targeting = &nearby.Targeting{OS: []string{"ios"}, Strict: true}
		soft := program(2, "coffee", 2)
		soft.Targeting = &nearby.Targeting{OS: []string{"ios"}}
		c.PutProgram(strict)
		c.PutProgram(soft)
		page, _ := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, OS: "android"})
		if len(page.Results) != 1 || page.Results[0].Program.ID != 2 {
			t.Fatalf("android got %+v, want only the non-strict program 2", page.Results)
		}
		page, _ = c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, OS: "ios"})
		if len(page.Results) != 2 || page.Results[0].Program.ID != 1 {
			t.Fatalf("ios got %+v, want both, the nearer program 1 first", page.Results)
		}
	})
	t.Run("DeterministicTies", func(t *testing.T) {
		c, _ := MustNew(t, nil)
		c.PutStore(store(1, 48.85, 2.351))
		for id := uint64(9); id >= 2; id-- {
			c.PutProgram(program(id, "coffee", 1))
		}
		for i := 0; i < 20; i++ {
			page, _ := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Limit: 3})
			var ids []uint64
			for _, r := range page.Results {
				ids = append(ids, r.Program.ID)
			}
			if fmt.Sprint(ids) != "[2 3 4]" {
				t.Fatalf("tie order %v, want [2 3 4]", ids)
			}
		}
	})
	t.Run("ExplainAddsUp", func(t *testing.T) {
		c, _ := MustNew(t, nil)
		c.PutStore(store(1, 48.85, 2.351))
		c.PutProgram(program(1, "coffee", 1))
		c.RecordActivity(1, nearby.EventShake, monday.Add(-time.Hour))
		page, _ := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Explain: true})
		r := page.Results[0]
		sum := r.Explain[ranking.FactorDistance] + r.Explain[ranking.FactorFitAge] + r.Explain[ranking.FactorFitGender] +
			r.Explain[ranking.FactorFitOS] + r.Explain[ranking.FactorPopularity] + r.Explain[ranking.FactorOpen]
		if math.Abs(sum-r.Score) > 1e-12 || len(r.Explain) != 6 {
			t.Fatalf("explain %v sums to %v, want score %v", r.Explain, sum, r.Score)
		}
		page, _ = c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35})
		if page.Results[0].Explain != nil {
			t.Errorf("explain served without being asked")
		}
	})
	t.Run("PolesAndAntimeridian", func(t *testing.T) {
		c, _ := MustNew(t, nil)
		c.PutStore(store(1, 89.99, 10))
		c.PutStore(store(2, -0.01, 179.999))
		c.PutStore(store(3, 0.01, -179.999))
		for i := uint64(1); i <= 3; i++ {
			c.PutProgram(program(i, "coffee", i))
		}
		for _, tc := range []struct {
			lat, lng float64
			want     int
		}{{90, 0, 1}, {-90, 180, 0}, {0, 180, 2}, {0, -180, 2}} {
			page, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: tc.lat, Lng: tc.lng, RadiusM: nearby.MaxRadiusM})
			if err != nil || len(page.Results) != tc.want {
				t.Errorf("at (%v, %v): %d results, %v; want %d", tc.lat, tc.lng, len(page.Results), err, tc.want)
			}
		}
	})
	t.Run("ErrCursorOfOtherQuery", func(t *testing.T) {
		c, _ := MustNew(t, nil)
		for i := uint64(1); i <= 3; i++ {
			c.PutStore(store(i, 48.85, 2.35+float64(i)*0.001))
			c.PutProgram(program(i, "coffee", i))
		}
		page, _ := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Limit: 1})
		_, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.36, Limit: 1, Cursor: page.NextCursor})
		if got := fieldOf(err); got != "cursor" {
			t.Fatalf("other query's cursor: error %v, want field cursor", err)
		}
		next, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Limit: 5, Cursor: page.NextCursor})
		if err != nil || len(next.Results) != 2 || next.NextCursor != "" {
			t.Fatalf("a bigger limit on page 2: %+v, %v; want the 2 remaining and no cursor", next, err)
		}
	})
}

func fieldOf(err error) string {
	var e *nearby.Error
	if errors.As(err, &e) && e.Code == nearby.EINVALID && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func TestNearbyQuery_Validate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		q := catalog.NearbyQuery{Lat: 1, Lng: 2}
		if err := q.Validate(); err != nil {
			t.Fatal(err)
		}
		if q.RadiusM != nearby.DefaultRadiusM || q.Limit != nearby.DefaultLimit {
			t.Errorf("defaults: radius %v, limit %d; want %v, %d", q.RadiusM, q.Limit, nearby.DefaultRadiusM, nearby.DefaultLimit)
		}
	})
	for _, tc := range []struct {
		field string
		q     catalog.NearbyQuery
	}{
		{"lat", catalog.NearbyQuery{Lat: 91}},
		{"lng", catalog.NearbyQuery{Lng: -180.5}},
		{"radius_m", catalog.NearbyQuery{RadiusM: -1}},
		{"radius_m", catalog.NearbyQuery{RadiusM: 50001}},
		{"limit", catalog.NearbyQuery{Limit: 101}},
		{"limit", catalog.NearbyQuery{Limit: -1}},
		{"category", catalog.NearbyQuery{Category: "Coffee!"}},
		{"age", catalog.NearbyQuery{Age: ptr(151)}},
		{"gender", catalog.NearbyQuery{Gender: "x"}},
		{"os", catalog.NearbyQuery{OS: "windows"}},
		{"cursor", catalog.NearbyQuery{Cursor: "not-a-cursor"}},
	} {
		t.Run("Err_"+tc.field, func(t *testing.T) {
			err := tc.q.Validate()
			if got := fieldOf(err); got != tc.field {
				t.Errorf("Validate() = %v, want an EINVALID error naming %q", err, tc.field)
			}
		})
	}
}
