package e2e_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/daemon"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/ranking"
)

// monday is the fixed clock of the server: Monday 2026-11-23 20:30 UTC,
// 12:30 in California, so that opening hours matter.
var monday = time.Date(2026, 11, 23, 20, 30, 0, 0, time.UTC)

const adminToken = "e2e-admin-token"

// server is a running API over a fresh registry and catalog.
type server struct {
	tb   testing.TB
	url  string
	http *http.Client
}

func startServer(tb testing.TB) *server {
	tb.Helper()
	now := func() time.Time { return monday }
	cfg := api.DefaultConfig()
	cfg.AdminToken = adminToken
	cfg.RateLimit = 0
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(tb.TempDir(), "nearby.db"), API: cfg, Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Load(context.Background()); err != nil {
		tb.Fatal(err)
	}
	srv := d.Server
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return &server{tb: tb, url: hs.URL, http: hs.Client()}
}

// do sends a request and decodes a 2xx JSON answer into out.
func (s *server) do(method, path, token, contentType string, body io.Reader, out any) {
	s.tb.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		s.tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		s.tb.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.tb.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func (s *server) postJSON(path, token string, in, out any) {
	s.tb.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		s.tb.Fatal(err)
	}
	s.do(http.MethodPost, path, token, "application/json", bytes.NewReader(b), out)
}

// storeRow is a store as GET /v1/stores shows it.
type storeRow struct {
	ID       string       `json:"id"`
	Lat      float64      `json:"lat"`
	Lng      float64      `json:"lng"`
	Timezone string       `json:"timezone"`
	Hours    nearby.Hours `json:"hours"`
}

type programRow struct {
	ID        string            `json:"id"`
	Category  string            `json:"category"`
	StoreIDs  []string          `json:"store_ids"`
	Targeting *nearby.Targeting `json:"targeting"`
}

type nearbyAnswer struct {
	Results []struct {
		Program struct {
			ID string `json:"id"`
		} `json:"program"`
		Store struct {
			ID string `json:"id"`
		} `json:"store"`
		DistanceM float64            `json:"distance_m"`
		Score     float64            `json:"score"`
		Explain   map[string]float64 `json:"explain"`
	} `json:"results"`
	NextCursor string `json:"next_cursor"`
}

var hoursChoices = []nearby.Hours{
	nil, // unknown: open
	{"mon": {{"09:00", "18:00"}}, "tue": {{"09:00", "18:00"}}, "wed": {{"09:00", "18:00"}}},
	{"mon": {{"18:00", "02:00"}}, "sun": {{"18:00", "02:00"}}},
	{"mon": {{"06:00", "24:00"}}, "tue": {{"06:00", "24:00"}}},
}

// TestNearby_HTTP_MatchesBruteForce imports the Starbucks stores of
// California (about 2,800) through POST /v1/stores/import with varied hours,
// creates a few hundred programs (city chains and single stores, some with
// targeting) through POST /v1/programs, then pages through GET /v1/nearby
// for random phones and compares every page with a brute-force ranking
// computed here from what the API reports of the stores and programs.
func TestNearby_HTTP_MatchesBruteForce(t *testing.T) {
	f := openStarbucks(t)
	defer f.Close()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	// The import file: California's stores, each with one of the hours.
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	w := csv.NewWriter(&body)
	w.Write([]string{"name", "lat", "lng", "category", "timezone", "hours"})
	var cities []string // per imported row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[7] != "US" || rec[6] != "CA" || rec[5] == "" {
			continue
		}
		var h []byte
		if hc := hoursChoices[len(cities)%len(hoursChoices)]; hc != nil {
			h, _ = json.Marshal(hc)
		}
		w.Write([]string{rec[2], rec[12], rec[11], "coffee", "America/Los_Angeles", string(h)})
		cities = append(cities, rec[5])
	}
	w.Flush()
	if len(cities) < 2000 {
		t.Fatalf("only %d California stores in the directory", len(cities))
	}

	s := startServer(t)
	var m struct {
		APIKey string `json:"api_key"`
	}
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "e2e"}, &m)
	var imp struct {
		Imported int `json:"imported"`
	}
	s.do(http.MethodPost, "/v1/stores/import", m.APIKey, "text/csv", &body, &imp)
	if imp.Imported != len(cities) {
		t.Fatalf("imported %d of %d stores", imp.Imported, len(cities))
	}

	// What the API says the stores are.
	stores := map[uint64]storeRow{}
	var order []uint64
	for cursor := ""; ; {
		var page struct {
			Items      []storeRow `json:"items"`
			NextCursor string     `json:"next_cursor"`
		}
		s.do(http.MethodGet, "/v1/stores?limit=100&cursor="+url.QueryEscape(cursor), m.APIKey, "", nil, &page)
		for _, st := range page.Items {
			id := mustID(t, nearby.KindStore, st.ID)
			stores[id] = st
			order = append(order, id)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(stores) != len(cities) {
		t.Fatalf("listed %d stores, imported %d", len(stores), len(cities))
	}

	// Programs: chains of up to 6 stores of one city, and a second, single
	// program at every seventh store; some with targeting.
	var programs []programRow
	byCity := map[string][]string{}
	for i, id := range order { // import order is id order
		byCity[cities[i]] = append(byCity[cities[i]], nearby.FormatID(nearby.KindStore, id))
	}
	names := make([]string, 0, len(byCity))
	for c := range byCity {
		names = append(names, c)
	}
	slices.Sort(names)
	create := func(category string, storeIDs []string) {
		in := map[string]any{"app_id": "wx" + strconv.Itoa(len(programs)), "name": "p", "category": category, "store_ids": storeIDs}
		switch rng.IntN(6) {
		case 0:
			in["targeting"] = map[string]any{"os": []string{"ios"}}
		case 1:
			in["targeting"] = map[string]any{"age_min": 18, "age_max": 30, "strict": true}
		case 2:
			in["targeting"] = map[string]any{"genders": []string{"female"}, "os": []string{"android"}}
		}
		var p programRow
		s.postJSON("/v1/programs", m.APIKey, in, &p)
		programs = append(programs, p)
	}
	for _, c := range names {
		ids := byCity[c]
		for len(ids) > 0 {
			n := min(len(ids), 1+rng.IntN(6))
			create([]string{"coffee", "food"}[rng.IntN(2)], ids[:n])
			ids = ids[n:]
		}
	}
	for i := 0; i < len(order); i += 7 {
		create("retail", []string{nearby.FormatID(nearby.KindStore, order[i])})
	}
	t.Logf("%d stores, %d programs", len(stores), len(programs))

	total := 0
	for i := 0; i < 60; i++ {
		st := stores[order[rng.IntN(len(order))]]
		q := url.Values{}
		lat, lng := st.Lat+rng.NormFloat64()*0.02, st.Lng+rng.NormFloat64()*0.02
		q.Set("lat", strconv.FormatFloat(lat, 'f', -1, 64))
		q.Set("lng", strconv.FormatFloat(lng, 'f', -1, 64))
		radius := []float64{1000, 3000, 8000}[rng.IntN(3)]
		q.Set("radius_m", strconv.FormatFloat(radius, 'f', -1, 64))
		limit := 1 + rng.IntN(30)
		q.Set("limit", strconv.Itoa(limit))
		phone := ranking.Phone{}
		if rng.IntN(2) == 0 {
			phone.OS = []string{"ios", "android"}[rng.IntN(2)]
			q.Set("os", phone.OS)
		}
		if rng.IntN(2) == 0 {
			phone.Age = ptr(15 + rng.IntN(30))
			q.Set("age", strconv.Itoa(*phone.Age))
		}
		category := ""
		if rng.IntN(3) == 0 {
			category = []string{"coffee", "food", "retail"}[rng.IntN(3)]
			q.Set("category", category)
		}
		openNow := rng.IntN(2) == 0
		if openNow {
			q.Set("open_now", "true")
		}
		q.Set("explain", "true")

		want := brute(stores, programs, lat, lng, radius, category, openNow, phone)
		var got []result
		for cursor, pages := "", 0; ; pages++ {
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			var a nearbyAnswer
			s.do(http.MethodGet, "/v1/nearby?"+q.Encode(), "", "", nil, &a)
			if len(a.Results) > limit {
				t.Fatalf("query %d: page of %d results, limit %d", i, len(a.Results), limit)
			}
			for _, r := range a.Results {
				sum := 0.0
				for _, v := range r.Explain {
					sum += v
				}
				if len(r.Explain) != 6 || math.Abs(sum-r.Score) > 1e-9 {
					t.Fatalf("query %d: explain %v does not add up to %v", i, r.Explain, r.Score)
				}
				got = append(got, result{program: mustID(t, nearby.KindProgram, r.Program.ID), store: mustID(t, nearby.KindStore, r.Store.ID),
					dist: r.DistanceM, score: r.Score})
			}
			if cursor = a.NextCursor; cursor == "" || pages > 1000 {
				break
			}
		}
		if len(got) != len(want) {
			t.Fatalf("query %d (%s): %d results over HTTP, brute force %d", i, q.Encode(), len(got), len(want))
		}
		if k, msg := compareRanking(got, want); msg != "" {
			t.Fatalf("query %d (%s) result %d: %s", i, q.Encode(), k, msg)
		}
		total += len(want)
	}
	if total < 150 {
		t.Errorf("only %d results over all queries: the comparison is too weak", total)
	}
}

type result struct {
	program, store uint64
	dist, score    float64
}

// brute ranks every program at its nearest matching store within the
// radius by scanning all of them: each program at most once, ordered by
// score, distance, program id. Popularity is neutral (no events).
func brute(stores map[uint64]storeRow, programs []programRow, lat, lng, radius float64, category string, openNow bool, phone ranking.Phone) []result {
	var out []result
	for _, p := range programs {
		if (category != "" && p.Category != category) || bruteExcluded(p.Targeting, phone) {
			continue
		}
		best := result{dist: math.Inf(1)}
		for _, sid := range p.StoreIDs {
			id, _ := nearby.ParseID(nearby.KindStore, "", sid)
			st := stores[id]
			d := geo.Distance(geo.Point{Lat: lat, Lng: lng}, geo.Point{Lat: st.Lat, Lng: st.Lng})
			loc, _ := time.LoadLocation(st.Timezone)
			open := bruteOpen(st.Hours, loc, monday)
			if d > radius || (openNow && !open) {
				continue
			}
			if d < best.dist || (d == best.dist && id < best.store) {
				score := bruteScore(d, p.Targeting, phone, open)
				pid, _ := nearby.ParseID(nearby.KindProgram, "", p.ID)
				best = result{program: pid, store: id, dist: d, score: score}
			}
		}
		if best.store != 0 {
			out = append(out, best)
		}
	}
	slices.SortFunc(out, func(a, b result) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(a.program, b.program)
	})
	return out
}

// The brute force scores from the documented formula and defaults (README,
// "How phones' results are ranked"), written out here rather than calling
// the ranking package, so that the test checks the server's ranking and not
// only its search: 0.6 × 2^(−d / 1000 m) + 0.2 × fit + 0.1 × popularity
// (neutral 0.5: no events) + 0.1 × open now.
func bruteScore(d float64, t *nearby.Targeting, p ranking.Phone, open bool) float64 {
	score := 0.6*math.Pow(2, -d/1000) + 0.2*bruteFit(t, p) + 0.1*0.5
	if open {
		score += 0.1
	}
	return score
}

// bruteFit is the mean over the dimensions (age, gender, OS) of 1 when
// the program targets it and the phone is inside, 0 when the phone is
// outside, and 0.5 when it is not targeted or the phone does not say.
func bruteFit(t *nearby.Targeting, p ranking.Phone) float64 {
	dims := [3]float64{0.5, 0.5, 0.5}
	if t == nil {
		return 0.5
	}
	if (t.AgeMin != nil || t.AgeMax != nil) && p.Age != nil {
		dims[0] = 1
		if (t.AgeMin != nil && *p.Age < *t.AgeMin) || (t.AgeMax != nil && *p.Age > *t.AgeMax) {
			dims[0] = 0
		}
	}
	enum := func(targeted []string, v string) float64 {
		switch {
		case len(targeted) == 0 || v == "":
			return 0.5
		case slices.Contains(targeted, v):
			return 1
		}
		return 0
	}
	dims[1], dims[2] = enum(t.Genders, p.Gender), enum(t.OS, p.OS)
	return (dims[0] + dims[1] + dims[2]) / 3
}

// bruteExcluded: strict targeting hides a program from a phone that
// contradicts it on some dimension.
func bruteExcluded(t *nearby.Targeting, p ranking.Phone) bool {
	if t == nil || !t.Strict {
		return false
	}
	ageOut := p.Age != nil && ((t.AgeMin != nil && *p.Age < *t.AgeMin) || (t.AgeMax != nil && *p.Age > *t.AgeMax))
	out := func(targeted []string, v string) bool {
		return len(targeted) > 0 && v != "" && !slices.Contains(targeted, v)
	}
	return ageOut || out(t.Genders, p.Gender) || out(t.OS, p.OS)
}

// bruteOpen reads the hours as the contract states them: unknown hours are
// open; a range is [open, close) in the store's zone, and one whose close
// is not after its open runs past midnight into the next day.
func bruteOpen(h nearby.Hours, loc *time.Location, at time.Time) bool {
	if len(h) == 0 {
		return true
	}
	local := at.In(loc)
	m := local.Hour()*60 + local.Minute()
	clock := func(s string) int { n, _ := nearby.ParseClock(s); return n }
	for _, r := range h[nearby.Weekdays[local.Weekday()]] {
		from, to := clock(r[0]), clock(r[1])
		if m >= from && (m < to || to <= from) {
			return true
		}
	}
	for _, r := range h[nearby.Weekdays[(local.Weekday()+6)%7]] { // yesterday's, past midnight
		if from, to := clock(r[0]), clock(r[1]); to <= from && m < to {
			return true
		}
	}
	return false
}

// compareRanking returns the first position where got differs from want,
// and how. The data set's coordinates have two decimals, so many stores
// share a point: results whose scores agree within 1e-9 are ties, whose
// order the index's and the brute force's float noise may decide
// differently. Within such a run the same (program, store) pairs must
// appear, in any order.
func compareRanking(got, want []result) (int, string) {
	for i := 0; i < len(want); {
		j := i + 1
		for j < len(want) && want[j].score-want[j-1].score > -1e-9 {
			j++
		}
		seen := map[[2]uint64]int{}
		for k := i; k < j; k++ {
			g, w := got[k], want[k]
			if math.Abs(g.score-w.score) > 1e-9 || math.Abs(g.dist-w.dist) > 0.006 {
				return k, fmt.Sprintf("HTTP %+v, brute force %+v", g, w)
			}
			seen[[2]uint64{g.program, g.store}]++
			seen[[2]uint64{w.program, w.store}]--
		}
		for pair, n := range seen {
			if n != 0 {
				return i, fmt.Sprintf("tied run %d..%d differs at program %d, store %d", i, j-1, pair[0], pair[1])
			}
		}
		i = j
	}
	return 0, ""
}

func mustID(tb testing.TB, kind, s string) uint64 {
	tb.Helper()
	id, err := nearby.ParseID(kind, "id", s)
	if err != nil {
		tb.Fatalf("%s id %q: %v", kind, s, err)
	}
	return id
}

func ptr[T any](v T) *T { return &v }
