package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
)

const adminToken = "admin-secret"

// testServer is an api.Server over a fake registry and a real in-memory
// catalog and geo index.
type testServer struct {
	*api.Server
	Reg   *Registry
	Cat   *catalog.Catalog
	Index *geo.Index
	Logs  *bytes.Buffer
}

func newTestServer(t testing.TB, mod func(*api.Config)) *testServer {
	t.Helper()
	return newTestServerOver(t, mod, nil)
}

// newTestServerOver is newTestServer whose server reaches ts.Cat through
// wrap (nil: directly), so that a test can make catalog updates fail.
func newTestServerOver(t testing.TB, mod func(*api.Config), wrap func(*catalog.Catalog) discovery.Catalog) *testServer {
	t.Helper()
	return newTestServerLogging(t, mod, wrap, nil)
}

// newTestServerLogging is newTestServerOver whose logs go through
// handler(ts.Logs) (nil: text at warn level), for tests that read records
// below warn.
func newTestServerLogging(t testing.TB, mod func(*api.Config), wrap func(*catalog.Catalog) discovery.Catalog,
	handler func(io.Writer) slog.Handler) *testServer {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.AdminToken = adminToken
	cfg.RateLimit = 0
	if mod != nil {
		mod(&cfg)
	}
	ix := geo.New()
	ts := &testServer{Reg: &Registry{}, Index: ix, Cat: catalog.New(ix, &catalog.Options{Renderer: api.Briefs{}}), Logs: &bytes.Buffer{}}
	var cat discovery.Catalog = ts.Cat
	if wrap != nil {
		cat = wrap(ts.Cat)
	}
	if handler == nil {
		handler = func(w io.Writer) slog.Handler {
			return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn})
		}
	}
	logger := slog.New(handler(ts.Logs))
	deps := serviceDeps(t, ts.Reg, cat, ix, logger)
	deps.Logger = logger
	srv, err := api.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.SetReady(true)
	ts.Server = srv
	return ts
}

// serve sends one request through the handler.
func (ts *testServer) serve(method, target, token, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	ts.Handler().ServeHTTP(w, req)
	return w
}

func problemOf(t *testing.T, w *httptest.ResponseRecorder) api.Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (body %s)", ct, w.Body)
	}
	var p api.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServer_Ready(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.SetReady(false)
	if w := ts.serve("GET", "/healthz", "", ""); w.Code != 200 {
		t.Errorf("healthz = %d, want 200", w.Code)
	}
	if w := ts.serve("GET", "/readyz", "", ""); w.Code != 503 {
		t.Errorf("readyz while loading = %d, want 503", w.Code)
	}
	w := ts.serve("GET", "/v1/nearby?lat=1&lng=1", "", "")
	if p := problemOf(t, w); p.Status != 503 || w.Header().Get("Retry-After") == "" {
		t.Errorf("nearby while loading = %d (Retry-After %q), want 503 with Retry-After", p.Status, w.Header().Get("Retry-After"))
	}
	ts.SetReady(true)
	if w := ts.serve("GET", "/readyz", "", ""); w.Code != 200 {
		t.Errorf("readyz = %d, want 200", w.Code)
	}
}

func TestServer_RateLimit(t *testing.T) {
	ts := newTestServer(t, func(c *api.Config) { c.RateLimit, c.RateBurst = 0.001, 2 })
	get := func(ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/v1/nearby?lat=1&lng=1", nil)
		req.RemoteAddr = ip + ":1234"
		w := httptest.NewRecorder()
		ts.Handler().ServeHTTP(w, req)
		return w
	}
	for i := range 2 {
		if w := get("10.0.0.1"); w.Code != 200 {
			t.Fatalf("request %d = %d, want 200 within the burst", i, w.Code)
		}
	}
	w := get("10.0.0.1")
	if p := problemOf(t, w); p.Status != 429 {
		t.Errorf("over the limit = %d, want 429", p.Status)
	}
	if ra := w.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q, want a positive number of seconds", ra)
	}
	if w := get("10.0.0.2"); w.Code != 200 {
		t.Errorf("another client = %d, want 200", w.Code)
	}
	// Merchant routes are not rate limited per IP.
	ts.Reg.GetMerchantFn = func(_ context.Context, id uint64) (*nearby.Merchant, error) {
		return nil, nearby.Errorf(nearby.ENOTFOUND, "no")
	}
	req := httptest.NewRequest("GET", "/v1/stores", nil)
	req.RemoteAddr = "10.0.0.1:1"
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("merchant route from a limited IP = %d, want 401 (not 429)", rec.Code)
	}
}

// TestServer_Internal: a registry failure is a 500 that tells the client
// nothing but the request id, and is logged with the cause.
func TestServer_Internal(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.Reg.CreateMerchantFn = func(context.Context, *nearby.Merchant) error {
		return errors.New("disk on fire at /var/secret")
	}
	w := ts.serve("POST", "/v1/merchants", adminToken, `{"name":"a"}`)
	p := problemOf(t, w)
	if p.Status != 500 || strings.Contains(w.Body.String(), "secret") || p.RequestID == "" {
		t.Errorf("problem = %s, want a 500 with a request id and no internals", w.Body)
	}
	if logs := ts.Logs.String(); !strings.Contains(logs, "disk on fire") || !strings.Contains(logs, p.RequestID) {
		t.Errorf("logs = %q, want the cause and the request id", logs)
	}
}

func TestServer_Panic(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.Reg.CreateMerchantFn = func(context.Context, *nearby.Merchant) error { panic("boom") }
	if p := problemOf(t, ts.serve("POST", "/v1/merchants", adminToken, `{"name":"a"}`)); p.Status != 500 {
		t.Errorf("status = %d, want 500", p.Status)
	}
}

// TestServer_OpenAPI: every route echo serves is in /openapi.json with its
// method, and the document has no route echo does not serve.
func TestServer_OpenAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	w := ts.serve("GET", "/openapi.json", "", "")
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, r := range ts.Echo().Routes() {
		path := r.Path
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, ":") {
				path = strings.Replace(path, seg, "{"+seg[1:]+"}", 1)
			}
		}
		key := strings.ToLower(r.Method) + " " + path
		served[key] = true
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s is not in /openapi.json", key)
		}
	}
	if len(served) < 30 {
		t.Errorf("echo serves %d routes, want the whole contract (30+)", len(served))
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			// /v1/qrcodes/{id}.png is served by the route of {id}: a path
			// parameter runs to the next slash.
			if i := strings.LastIndex(path, "}."); i > 0 && served[method+" "+path[:i+1]] {
				continue
			}
			if !served[method+" "+path] {
				t.Errorf("/openapi.json has %s %s, which is not served", method, path)
			}
		}
	}
	// Every $ref points at a schema.
	for _, ref := range regexpRefs(w.Body.String()) {
		if _, ok := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]; !ok {
			t.Errorf("dangling $ref %s", ref)
		}
	}
}

func regexpRefs(s string) []string {
	var out []string
	for {
		i := strings.Index(s, `"$ref": "`)
		if i < 0 {
			return out
		}
		s = s[i+len(`"$ref": "`):]
		out = append(out, s[:strings.IndexByte(s, '"')])
	}
}

func TestServer_Metrics(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.serve("GET", "/v1/nearby?lat=1&lng=1", "", "")
	ts.serve("GET", "/v1/nearby?lat=100&lng=1", "", "")
	ts.serve("GET", "/v1/nearby?lat=2&lng=1", "", "")
	// Methods outside HTTP's own are counted under one label: a client
	// sending new ones must not grow the registry.
	for _, m := range []string{"FOO", "BAR", "PUT"} {
		ts.serve(m, "/v1/nearby?lat=1&lng=1", "", "")
	}
	body := ts.serve("GET", "/metrics", "", "").Body.String()
	for _, want := range []string{
		`http_requests_total{method="GET",route="/v1/nearby",status="200"} 2`,
		`http_requests_total{method="GET",route="/v1/nearby",status="400"} 1`,
		`http_requests_total{method="OTHER",route="/v1/nearby",status="405"} 2`,
		`http_requests_total{method="PUT",route="/v1/nearby",status="405"} 1`,
		`http_request_duration_seconds_count{method="GET",route="/v1/nearby"} 3`,
		`nearby_index_size 0`,
		`nearby_catalog_entries{kind="stores"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, unwanted := range []string{`method="FOO"`, `method="BAR"`} {
		if strings.Contains(body, unwanted) {
			t.Errorf("/metrics has a series with %s", unwanted)
		}
	}
}

// TestServer_AccessLog: one structured line per request, phone routes only
// at debug level (they are the hot path).
func TestServer_AccessLog(t *testing.T) {
	for _, tt := range []struct {
		level      slog.Level
		wantNearby bool
	}{{slog.LevelInfo, false}, {slog.LevelDebug, true}} {
		t.Run(tt.level.String(), func(t *testing.T) {
			var logs bytes.Buffer
			ix := geo.New()
			cfg := api.DefaultConfig()
			cfg.AdminToken = adminToken
			srv, err := api.New(cfg, withLogger(serviceDeps(t, &Registry{}, catalog.New(ix, nil), ix, nil),
				slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: tt.level}))))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			srv.SetReady(true)
			for _, target := range []string{"/v1/nearby?lat=1&lng=1", "/v1/stores"} {
				req := httptest.NewRequest("GET", target, nil)
				req.Header.Set("X-Request-Id", "rid-"+strings.Split(target[4:], "?")[0])
				srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
			}
			var lines []map[string]any
			for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("log line %q: %v", l, err)
				}
				lines = append(lines, m)
			}
			byRoute := map[string]map[string]any{}
			for _, l := range lines {
				if l["msg"] == "request" {
					byRoute[l["route"].(string)] = l
				}
			}
			st := byRoute["/v1/stores"]
			if st == nil || st["status"] != 401.0 || st["request_id"] != "rid-stores" || st["method"] != "GET" {
				t.Errorf("log of GET /v1/stores = %v, want status 401 and the client's request id", st)
			}
			if ms, ok := st["latency_ms"].(float64); !ok || ms < 0 || st["dur"] != nil {
				t.Errorf("log of GET /v1/stores = %v, want latency_ms in (fractional) milliseconds, no bare dur", st)
			}
			nb, got := byRoute["/v1/nearby"]
			if got != tt.wantNearby {
				t.Errorf("nearby logged = %v, want %v at %v", got, tt.wantNearby, tt.level)
			}
			// A phone's address stays out of the logs; a merchant's is kept.
			if _, ok := nb["ip"]; got && ok {
				t.Errorf("log of GET /v1/nearby = %v, want no ip", nb)
			}
			if _, ok := st["ip"]; !ok {
				t.Errorf("log of GET /v1/stores = %v, want its ip", st)
			}
		})
	}
}

func TestServer_RateLimitBehindProxy(t *testing.T) {
	ts := newTestServer(t, func(c *api.Config) { c.RateLimit, c.RateBurst, c.TrustForwardedFor = 0.001, 1, true })
	get := func(xff string) int {
		req := httptest.NewRequest("GET", "/v1/nearby?lat=1&lng=1", nil)
		req.RemoteAddr = "10.0.0.9:555" // the proxy
		req.Header.Set("X-Forwarded-For", xff)
		w := httptest.NewRecorder()
		ts.Handler().ServeHTTP(w, req)
		return w.Code
	}
	if a, b, c := get("203.0.113.1"), get("203.0.113.2"), get("203.0.113.1"); a != 200 || b != 200 || c != 429 {
		t.Errorf("statuses = %d, %d, %d; want 200, 200, 429 (one bucket per forwarded client)", a, b, c)
	}
}
