package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
)

// The heatmap's size cap counts only the caller's stores: counting every
// store in the box would let a merchant learn how many stores its
// competitors have there by bisecting boxes against the error.
func TestServer_HeatmapCapCountsOnlyOwnStores(t *testing.T) {
	ts := newTestServer(t, func(c *api.Config) { c.MaxHeatmap = 2 })
	key := withMerchant(ts)
	put := func(id, merchant uint64, lat, lng float64) {
		t.Helper()
		if err := ts.Cat.PutStore(&nearby.Store{ID: id, MerchantID: merchant, Name: "s", Lat: lat, Lng: lng, Category: "shop"}); err != nil {
			t.Fatal(err)
		}
	}
	put(1, 1, 51.50, -0.10) // the caller's
	put(2, 1, 51.51, -0.11) // the caller's
	for id := uint64(3); id < 13; id++ {
		put(id, 2, 51.5+float64(id)/1000, -0.12) // a competitor's
	}
	ts.Reg.StoreEventCountsFn = func(_ context.Context, ids []uint64, _, _ time.Time) (map[uint64]int64, map[uint64]bool, error) {
		out := map[uint64]int64{}
		for _, id := range ids {
			if id > 2 {
				t.Errorf("StoreEventCounts asked about store %d of another merchant", id)
			}
			out[id] = int64(id) * 10
		}
		return out, nil, nil
	}
	const box = "min_lat=51&min_lng=-1&max_lat=52&max_lng=1"

	w := ts.serve("GET", "/v1/stats/heatmap?res=5&"+box, key, "")
	if w.Code != 200 {
		t.Fatalf("status = %d, want 200 (12 stores in the box, 2 of them the caller's, cap 2): %s", w.Code, w.Body)
	}
	var got struct {
		Cells []struct {
			Count  int64 `json:"count"`
			Stores int   `json:"stores"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var count int64
	var stores int
	for _, c := range got.Cells {
		count += c.Count
		stores += c.Stores
	}
	if count != 30 || stores != 2 {
		t.Fatalf("heatmap totals = %d events over %d stores, want 30 over 2", count, stores)
	}

	put(13, 1, 51.52, -0.13) // a third store of the caller's: now over the cap
	w = ts.serve("GET", "/v1/stats/heatmap?res=5&"+box, key, "")
	if p := problemOf(t, w); w.Code != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "bounds" {
		t.Fatalf("over the cap: status %d, problem %+v; want 400 naming bounds", w.Code, p)
	}
}

// ?boundary=true adds each cell's polygon, whose vertices surround the
// stores counted in it; without it the answer has no boundary; a value that
// is not a boolean is a 400 naming the parameter.
func TestServer_HeatmapBoundary(t *testing.T) {
	ts := newTestServer(t, nil)
	key := withMerchant(ts)
	if err := ts.Cat.PutStore(&nearby.Store{ID: 1, MerchantID: 1, Name: "s", Lat: 51.5, Lng: -0.1, Category: "shop"}); err != nil {
		t.Fatal(err)
	}
	ts.Reg.StoreEventCountsFn = func(_ context.Context, ids []uint64, _, _ time.Time) (map[uint64]int64, map[uint64]bool, error) {
		return map[uint64]int64{1: 7}, nil, nil
	}
	const box = "/v1/stats/heatmap?res=7&min_lat=51&min_lng=-1&max_lat=52&max_lng=1"
	type cell struct {
		Count    int64        `json:"count"`
		Boundary [][2]float64 `json:"boundary"`
	}
	for _, tc := range []struct {
		query    string
		vertices bool
	}{{"", false}, {"&boundary=false", false}, {"&boundary=true", true}} {
		w := ts.serve("GET", box+tc.query, key, "")
		var got struct{ Cells []cell }
		if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != 200 || err != nil || len(got.Cells) != 1 || got.Cells[0].Count != 7 {
			t.Fatalf("%q: %d %s (%v)", tc.query, w.Code, w.Body, err)
		}
		b := got.Cells[0].Boundary
		if !tc.vertices {
			if b != nil {
				t.Errorf("%q: boundary %v, want none", tc.query, b)
			}
			continue
		}
		if len(b) != 6 {
			t.Fatalf("%q: %d vertices, want a hexagon", tc.query, len(b))
		}
		minLat, maxLat, minLng, maxLng := 90.0, -90.0, 180.0, -180.0
		for _, v := range b {
			minLat, maxLat, minLng, maxLng = min(minLat, v[0]), max(maxLat, v[0]), min(minLng, v[1]), max(maxLng, v[1])
		}
		if 51.5 < minLat || 51.5 > maxLat || -0.1 < minLng || -0.1 > maxLng || maxLat-minLat > 0.1 {
			t.Errorf("boundary %v does not surround the store at 51.5,-0.1 as a res-7 cell", b)
		}
	}
	w := ts.serve("GET", box+"&boundary=maybe", key, "")
	if p := problemOf(t, w); w.Code != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "boundary" {
		t.Fatalf("boundary=maybe: status %d, problem %+v; want 400 naming boundary", w.Code, p)
	}
}
