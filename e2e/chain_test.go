package e2e_test

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

// haversine is the great-circle distance in metres on the mean-radius
// sphere, written out here so the brute force shares no code with geo.
func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dlat, dlng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// TestChain_Starbucks imports every store of the Starbucks directory as one
// merchant, makes one program present at all of them (by selection), and
// for 40 random points checks the store locator and /v1/nearby?app_id=
// against a brute force over all stores: the nearest stores by haversine,
// and the program once, at its nearest store.
func TestChain_Starbucks(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 25,599 stores")
	}
	f := openStarbucks(t)
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	w := csv.NewWriter(&body)
	w.Write([]string{"name", "lat", "lng", "category"})
	type pt struct{ lat, lng float64 }
	var rows []pt
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lat, err1 := strconv.ParseFloat(rec[12], 64)
		lng, err2 := strconv.ParseFloat(rec[11], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		w.Write([]string{rec[2], rec[12], rec[11], "coffee"})
		rows = append(rows, pt{lat, lng})
	}
	w.Flush()
	if len(rows) != 25599 {
		t.Fatalf("%d stores with coordinates in the directory, want 25,599", len(rows))
	}

	s := startServer(t)
	var m struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "Starbucks"}, &m)
	var imp struct {
		Imported int `json:"imported"`
	}
	start := time.Now()
	s.do(http.MethodPost, "/v1/stores/import", m.APIKey, "text/csv", &body, &imp)
	if imp.Imported != len(rows) {
		t.Fatalf("imported %d of %d stores", imp.Imported, len(rows))
	}
	// Import order is id order: store id i+1 is row i.
	var pg programRow
	s.postJSON("/v1/programs", m.APIKey, map[string]any{"app_id": "wxsbux", "name": "Starbucks Rewards", "category": "coffee",
		"store_selection": map[string]any{"all": true}}, &pg)
	if len(pg.StoreIDs) != len(rows) {
		t.Fatalf("program at %d stores, want all %d", len(pg.StoreIDs), len(rows))
	}
	t.Logf("imported %d stores and made one program of them in %v", len(rows), time.Since(start).Round(time.Millisecond))

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 16))
	for i := range 40 {
		c := rows[rng.IntN(len(rows))]
		lat := math.Max(-90, math.Min(90, c.lat+(rng.Float64()-0.5)*0.06))
		lng := c.lng + (rng.Float64()-0.5)*0.06
		if i%8 == 7 { // anywhere: often nothing near
			lat, lng = rng.Float64()*140-70, rng.Float64()*360-180
		}
		const radius = 5000.0
		type near struct {
			id   uint64
			dist float64
		}
		var want []near
		for j, p := range rows {
			if d := haversine(lat, lng, p.lat, p.lng); d <= radius {
				want = append(want, near{uint64(j + 1), d})
			}
		}
		slices.SortFunc(want, func(a, b near) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id)) })
		distOf := func(id uint64) float64 { p := rows[id-1]; return haversine(lat, lng, p.lat, p.lng) }
		// Two stores whose distances differ by less than a centimetre may
		// come in either order: the answer rounds to the centimetre and
		// two formulas of the sphere differ in the last bits.
		same := func(got uint64, w near) bool { return got == w.id || math.Abs(distOf(got)-w.dist) < 0.01 }

		where := fmt.Sprintf("lat=%v&lng=%v&radius_m=%v", lat, lng, radius)
		filter := []string{"&app_id=wxsbux", "&merchant_id=" + m.ID}[i%2]
		var loc struct {
			Items []struct {
				ID       string `json:"id"`
				Programs []struct {
					ID string `json:"id"`
				} `json:"programs"`
			} `json:"items"`
		}
		s.do(http.MethodGet, "/v1/stores/nearby?limit=20&"+where+filter, "", "", nil, &loc)
		if n := min(20, len(want)); len(loc.Items) != n {
			t.Fatalf("point %d (%s): locator gave %d stores, brute force %d", i, where, len(loc.Items), n)
		}
		for k, it := range loc.Items {
			id := mustID(t, nearby.KindStore, it.ID)
			if !same(id, want[k]) || len(it.Programs) != 1 || it.Programs[0].ID != pg.ID {
				t.Fatalf("point %d (%s): store %d is %s at %.2f m with %v, brute force store %d at %.2f m", i, where, k, it.ID,
					distOf(id), it.Programs, want[k].id, want[k].dist)
			}
		}
		var a nearbyAnswer
		s.do(http.MethodGet, "/v1/nearby?app_id=wxsbux&"+where, "", "", nil, &a)
		switch {
		case len(want) == 0 && len(a.Results) != 0:
			t.Fatalf("point %d (%s): nearby gave %+v, no store within the radius", i, where, a.Results)
		case len(want) > 0 && (len(a.Results) != 1 || a.Results[0].Program.ID != pg.ID ||
			!same(mustID(t, nearby.KindStore, a.Results[0].Store.ID), want[0])):
			t.Fatalf("point %d (%s): nearby gave %+v, want the program once at store %d (%.2f m)", i, where, a.Results, want[0].id, want[0].dist)
		}
	}

	// One store more, one store less: two writes, the list is not rewritten.
	first := nearby.FormatID(nearby.KindStore, 1)
	if code, b := s.status(http.MethodDelete, "/v1/programs/"+pg.ID+"/stores/"+first, m.APIKey, nil); code != http.StatusNoContent {
		t.Fatalf("unlink: %d %s", code, b)
	}
	var got programRow
	s.do(http.MethodGet, "/v1/programs/"+pg.ID, m.APIKey, "", nil, &got)
	if len(got.StoreIDs) != len(rows)-1 || slices.Contains(got.StoreIDs, first) {
		t.Fatalf("after unlinking %s: %d stores", first, len(got.StoreIDs))
	}
	var linked struct {
		Linked int `json:"linked"`
	}
	s.postJSON("/v1/programs/"+pg.ID+"/stores", m.APIKey, map[string]any{"store_ids": []string{first}}, &linked)
	if linked.Linked != 1 {
		t.Fatalf("relinking %s: linked %d", first, linked.Linked)
	}
}
