package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// checkProblem asserts an RFC 9457 answer with the status and, when field
// is not empty, an error naming field.
func checkProblem(t *testing.T, r resp, status int, field string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status = %d, want %d; body %s", r.Status, status, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Errors []struct{ Field, Message string }
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem %q: %v", r.Body, err)
	}
	if p.Status != status || p.Type == "" || p.Title == "" {
		t.Errorf("problem = %s, want type, title and status %d", r.Body, status)
	}
	if field == "" {
		return
	}
	for _, e := range p.Errors {
		if e.Field == field && e.Message != "" {
			return
		}
	}
	t.Errorf("problem %s does not name field %q", r.Body, field)
}

// TestMain_Unauthorized: every protected route refuses a missing or wrong
// token with 401, and a token of the wrong kind with 403 naming the kind
// needed.
func TestMain_Unauthorized(t *testing.T) {
	m := MustRunMain(t, t.TempDir())
	c := clientOf(t, m)
	_, key := newMerchant(c, "Acme")
	st := c.must(201, "POST", "/v1/stores", key, map[string]any{"name": "s", "lat": 1, "lng": 1, "category": "x"}).Str(t, "id")
	agent := c.must(201, "POST", "/v1/beacons", key, map[string]any{"store_id": st}).Str(t, "agent_token")
	// A key with a valid id but a wrong secret.
	forged := key[:strings.LastIndex(key, "_")+1] + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	tests := []struct {
		name, method, path, token string
		status                    int
		need                      string // the kind a 403 names
	}{
		{"admin/none", "POST", "/v1/merchants", "", 401, ""},
		{"admin/wrong", "POST", "/v1/merchants", "nope", 401, ""},
		{"admin/merchant key", "POST", "/v1/merchants", key, 403, "the admin token"},
		{"merchant/none", "GET", "/v1/stores", "", 401, ""},
		{"merchant/forged", "GET", "/v1/stores", forged, 401, ""},
		{"merchant/admin token", "GET", "/v1/stores", testAdminToken, 403, "merchant API key"},
		{"merchant/agent token", "GET", "/v1/beacons", agent, 403, "merchant API key"},
		{"merchant/unknown id", "GET", "/v1/programs", "mk_ffff_" + strings.Repeat("A", 43), 401, ""},
		{"merchant/garbage", "POST", "/v1/stores/import", "mk_zz", 401, ""},
		{"stats/none", "GET", "/v1/stats/heatmap?min_lat=0&min_lng=0&max_lat=1&max_lng=1", "", 401, ""},
		{"agent/none", "GET", "/v1/agent/config", "", 401, ""},
		{"agent/merchant key", "POST", "/v1/agent/heartbeat", key, 403, "agent token"},
		{"agent/forged", "POST", "/v1/agent/events", "at_1_" + strings.Repeat("B", 43), 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(tt.method, tt.path, tt.token, `{}`)
			checkProblem(t, r, tt.status, "")
			if got := r.Header.Get("WWW-Authenticate"); tt.status == 401 && !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want Bearer", got)
			}
			if tt.status == 403 && !strings.Contains(string(r.Body), tt.need) {
				t.Errorf("403 %s does not name %q", r.Body, tt.need)
			}
		})
	}
}

// TestMain_BadInput: each kind of bad input is a 4xx problem naming the
// field.
func TestMain_BadInput(t *testing.T) {
	m := MustRunMain(t, t.TempDir())
	c := clientOf(t, m)
	_, key := newMerchant(c, "Acme")
	st := c.must(201, "POST", "/v1/stores", key, map[string]any{"name": "s", "lat": 1, "lng": 1, "category": "x"}).Str(t, "id")
	agent := c.must(201, "POST", "/v1/beacons", key, map[string]any{"store_id": st}).Str(t, "agent_token")
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `","lat":1,"lng":1,"category":"x"}`
	manyEvents := `{"events":[` + strings.TrimSuffix(strings.Repeat(`{},`, 1001), ",") + `]}`
	tests := []struct {
		name, method, path, token, body string
		status                          int
		field                           string
	}{
		{"missing name", "POST", "/v1/stores", key, `{"lat":1,"lng":1,"category":"x"}`, 400, "name"},
		{"missing lat", "POST", "/v1/stores", key, `{"name":"a","lng":1,"category":"x"}`, 400, "lat"},
		{"missing and invalid together", "POST", "/v1/stores", key, `{"name":"x","lat":91}`, 400, "lat"},
		{"missing and invalid together/lng", "POST", "/v1/stores", key, `{"name":"x","lat":91}`, 400, "lng"},
		{"lat out of range", "POST", "/v1/stores", key, `{"name":"a","lat":91,"lng":1,"category":"x"}`, 400, "lat"},
		{"lng out of range", "POST", "/v1/stores", key, `{"name":"a","lat":1,"lng":-180.5,"category":"x"}`, 400, "lng"},
		{"lat overflows float64", "POST", "/v1/stores", key, `{"name":"a","lat":1e400,"lng":1,"category":"x"}`, 400, "lat"},
		{"lat is a string", "POST", "/v1/stores", key, `{"name":"a","lat":"NaN","lng":1,"category":"x"}`, 400, "lat"},
		{"NaN literal", "POST", "/v1/stores", key, `{"name":"a","lat":NaN,"lng":1,"category":"x"}`, 400, "body"},
		{"unknown field", "POST", "/v1/stores", key, `{"name":"a","lat":1,"lng":1,"category":"x","colour":"red"}`, 400, "colour"},
		{"trailing data", "POST", "/v1/stores", key, `{"name":"a","lat":1,"lng":1,"category":"x"} {}`, 400, "body"},
		{"not JSON", "POST", "/v1/stores", key, `name=a`, 400, "body"},
		{"empty body", "POST", "/v1/stores", key, ``, 400, "body"},
		{"bad category", "POST", "/v1/stores", key, `{"name":"a","lat":1,"lng":1,"category":"Not A Slug"}`, 400, "category"},
		{"bad timezone", "POST", "/v1/stores", key, `{"name":"a","lat":1,"lng":1,"category":"x","timezone":"Mars/Olympus"}`, 400, "timezone"},
		{"bad hours", "POST", "/v1/stores", key, `{"name":"a","lat":1,"lng":1,"category":"x","hours":{"mon":[["9am","5pm"]]}}`, 400, "hours.mon[0]"},
		{"body too large", "POST", "/v1/stores", key, big, 413, ""},
		{"malformed id", "GET", "/v1/stores/st_XYZ", key, "", 400, "id"},
		{"id of another kind", "GET", "/v1/stores/pg_1", key, "", 400, "id"},
		{"unknown store", "GET", "/v1/stores/st_ffff", key, "", 404, ""},
		{"program bad store id", "POST", "/v1/programs", key, `{"app_id":"a","name":"n","category":"c","store_ids":["nope"]}`, 400, "store_ids[0]"},
		{"program missing store_ids", "POST", "/v1/programs", key, `{"app_id":"a","name":"n","category":"c"}`, 400, "store_ids"},
		{"program bad targeting", "POST", "/v1/programs", key, `{"app_id":"a","name":"n","category":"c","store_ids":[],"targeting":{"genders":["robot"]}}`, 400, "targeting.genders[0]"},
		{"program age type", "POST", "/v1/programs", key, `{"app_id":"a","name":"n","category":"c","store_ids":[],"targeting":{"age_min":"old"}}`, 400, "targeting.age_min"},
		{"beacon bad uuid", "POST", "/v1/beacons", key, `{"store_id":"` + st + `","uuid":"xyz","major":1,"minor":1}`, 400, "uuid"},
		{"beacon half identity", "POST", "/v1/beacons", key, `{"store_id":"` + st + `","uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e"}`, 400, "major"},
		{"beacon major range", "POST", "/v1/beacons", key, `{"store_id":"` + st + `","uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","major":70000,"minor":1}`, 400, "major"},
		{"beacon bad status", "PUT", "/v1/beacons/bcn_1", key, `{"store_id":"` + st + `","status":"lost"}`, 400, "status"},
		{"nearby no lat", "GET", "/v1/nearby?lng=1", "", "", 400, "lat"},
		{"nearby NaN", "GET", "/v1/nearby?lat=NaN&lng=1", "", "", 400, "lat"},
		{"nearby Inf", "GET", "/v1/nearby?lat=1&lng=-Inf", "", "", 400, "lng"},
		{"nearby radius", "GET", "/v1/nearby?lat=1&lng=1&radius_m=60000", "", "", 400, "radius_m"},
		{"nearby limit", "GET", "/v1/nearby?lat=1&lng=1&limit=abc", "", "", 400, "limit"},
		{"nearby gender", "GET", "/v1/nearby?lat=1&lng=1&gender=robot", "", "", 400, "gender"},
		{"nearby cursor", "GET", "/v1/nearby?lat=1&lng=1&cursor=zzz", "", "", 400, "cursor"},
		{"resolve bad uuid", "POST", "/v1/beacons/resolve", "", `{"beacons":[{"uuid":"x","major":1,"minor":2}]}`, 400, "beacons[0].uuid"},
		{"resolve minor range", "POST", "/v1/beacons/resolve", "", `{"beacons":[{"uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","major":1,"minor":-2}]}`, 400, "beacons[0].minor"},
		{"shake no device", "POST", "/v1/shake", "", `{"beacons":[]}`, 400, "device_id"},
		{"shake lat only", "POST", "/v1/shake", "", `{"device_id":"d","lat":1}`, 400, "lng"},
		{"shake bad ticket", "GET", "/v1/shakes/nope", key, "", 400, "ticket"},
		{"heartbeat negative", "POST", "/v1/agent/heartbeat", agent, `{"uptime_s":-1}`, 400, "uptime_s"},
		{"heartbeat battery", "POST", "/v1/agent/heartbeat", agent, `{"uptime_s":1,"battery":120}`, 400, "battery"},
		{"events missing", "POST", "/v1/agent/events", agent, `{}`, 400, "events"},
		{"events too many", "POST", "/v1/agent/events", agent, manyEvents, 413, "events"},
		{"stats bad from", "GET", "/v1/stats/stores/" + st + "?from=yesterday", key, "", 400, "from"},
		{"stats range too long", "GET", "/v1/stats/stores/" + st + "?from=2020-01-01&to=2022-01-01", key, "", 400, "from"},
		{"heatmap res", "GET", "/v1/stats/heatmap?res=16&min_lat=0&min_lng=0&max_lat=1&max_lng=1", key, "", 400, "res"},
		{"heatmap bbox", "GET", "/v1/stats/heatmap?min_lat=5&min_lng=0&max_lat=1&max_lng=1", key, "", 400, "min_lat"},
		{"heatmap missing", "GET", "/v1/stats/heatmap?min_lat=0&min_lng=0&max_lat=1", key, "", 400, "max_lng"},
		{"import columns", "POST", "/v1/stores/import?format=csv&columns=colour=Red", key, "name,lat,lng,category\n", 400, "columns"},
		{"import no header", "POST", "/v1/stores/import?format=csv", key, "", 400, "header"},
		{"import format", "POST", "/v1/stores/import?format=xml", key, "<a/>", 400, "format"},
		{"no such route", "GET", "/v1/nothing", key, "", 404, ""},
		{"method not allowed", "PATCH", "/v1/stores/" + st, key, "{}", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			checkProblem(t, c.do(tt.method, tt.path, tt.token, body), tt.status, tt.field)
		})
	}
	t.Run("wrong media type", func(t *testing.T) {
		checkProblem(t, c.doType("POST", "/v1/stores", key, "text/plain", `{}`), 415, "")
		checkProblem(t, c.doType("POST", "/v1/stores/import", key, "text/plain", "a"), 415, "")
	})
}
