package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby/internal/syncbuf"
)

// TestMain_Journey walks one merchant through the whole contract on the
// real server, with a second merchant who must never see the first's data,
// then restarts the server and finds everything again.
func TestMain_Journey(t *testing.T) {
	dir := t.TempDir()
	m := MustRunMain(t, dir)
	c := clientOf(t, m)

	c.must(200, "GET", "/healthz", "", nil)
	c.must(200, "GET", "/readyz", "", nil)
	_, keyA := newMerchant(c, "Acme Coffee")
	_, keyB := newMerchant(c, "Bolt Burgers")

	// Stores.
	st := c.must(201, "POST", "/v1/stores", keyA, map[string]any{
		"name": "Acme Soho", "lat": 51.5136, "lng": -0.1365, "category": "coffee",
		"timezone": "Europe/London", "hours": map[string]any{"mon": [][2]string{{"08:00", "20:00"}}}, "tags": []string{"wifi"},
	})
	storeID := st.Str(t, "id")
	if got := c.must(200, "GET", "/v1/stores/"+storeID, keyA, nil).Str(t, "name"); got != "Acme Soho" {
		t.Errorf("store name = %q, want Acme Soho", got)
	}
	upd := c.must(200, "PUT", "/v1/stores/"+storeID, keyA, map[string]any{
		"name": "Acme Soho Square", "lat": 51.5150, "lng": -0.1320, "category": "coffee"})
	if got := upd.JSON(t)["lat"]; got != 51.515 {
		t.Errorf("updated lat = %v, want 51.515", got)
	}

	// Programs and beacons.
	pg := c.must(201, "POST", "/v1/programs", keyA, map[string]any{
		"app_id": "wx-acme", "name": "Acme Rewards", "category": "coffee", "store_ids": []string{storeID},
		"targeting": map[string]any{"age_min": 18}})
	programID := pg.Str(t, "id")
	bc := c.must(201, "POST", "/v1/beacons", keyA, map[string]any{
		"store_id": storeID, "label": "till", "page": map[string]any{"program_id": programID, "path": "/coupon"}})
	beacon := bc.JSON(t)
	beaconID, agentToken := beacon["id"].(string), beacon["agent_token"].(string)
	if beacon["uuid"] == "" || !strings.HasPrefix(agentToken, "at_") {
		t.Fatalf("beacon = %v: want an allocated uuid and an agent token", beacon)
	}
	if g := c.must(200, "GET", "/v1/beacons/"+beaconID, keyA, nil).JSON(t); g["agent_token"] != nil {
		t.Errorf("GET beacon shows the agent token again: %v", g)
	}
	// Bringing an identity that is taken is a conflict naming uuid.
	dup := c.do("POST", "/v1/beacons", keyA, map[string]any{"store_id": storeID,
		"uuid": beacon["uuid"], "major": beacon["major"], "minor": beacon["minor"]})
	checkProblem(t, dup, 409, "uuid")

	// Phones.
	near := c.must(200, "GET", "/v1/nearby?lat=51.514&lng=-0.133&radius_m=2000&explain=true", "", nil).JSON(t)
	results, _ := near["results"].([]any)
	if len(results) != 1 || results[0].(map[string]any)["program"].(map[string]any)["id"] != programID {
		t.Fatalf("nearby = %v, want program %s", near, programID)
	}
	sighting := map[string]any{"uuid": beacon["uuid"], "major": beacon["major"], "minor": beacon["minor"], "rssi": -65}
	res := c.must(200, "POST", "/v1/beacons/resolve", "", map[string]any{"beacons": []any{sighting}}).JSON(t)
	if rs, _ := res["results"].([]any); len(rs) != 1 {
		t.Fatalf("resolve = %v, want one result", res)
	}
	shake := c.must(200, "POST", "/v1/shake", "", map[string]any{"device_id": "phone-1", "beacons": []any{sighting}}).JSON(t)
	ticket, _ := shake["ticket"].(string)
	if shake["chosen"] == nil || ticket == "" {
		t.Fatalf("shake = %v, want a chosen beacon and a ticket", shake)
	}
	if got := c.must(200, "GET", "/v1/shakes/"+ticket, keyA, nil).Str(t, "beacon_id"); got != beaconID {
		t.Errorf("shake beacon_id = %q, want %q", got, beaconID)
	}
	c.must(404, "GET", "/v1/shakes/"+ticket, keyB, nil)
	fb := c.must(200, "POST", "/v1/shake", "", map[string]any{"device_id": "phone-2", "lat": 51.514, "lng": -0.133}).JSON(t)
	if fb["fallback"] != "location" || fb["chosen"] == nil {
		t.Errorf("shake without beacons = %v, want a location fallback", fb)
	}

	// The agent.
	cfg := c.must(200, "GET", "/v1/agent/config", agentToken, nil).JSON(t)
	if cfg["beacon_id"] != beaconID || cfg["uuid"] != beacon["uuid"] {
		t.Errorf("agent config = %v, want beacon %s", cfg, beaconID)
	}
	c.must(204, "POST", "/v1/agent/heartbeat", agentToken, map[string]any{"uptime_s": 42, "version": "1.0", "battery": 88.5, "spool_depth": 3, "dropped": 0})
	hb, _ := c.must(200, "GET", "/v1/beacons/"+beaconID, keyA, nil).JSON(t)["last_heartbeat"].(map[string]any)
	if hb == nil || hb["uptime_s"] != 42.0 || hb["spool_depth"] != 3.0 {
		t.Errorf("last_heartbeat = %v, want uptime_s 42 and spool_depth 3", hb)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	evID := uuid.NewString()
	events := map[string]any{"events": []any{
		map[string]any{"id": evID, "type": "enter", "at": now, "device_id": "phone-1"},
		map[string]any{"id": "not-a-uuid", "type": "enter", "at": now, "device_id": "phone-1"},
		map[string]any{"id": uuid.NewString(), "type": "dwell", "at": now, "device_id": "phone-1", "dwell_ms": 60000},
	}}
	er := c.must(200, "POST", "/v1/agent/events", agentToken, events).JSON(t)
	if er["accepted"] != 2.0 || er["duplicates"] != 0.0 {
		t.Errorf("events = %v, want 2 accepted", er)
	}
	if rej, _ := er["rejected"].([]any); len(rej) != 1 || rej[0].(map[string]any)["index"] != 1.0 {
		t.Errorf("rejected = %v, want index 1", er["rejected"])
	}
	er = c.must(200, "POST", "/v1/agent/events", agentToken, events).JSON(t)
	if er["accepted"] != 0.0 || er["duplicates"] != 2.0 {
		t.Errorf("events again = %v, want 2 duplicates", er)
	}

	// Statistics.
	today := time.Now().UTC().Format(time.DateOnly)
	ss := c.must(200, "GET", "/v1/stats/stores/"+storeID+"?from="+today+"&to="+today, keyA, nil).JSON(t)
	days, _ := ss["days"].([]any)
	// One phone is fewer than the minimum count (5): its day is suppressed.
	if len(days) != 1 || days[0].(map[string]any)["visits"] != nil || days[0].(map[string]any)["shake_pv"] != nil || days[0].(map[string]any)["suppressed"] != true {
		t.Errorf("store stats = %v, want one suppressed day (one phone)", ss)
	}
	c.must(200, "GET", "/v1/stats/beacons/"+beaconID, keyA, nil)
	heat := c.must(200, "GET", "/v1/stats/heatmap?res=7&min_lat=51&min_lng=-1&max_lat=52&max_lng=1", keyA, nil).JSON(t)
	if cells, _ := heat["cells"].([]any); len(cells) != 1 || cells[0].(map[string]any)["count"] != nil || cells[0].(map[string]any)["suppressed"] != true {
		t.Errorf("heatmap = %v, want one cell, its one phone's events suppressed", heat)
	}
	if cells, _ := c.must(200, "GET", "/v1/stats/heatmap?res=7&min_lat=51&min_lng=-1&max_lat=52&max_lng=1", keyB, nil).JSON(t)["cells"].([]any); len(cells) != 0 {
		t.Errorf("merchant B's heatmap = %v, want no cells", cells)
	}

	// Another merchant's ids are 404, and they cannot reference them.
	for _, p := range []string{"/v1/stores/" + storeID, "/v1/programs/" + programID, "/v1/beacons/" + beaconID,
		"/v1/stats/stores/" + storeID, "/v1/stats/beacons/" + beaconID} {
		checkProblem(t, c.do("GET", p, keyB, nil), 404, "")
	}
	checkProblem(t, c.do("PUT", "/v1/stores/"+storeID, keyB, map[string]any{"name": "x", "lat": 1, "lng": 1, "category": "x"}), 404, "")
	checkProblem(t, c.do("DELETE", "/v1/programs/"+programID, keyB, nil), 404, "")
	checkProblem(t, c.do("POST", "/v1/programs", keyB, map[string]any{"app_id": "b", "name": "B", "category": "food", "store_ids": []string{storeID}}), 400, "store_ids[0]")
	checkProblem(t, c.do("POST", "/v1/beacons", keyB, map[string]any{"store_id": storeID}), 400, "store_id")
	if items, _ := c.must(200, "GET", "/v1/stores", keyB, nil).JSON(t)["items"].([]any); len(items) != 0 {
		t.Errorf("merchant B lists %d stores, want 0", len(items))
	}

	// Operations: metrics carry request counts, the index size and bbolt.
	metrics := string(c.must(200, "GET", "/metrics", "", nil).Body)
	for _, want := range []string{`http_requests_total{method="POST",route="/v1/stores",status="201"} 1`,
		"nearby_index_size 1", "bbolt_free_pages", `nearby_agent_events_total{outcome="duplicate"} 2`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// A decommissioned beacon's agent is refused.
	c.must(200, "PUT", "/v1/beacons/"+beaconID, keyA, map[string]any{"store_id": storeID, "status": "decommissioned",
		"page": map[string]any{"program_id": programID, "path": "/coupon"}})
	checkProblem(t, c.do("GET", "/v1/agent/config", agentToken, nil), 403, "")
	if rs, _ := c.must(200, "POST", "/v1/beacons/resolve", "", map[string]any{"beacons": []any{sighting}}).JSON(t)["results"].([]any); len(rs) != 0 {
		t.Errorf("resolve of a decommissioned beacon = %v, want none", rs)
	}
	c.must(200, "PUT", "/v1/beacons/"+beaconID, keyA, map[string]any{"store_id": storeID, "status": "active",
		"page": map[string]any{"program_id": programID, "path": "/coupon"}})

	// Deleting: a store with a beacon is a conflict; without, it goes.
	checkProblem(t, c.do("DELETE", "/v1/stores/"+storeID, keyA, nil), 409, "id")

	// A restart finds everything again.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m2 := MustRunMain(t, dir)
	c = clientOf(t, m2)
	c.must(200, "GET", "/v1/stores/"+storeID, keyA, nil)
	c.must(200, "GET", "/v1/agent/config", agentToken, nil)
	near = c.must(200, "GET", "/v1/nearby?lat=51.514&lng=-0.133&radius_m=2000", "", nil).JSON(t)
	if rs, _ := near["results"].([]any); len(rs) != 1 {
		t.Fatalf("nearby after restart = %v, want 1 result", near)
	}
	c.must(200, "POST", "/v1/beacons/resolve", "", map[string]any{"beacons": []any{sighting}})

	c.must(204, "DELETE", "/v1/beacons/"+beaconID, keyA, nil)
	c.must(401, "GET", "/v1/agent/config", agentToken, nil)
	c.must(204, "DELETE", "/v1/stores/"+storeID, keyA, nil)
	c.must(404, "GET", "/v1/stores/"+storeID, keyA, nil)
	near = c.must(200, "GET", "/v1/nearby?lat=51.514&lng=-0.133&radius_m=2000", "", nil).JSON(t)
	if rs, _ := near["results"].([]any); len(rs) != 0 {
		t.Errorf("nearby after deleting the store = %v, want none", near)
	}
	if got := c.must(200, "GET", "/v1/programs/"+programID, keyA, nil).JSON(t)["store_ids"]; len(got.([]any)) != 0 {
		t.Errorf("program store_ids after the store's deletion = %v, want []", got)
	}
	c.must(204, "DELETE", "/v1/programs/"+programID, keyA, nil)
}

// TestMain_Pagination pages through a merchant's stores with cursors.
func TestMain_Pagination(t *testing.T) {
	m := MustRunMain(t, t.TempDir())
	c := clientOf(t, m)
	_, key := newMerchant(c, "Many Stores")
	const n = 25
	want := map[string]bool{}
	for i := range n {
		id := c.must(201, "POST", "/v1/stores", key, map[string]any{"name": fmt.Sprint("s", i), "lat": 10 + float64(i)/100, "lng": 20, "category": "shop"}).Str(t, "id")
		want[id] = true
	}
	got := map[string]bool{}
	pages := 0
	for cursor := ""; ; pages++ {
		p := c.must(200, "GET", "/v1/stores?limit=10&cursor="+cursor, key, nil).JSON(t)
		for _, it := range p["items"].([]any) {
			got[it.(map[string]any)["id"].(string)] = true
		}
		next, _ := p["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 2 || len(got) != n {
		t.Errorf("pages, stores = %d, %d; want 2 (0-based), %d", pages, len(got), n)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("store %s missing from the pages", id)
		}
	}
	checkProblem(t, c.do("GET", "/v1/stores?limit=101", key, nil), 400, "limit")
	checkProblem(t, c.do("GET", "/v1/stores?cursor=!!", key, nil), 400, "cursor")
	checkProblem(t, c.do("GET", "/v1/programs?cursor="+encodeTestCursor(t, c, key), key, nil), 400, "cursor")
}

// encodeTestCursor returns a real cursor of the stores list.
func encodeTestCursor(t *testing.T, c call, key string) string {
	t.Helper()
	cur, _ := c.must(200, "GET", "/v1/stores?limit=1", key, nil).JSON(t)["next_cursor"].(string)
	if cur == "" {
		t.Fatal("no next_cursor")
	}
	return cur
}

// TestMain_AdminTokenFile checks that a start without a token generates
// one into the data dir with mode 0600, never prints it, and reuses it.
func TestMain_AdminTokenFile(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	m := NewMain()
	m.Config.Listen, m.Config.DataDir, m.Config.LogLevel = "127.0.0.1:0", dir, "error"
	m.Stdout, m.Stderr = &out, &out
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	<-m.Loaded()
	defer m.Close()
	path := filepath.Join(dir, AdminTokenFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("admin.token mode = %o, want 600", got)
	}
	b, _ := os.ReadFile(path)
	token := strings.TrimSpace(string(b))
	if strings.Contains(out.String(), token) {
		t.Errorf("output shows the whole admin token: %s", out.String())
	}
	if !strings.Contains(out.String(), path) {
		t.Errorf("output %q does not name the token file %s", out.String(), path)
	}
	c := clientOf(t, m)
	c.must(201, "POST", "/v1/merchants", token, map[string]any{"name": "x"})
	again, _, err := adminToken("", dir)
	if err != nil || again != token {
		t.Errorf("second start token = %q, %v; want the same token", again, err)
	}
}

// TestMain_Banner: the text format prints the start banner on stdout (the
// README shows it); the JSON format prints nothing there and carries the
// same facts in one "listening" record.
func TestMain_Banner(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			var stdout, stderr syncBuffer
			m := NewMain()
			m.Config.Listen, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", dir, testAdminToken
			m.Config.LogFormat = format
			m.Stdout, m.Stderr = &stdout, &stderr
			if err := m.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			<-m.Loaded()
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			url := "http://" + m.Addr()
			const source = "from --admin-token/DISCOVERYD_ADMIN_TOKEN"
			if format == "text" {
				want := "discoveryd listening on " + url + "\n  data dir:    " + dir + "\n  admin token: " + source + "\n"
				if got := stdout.String(); got != want {
					t.Errorf("stdout = %q, want %q", got, want)
				}
				if !strings.Contains(stderr.String(), "msg=listening") || !strings.Contains(stderr.String(), "url="+url) {
					t.Errorf("logs %q lack the listening record with its url", stderr.String())
				}
				return
			}
			if stdout.String() != "" {
				t.Errorf("stdout = %q, want nothing with JSON logs", stdout.String())
			}
			var listening []map[string]any
			for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %q is not JSON: %v", line, err)
				}
				if rec["msg"] == "listening" {
					listening = append(listening, rec)
				}
				// Durations carry their unit in the key.
				if msg := rec["msg"]; msg == "index loaded" || msg == "store opened" {
					if _, ok := rec["took_ms"].(float64); !ok {
						t.Errorf("%s record = %v, want took_ms in milliseconds", msg, rec)
					}
				}
			}
			if len(listening) != 1 {
				t.Fatalf("%d listening records in %s, want 1", len(listening), stderr.String())
			}
			rec := listening[0]
			if rec["addr"] != m.Addr() || rec["url"] != url || rec["data_dir"] != dir || rec["admin_token"] != source {
				t.Errorf("listening record = %v, want addr %s, url %s, data_dir %s, admin_token %q", rec, m.Addr(), url, dir, source)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer the server's goroutines may write while the test reads it.
type syncBuffer = syncbuf.Buffer

// On one P discoveryd runs a sweep kicker (internal/sweepkick) beside the
// server; it answers, and the kicker stops with the daemon.
func TestMain_OneP(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	m := NewMain()
	var logs syncBuffer
	m.Config.Listen, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", t.TempDir(), testAdminToken
	m.Config.LogLevel = "debug"
	m.Stdout, m.Stderr = io.Discard, &logs
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	<-m.Loaded()
	runtime.GC() // the kicker's reason to be
	clientOf(t, m).must(http.StatusOK, http.MethodGet, "/readyz", "", nil)
	done := make(chan error, 1)
	go func() { done <- m.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10 s on one P")
	}
	if !strings.Contains(logs.String(), "sweep kicker on") {
		t.Errorf("no kicker on one P; logs:\n%s", logs.String())
	}
}
