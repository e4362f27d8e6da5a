package catalog_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/ranking"
)

// TestCatalog_Nearby_AppAndMerchant: the app id and merchant filters equal
// the brute force over just the programs they keep.
func TestCatalog_Nearby_AppAndMerchant(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 3))
	c, _ := MustNew(t, nil)
	stores := map[uint64]*nearby.Store{}
	for id := uint64(1); id <= 500; id++ {
		stores[id] = store(id, 48.85+rng.Float64()*0.03, 2.35+rng.Float64()*0.03)
		if err := c.PutStore(stores[id]); err != nil {
			t.Fatal(err)
		}
	}
	var programs []*nearby.Program
	for pid := uint64(1); pid <= 60; pid++ {
		p := program(pid, "coffee")
		p.MerchantID, p.AppID = 1+pid%3, []string{"wxa", "wxb"}[pid%2]
		for range 1 + rng.IntN(30) {
			p.StoreIDs = append(p.StoreIDs, 1+uint64(rng.IntN(500)))
		}
		c.PutProgram(p)
		programs = append(programs, p)
	}
	for _, q := range []catalog.NearbyQuery{
		{Lat: 48.86, Lng: 2.36, Limit: 5, AppID: "wxb"},
		{Lat: 48.86, Lng: 2.36, Limit: 5, MerchantID: 2},
		{Lat: 48.86, Lng: 2.36, Limit: 3, MerchantID: 3, AppID: "wxa"},
		{Lat: 48.86, Lng: 2.36, Limit: 3, AppID: "none"},
	} {
		var kept []*nearby.Program
		for _, p := range programs {
			if (q.AppID == "" || p.AppID == q.AppID) && (q.MerchantID == 0 || p.MerchantID == q.MerchantID) {
				kept = append(kept, p)
			}
		}
		q.RadiusM = 10000
		CompareWithBrute(t, AllPages(t, c, q), Brute(stores, kept, q, c.Weights(), monday, func(uint64) float64 { return -1 }))
	}
}

// TestCatalog_Nearby_Q: q keeps the programs whose name, or whose store's
// name or tags, match, in Latin (any case and accents, prefixes) and in
// Chinese (bigrams); relevance shows in explain and the parts still add
// up to the score.
func TestCatalog_Nearby_Q(t *testing.T) {
	c, _ := MustNew(t, nil)
	put := func(id uint64, name string, lat float64, tags ...string) {
		s := store(id, lat, 2.35)
		s.Name, s.Tags = name, tags
		if err := c.PutStore(s); err != nil {
			t.Fatal(err)
		}
	}
	put(1, "Café de Flore", 48.850)
	put(2, "星巴克咖啡", 48.851)
	put(3, "Boulangerie", 48.852, "croissant")
	put(4, "Starbucks Reserve", 48.853)
	for pid, name := range map[uint64]string{1: "Loyalty", 2: "会员", 3: "Bread club", 4: "Rewards", 5: "Starbucks Rewards"} {
		p := program(pid, "coffee", pid)
		if pid == 5 {
			p.StoreIDs = []uint64{3}
		}
		p.Name = name
		c.PutProgram(p)
	}
	for _, tc := range []struct {
		q    string
		want []uint64 // program ids, in any order
	}{
		{"CAFE", []uint64{1}},
		{"flo", []uint64{1}},
		{"café flore", []uint64{1}},
		{"星巴克", []uint64{2}},
		{"咖啡", []uint64{2}},
		{"croiss", []uint64{3, 5}}, // a store tag: both programs there
		{"star", []uint64{4, 5}},
		{"starbucks rewards", []uint64{4, 5}}, // words split between program and store
		{"bucks", nil},
	} {
		page, err := c.Nearby(context.Background(), catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Q: tc.q, Explain: true})
		if err != nil {
			t.Fatalf("q=%q: %v", tc.q, err)
		}
		got := map[uint64]bool{}
		for _, r := range page.Results {
			got[r.Program.ID] = true
			sum := 0.0
			for _, v := range r.Explain {
				sum += v
			}
			if r.Explain[ranking.FactorRelevance] <= 0 || math.Abs(sum-r.Score) > 1e-12 {
				t.Errorf("q=%q: explain %v (sum %v, score %v): want relevance, adding up", tc.q, r.Explain, sum, r.Score)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("q=%q: programs %v, want %v", tc.q, got, tc.want)
		}
		for _, id := range tc.want {
			if !got[id] {
				t.Errorf("q=%q: program %d missing (got %v)", tc.q, id, got)
			}
		}
	}
	// Relevance ranks: at equal distance and fit, the exact name first.
	page, _ := c.Nearby(context.Background(), catalog.NearbyQuery{Lat: 48.852, Lng: 2.35, Q: "starbucks rewards", Explain: true})
	if len(page.Results) != 2 || page.Results[0].Program.ID != 5 {
		t.Errorf("starbucks rewards: %+v, want the program of that name first", page.Results)
	}
	if _, err := c.Nearby(context.Background(), catalog.NearbyQuery{Lat: 1, Lng: 1, Q: "!!"}); nearby.ErrorCode(err) != nearby.EINVALID {
		t.Errorf("q=!!: %v, want EINVALID", err)
	}
}
