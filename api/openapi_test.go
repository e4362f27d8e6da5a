package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/daemon"
)

// contractClient calls a real server over a real bbolt store and validates
// every request it sends and every response it gets against the served
// /openapi.json.
type contractClient struct {
	t      *testing.T
	srv    *api.Server
	url    string
	doc    *openapi3.T
	router routers.Router
	// called holds "METHOD /path/{template} STATUS" of every validated
	// exchange.
	called map[string]bool
	// accept is the Accept header of the next request.
	accept string
	// lax skips the check of the next request against the schema: for a
	// request the server accepts in part, or refuses for what a schema
	// cannot say. Otherwise a 2xx request must satisfy the schema and a
	// 400 one must not.
	lax bool
}

var clock = time.Date(2026, 11, 23, 20, 30, 0, 0, time.UTC)

func newContractClient(t *testing.T, mod func(*api.Config)) *contractClient {
	t.Helper()
	now := func() time.Time { return clock }
	cfg := api.DefaultConfig()
	cfg.AdminToken = adminToken
	cfg.RateLimit = 0
	if mod != nil {
		mod(&cfg)
	}
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(t.TempDir(), "nearby.db"), API: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	srv := d.Server
	t.Cleanup(func() { d.Close() })
	srv.SetReady(true)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	c := &contractClient{t: t, srv: srv, url: hs.URL, called: map[string]bool{}}

	resp, err := http.Get(hs.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	c.doc, err = loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("load /openapi.json: %v", err)
	}
	if err := c.doc.Validate(context.Background()); err != nil {
		t.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	c.router, err = gorillamux.NewRouter(c.doc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noRedirects answers a redirect itself: the test validates it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends one request, checks its status is want, validates the exchange
// and returns the body.
func (c *contractClient) do(method, path, token, ctype, body string, want int) []byte {
	c.t.Helper()
	newReq := func(base string) *http.Request {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			c.t.Fatal(err)
		}
		if body == "" {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		return req
	}
	resp, err := noRedirects.Do(newReq(c.url))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, got)
	}

	// The router matches the document's relative server "/".
	vreq := newReq("")
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		c.t.Fatalf("%s %s: no operation in /openapi.json: %v", method, path, err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case want < 300 && !c.lax && reqErr != nil:
		c.t.Errorf("%s %s: the request does not satisfy /openapi.json: %v", method, path, reqErr)
	case want == 400 && !c.lax && reqErr == nil:
		c.t.Errorf("%s %s %s: the server refuses it but /openapi.json allows it", method, path, body)
	}
	if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(got)), Options: opts,
	}); err != nil {
		c.t.Errorf("%s %s = %d: the response does not satisfy /openapi.json: %v\n%s", method, path, resp.StatusCode, err, got)
	}
	c.called[fmt.Sprintf("%s %s %d", method, route.Path, resp.StatusCode)] = true
	c.lax, c.accept = false, ""
	return got
}

// decode unmarshals a response body, failing the test on error.
func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

type idJSON struct {
	ID string `json:"id"`
}

// TestOpenAPI_Contract calls every route of the table with a valid request
// and with at least one refused request, over a real store, and validates
// each request and response against the served document.
func TestOpenAPI_Contract(t *testing.T) {
	c := newContractClient(t, nil)
	const js = "application/json"

	// Operations.
	c.do("GET", "/healthz", "", "", "", 200)
	c.do("GET", "/readyz", "", "", "", 200)
	c.do("GET", "/metrics", "", "", "", 200)
	c.do("GET", "/openapi.json", "", "", "", 200)

	// Merchants.
	mer := decode[struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}](t, c.do("POST", "/v1/merchants", adminToken, js, `{"name":"Blue Bottle"}`, 201))
	key := mer.APIKey
	c.do("POST", "/v1/merchants", adminToken, js, `{}`, 400)
	c.do("POST", "/v1/merchants", "", js, `{"name":"x"}`, 401)
	c.do("POST", "/v1/merchants", adminToken, "text/plain", `{"name":"x"}`, 415)
	c.do("POST", "/v1/merchants", key, js, `{"name":"x"}`, 403) // a merchant key where the admin token is needed
	c.do("GET", "/v1/merchants?limit=10", adminToken, "", "", 200)
	c.do("GET", "/v1/merchants?limit=0", adminToken, "", "", 400)
	c.do("GET", "/v1/merchants", key, "", "", 403)

	// Keys: a second key (the merchant's own), a third with an expiry (the
	// admin's), revoking one.
	keys := "/v1/merchants/" + mer.ID + "/keys"
	second := decode[idJSON](t, c.do("POST", keys, key, js, `{}`, 201)).ID
	c.do("POST", keys, adminToken, js, `{"expires_at":"2027-01-01T00:00:00Z"}`, 201)
	c.lax = true // "in the future" is not a schema's to say
	c.do("POST", keys, key, js, `{"expires_at":"2020-01-01T00:00:00Z"}`, 400)
	c.do("POST", "/v1/merchants/mer_ffffff/keys", key, js, `{}`, 404)
	c.do("DELETE", keys+"/"+second, key, "", "", 204)
	c.do("DELETE", keys+"/"+second, adminToken, "", "", 404)

	// Stores.
	storeBody := `{"name":"Ferry Building","lat":37.7955,"lng":-122.3937,"category":"coffee","address":"1 Ferry Bldg",
		"timezone":"America/Los_Angeles","hours":{"mon":[["07:00","19:00"]],"sat":[["22:00","02:00"]]},"tags":["espresso"]}`
	st := decode[idJSON](t, c.do("POST", "/v1/stores", key, js, storeBody, 201)).ID
	c.do("POST", "/v1/stores", key, js, `{"name":"x","lat":91,"lng":0,"category":"coffee"}`, 400)
	c.do("POST", "/v1/stores", "mk_nope", js, storeBody, 401)
	c.do("GET", "/v1/stores?limit=1", key, "", "", 200)
	c.do("GET", "/v1/stores?limit=0", key, "", "", 400)
	c.do("GET", "/v1/stores/"+st, key, "", "", 200)
	c.do("GET", "/v1/stores/st_ffffff", key, "", "", 404)
	c.do("PUT", "/v1/stores/"+st, key, js, strings.Replace(storeBody, "Ferry Building", "Ferry Plaza", 1), 200)
	c.do("PUT", "/v1/stores/"+st, key, js, `{"name":"x"}`, 400)
	csv := "name,lat,lng,category\nMint Plaza,37.7825,-122.4076,coffee\nBad,999,0,coffee\n"
	c.do("POST", "/v1/stores/import?format=csv", key, "text/csv", csv, 200)
	c.do("POST", "/v1/stores/import", key, "application/geo+json",
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-122.41,37.78]},"properties":{"name":"Geo","category":"coffee"}}]}`, 200)
	c.do("POST", "/v1/stores/import", key, "application/pdf", csv, 415)

	// Programs.
	programBody := `{"app_id":"wx1234","name":"Order ahead","category":"coffee","description":"Skip the line",
		"icon_url":"https://example.com/i.png","store_ids":["` + st + `"],"targeting":{"age_min":18,"genders":["female"],"os":["ios"]}}`
	pg := decode[idJSON](t, c.do("POST", "/v1/programs", key, js, programBody, 201)).ID
	c.do("POST", "/v1/programs", key, js, `{"app_id":"x"}`, 400)
	c.do("GET", "/v1/programs", key, "", "", 200)
	c.lax = true // a cursor is opaque to the schema
	c.do("GET", "/v1/programs?cursor=nope", key, "", "", 400)
	c.do("GET", "/v1/programs/"+pg, key, "", "", 200)
	c.do("GET", "/v1/programs/pg_ffffff", key, "", "", 404)
	c.do("PUT", "/v1/programs/"+pg, key, js, programBody, 200)
	c.do("PUT", "/v1/programs/"+pg, key, js, `{"app_id":"x","name":"x","category":"coffee","store_ids":["nope"]}`, 400)
	c.do("POST", "/v1/programs/"+pg+"/stores", key, js, `{"store_selection":{"category":"coffee"}}`, 200)
	c.lax = true // another merchant's or an unknown store: the schema cannot tell
	c.do("POST", "/v1/programs/"+pg+"/stores", key, js, `{"store_ids":["st_ffffff"]}`, 400)
	c.do("DELETE", "/v1/programs/"+pg+"/stores/"+st, key, "", "", 204)
	c.do("DELETE", "/v1/programs/"+pg+"/stores/"+st, key, "", "", 404)
	c.do("POST", "/v1/programs/"+pg+"/stores", key, js, `{"store_ids":["`+st+`"]}`, 200)

	// Beacons.
	beaconBody := `{"store_id":"` + st + `","label":"Counter","tx_power":-59,"status":"active","page":{"program_id":"` + pg + `","path":"/menu","title":"Menu"}}`
	bcn := decode[struct {
		ID         string `json:"id"`
		UUID       string `json:"uuid"`
		Major      int    `json:"major"`
		Minor      int    `json:"minor"`
		AgentToken string `json:"agent_token"`
	}](t, c.do("POST", "/v1/beacons", key, js, beaconBody, 201))
	identity := fmt.Sprintf(`"uuid":"%s","major":%d,"minor":%d`, bcn.UUID, bcn.Major, bcn.Minor)
	c.do("POST", "/v1/beacons", key, js, `{"store_id":"`+st+`",`+identity+`}`, 409)
	c.do("POST", "/v1/beacons", key, js, `{"store_id":"`+st+`","status":"broken"}`, 400)
	c.do("GET", "/v1/beacons", key, "", "", 200)
	c.do("GET", "/v1/beacons", "", "", "", 401)
	c.do("GET", "/v1/beacons/"+bcn.ID, key, "", "", 200)
	c.do("GET", "/v1/beacons/bcn_ffffff", key, "", "", 404)
	c.do("PUT", "/v1/beacons/"+bcn.ID, key, js, beaconBody, 200)
	c.do("PUT", "/v1/beacons/"+bcn.ID, key, js, `{"store_id":"`+st+`","tx_power":99}`, 400)
	tokens := "/v1/beacons/" + bcn.ID + "/tokens"
	spare := decode[idJSON](t, c.do("POST", tokens, key, js, `{"expires_at":"2027-01-01T00:00:00Z"}`, 201)).ID
	c.do("POST", tokens, adminToken, js, `{}`, 403)
	c.do("DELETE", tokens+"/"+spare, key, "", "", 204)
	c.do("DELETE", tokens+"/"+spare, key, "", "", 404)
	c.do("GET", "/v1/agent/config", key, "", "", 403) // a merchant key where an agent token is needed
	c.do("POST", keys, bcn.AgentToken, js, `{}`, 403)
	// Issue 17: rotation, remote interval and presence-only pages.
	rotating := `{"store_id":"` + st + `","interval_ms":250,"rotation":{"enabled":true,"period_s":600},"page":{"program_id":"` + pg + `","require_presence":true}}`
	rot := decode[idJSON](t, c.do("POST", "/v1/beacons", key, js, rotating, 201)).ID
	c.do("POST", "/v1/beacons", key, js, `{"store_id":"`+st+`","interval_ms":5}`, 400)
	c.do("PUT", "/v1/beacons/"+rot, key, js, `{"store_id":"`+st+`","rotation":{"enabled":true,"period_s":0}}`, 400)

	// Agents.
	agent := bcn.AgentToken
	c.do("GET", "/v1/agent/config", agent, "", "", 200)
	c.do("GET", "/v1/agent/config", "at_nope", "", "", 401)
	c.do("POST", "/v1/agent/heartbeat", agent, js, `{"uptime_s":3600,"version":"1.2.3","battery":81.5,"temperature_c":31,"spool_depth":0,"dropped":0}`, 204)
	c.do("POST", "/v1/agent/heartbeat", agent, js, `{"version":"1"}`, 400)
	c.do("POST", "/v1/agent/heartbeat", agent, js, `{"uptime_s":3601,"battery":5,"instance_id":"i1"}`, 204) // raises a battery alert
	at := clock.Add(-time.Hour).Format(time.RFC3339)
	events := `{"events":[{"id":"` + uuid.NewString() + `","type":"enter","at":"` + at + `","device_id":"d1","rssi":-60,"distance_m":1.5},` +
		`{"id":"` + uuid.NewString() + `","type":"dwell","at":"` + at + `","device_id":"d1","dwell_ms":60000}]}`
	c.do("POST", "/v1/agent/events", agent, js, events, 200)
	// A malformed event is rejected alone: still 200, with the rejection
	// (the request does not satisfy the schema, the response does).
	c.lax = true
	rej := decode[struct {
		Rejected []struct{ Index int } `json:"rejected"`
	}](t, c.do("POST", "/v1/agent/events", agent, "application/json", `{"events":[{"id":"x","type":"nap","at":"yesterday"}]}`, 200))
	if len(rej.Rejected) != 1 {
		t.Errorf("rejected = %+v, want the one malformed event", rej.Rejected)
	}
	c.do("POST", "/v1/agent/events", agent, js, `{}`, 400)
	c.do("GET", "/v1/beacons/"+bcn.ID, key, "", "", 200) // now with last_heartbeat

	// Phones.
	c.do("GET", "/v1/nearby?lat=37.7955&lng=-122.3937&radius_m=2000&explain=true&age=30&gender=female&os=ios", "", "", "", 200)
	c.do("GET", "/v1/nearby?lat=37.7955&lng=-122.3937&limit=1", "", "", "", 200)
	c.do("GET", "/v1/nearby?lng=-122.3937", "", "", "", 400)
	c.do("GET", "/v1/stores/nearby?lat=37.7955&lng=-122.3937&radius_m=20000&limit=2&open_now=false", "", "", "", 200)
	c.do("GET", "/v1/stores/nearby?lat=37.7955&lng=-122.3937&app_id=wx1234&q=ferry&merchant_id=mer_1", "", "", "", 200)
	c.do("GET", "/v1/stores/nearby?lat=37.7955", "", "", "", 400)
	c.lax = true // a parameter the document does not know
	c.do("GET", "/v1/stores/nearby?lat=37.7955&lng=-122.3937&radius=5", "", "", "", 400)
	c.do("POST", "/v1/beacons/resolve", "", js, `{"beacons":[{`+identity+`,"rssi":-62,"tx_power":-59},{"uuid":"`+uuid.NewString()+`","major":1,"minor":2}]}`, 200)
	c.do("POST", "/v1/beacons/resolve", "", js, `{"beacons":[{"uuid":"x","major":1,"minor":2}]}`, 400)
	shake := decode[struct {
		Ticket string `json:"ticket"`
	}](t, c.do("POST", "/v1/shake", "", js, `{"device_id":"d1","beacons":[{`+identity+`,"rssi":-50}],"lat":37.7955,"lng":-122.3937,"age":30,"gender":"female","os":"ios"}`, 200))
	c.do("POST", "/v1/shake", "", js, `{"device_id":"d2","lat":37.7955,"lng":-122.3937}`, 200) // chosen by location
	c.do("POST", "/v1/shake", "", js, `{"device_id":"d3"}`, 200)                               // nothing chosen
	c.do("POST", "/v1/shake", "", js, `{"beacons":[]}`, 400)
	c.do("GET", "/v1/shakes/"+shake.Ticket, key, "", "", 200)
	c.do("GET", "/v1/shakes/not-a-ticket", key, "", "", 400)
	c.do("GET", "/v1/shakes/"+uuid.NewString(), key, "", "", 404)

	// Statistics.
	c.do("GET", "/v1/stats/beacons/"+bcn.ID+"?from=2026-11-01&to=2026-11-23", key, "", "", 200)
	c.do("GET", "/v1/stats/beacons/"+bcn.ID+"?from=someday", key, "", "", 400)
	c.do("GET", "/v1/stats/stores/"+st, key, "", "", 200)
	c.do("GET", "/v1/stats/stores/st_ffffff", key, "", "", 404)
	c.do("GET", "/v1/stats/heatmap?min_lat=37&min_lng=-123&max_lat=38&max_lng=-122&res=8", key, "", "", 200)
	c.do("GET", "/v1/stats/heatmap?min_lat=37", key, "", "", 400)

	// Alerts.
	c.do("GET", "/v1/alerts?state=open&kind=battery&limit=5", key, "", "", 200)
	c.do("GET", "/v1/alerts?state=closed", key, "", "", 400)
	c.do("DELETE", "/v1/beacons/"+rot, key, "", "", 204)

	// Webhooks and the event stream.
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hook.Close()
	wh := decode[idJSON](t, c.do("POST", "/v1/webhooks", key, js, `{"url":"`+hook.URL+`","events":["shake","alert"]}`, 201)).ID
	c.do("POST", "/v1/webhooks", key, js, `{"url":"ftp://x","events":["nap"]}`, 400)
	c.do("GET", "/v1/webhooks", key, "", "", 200)
	c.do("GET", "/v1/webhooks", "", "", "", 401)
	c.do("POST", "/v1/webhooks/"+wh+"/test", key, js, `{"type":"shake"}`, 200)
	c.do("POST", "/v1/webhooks/wh_ffff/test", key, js, `{}`, 404)
	openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.PlainBodyDecoder)
	c.do("GET", "/v1/events/stream?last_event_id=0&follow=false", key, "", "", 200)
	c.do("GET", "/v1/events/stream?last_event_id=x&follow=false", key, "", "", 400)
	c.do("DELETE", "/v1/webhooks/"+wh, key, "", "", 204)
	c.do("DELETE", "/v1/webhooks/"+wh, key, "", "", 404)
	// QR codes.
	qr := decode[struct {
		ID   string `json:"id"`
		Code string `json:"code"`
		URL  string `json:"url"`
	}](t, c.do("POST", "/v1/qrcodes", key, js, `{"target":{"store_id":"`+st+`","program_id":"`+pg+`","campaign":"xmas"},"label":"Door"}`, 201))
	c.lax = true // an unknown store: the schema cannot tell
	c.do("POST", "/v1/qrcodes", key, js, `{"target":{"store_id":"st_ffffff"}}`, 404)
	c.do("POST", "/v1/qrcodes", key, js, `{"label":"x"}`, 400)
	c.do("GET", "/v1/qrcodes?limit=1", key, "", "", 200)
	c.do("GET", "/v1/qrcodes?limit=0", key, "", "", 400)
	c.do("GET", "/v1/qrcodes/"+qr.ID, key, "", "", 200)
	c.do("GET", "/v1/qrcodes/qr_ffffff", key, "", "", 404)
	c.do("GET", "/v1/qrcodes/"+qr.ID+".png", key, "", "", 200)
	c.do("GET", "/v1/qrcodes/"+qr.ID+".svg", key, "", "", 200)
	c.do("GET", "/v1/qrcodes/qr_ffffff.png", key, "", "", 404)
	c.do("GET", "/q/"+qr.Code, "", "", "", 302)
	c.accept = "application/json"
	c.do("GET", "/q/"+qr.Code, "", "", "", 200)
	c.do("GET", "/q/zzzzzzzzzz", "", "", "", 404)
	c.do("GET", "/v1/stats/qrcodes/"+qr.ID, key, "", "", 200)
	c.do("GET", "/v1/stats/qrcodes/"+qr.ID+"?from=nope", key, "", "", 400)
	c.do("DELETE", "/v1/qrcodes/"+qr.ID, key, "", "", 204)
	c.do("DELETE", "/v1/qrcodes/"+qr.ID, key, "", "", 404)

	// Deletes, in the order the references allow.
	c.do("DELETE", "/v1/stores/"+st, key, "", "", 409)
	c.do("DELETE", "/v1/programs/"+pg, key, "", "", 409)
	c.do("DELETE", "/v1/beacons/"+bcn.ID, key, "", "", 204)
	c.do("DELETE", "/v1/beacons/"+bcn.ID, key, "", "", 404)
	c.do("DELETE", "/v1/programs/"+pg, key, "", "", 204)
	c.do("DELETE", "/v1/programs/"+pg, key, "", "", 404)
	c.do("DELETE", "/v1/stores/"+st, key, "", "", 204)
	c.do("DELETE", "/v1/stores/"+st, key, "", "", 404)

	// While the index loads: 503 problems, and readyz says so.
	c.srv.SetReady(false)
	c.do("GET", "/readyz", "", "", "", 503)
	c.do("GET", "/v1/nearby?lat=0&lng=0", "", "", "", 503)
	c.srv.SetReady(true)

	// Every route was called with success and with a refusal (4xx), except
	// the operations routes, which refuse nothing.
	for _, r := range c.srv.Echo().Routes() {
		path := openAPIPathOf(r.Path)
		var ok, refused bool
		for k := range c.called {
			f := strings.Fields(k)
			if f[0] != r.Method || f[1] != path {
				continue
			}
			ok = ok || f[2][0] == '2'
			refused = refused || f[2][0] == '4'
		}
		ops := !strings.HasPrefix(path, "/v1/")
		if !ok || !refused && !ops {
			t.Errorf("%s %s: called with success %v, refused %v; the test must call every route both ways", r.Method, path, ok, refused)
		}
	}
}

// TestOpenAPI_RateLimited: the public routes document their 429.
func TestOpenAPI_RateLimited(t *testing.T) {
	c := newContractClient(t, func(cfg *api.Config) { cfg.RateLimit, cfg.RateBurst = 0.001, 1 })
	c.do("GET", "/v1/nearby?lat=0&lng=0", "", "", "", 200)
	c.do("GET", "/v1/nearby?lat=0&lng=0", "", "", "", 429)
	c.do("POST", "/v1/shake", "", "application/json", `{"device_id":"d"}`, 429)
}

// TestOpenAPI_NearbyMirror: api.NearbyPageJSON, the type the NearbyPage
// schema is reflected from, mirrors the hand-written nearby answer field
// for field.
func TestOpenAPI_NearbyMirror(t *testing.T) {
	c := newContractClient(t, nil)
	key := decode[struct {
		APIKey string `json:"api_key"`
	}](t, c.do("POST", "/v1/merchants", adminToken, "application/json", `{"name":"m"}`, 201)).APIKey
	var stores []string
	for i, addr := range []string{"", `,"address":"Quote \" and \\ here"`} {
		body := fmt.Sprintf(`{"name":"S%d","lat":37.79%d5,"lng":-122.39%d7,"category":"coffee"%s}`, i, i, i, addr)
		stores = append(stores, `"`+decode[idJSON](t, c.do("POST", "/v1/stores", key, "application/json", body, 201)).ID+`"`)
	}
	for i := range 3 {
		c.do("POST", "/v1/programs", key, "application/json", fmt.Sprintf(`{"app_id":"wx%d","name":"P%d","category":"coffee","store_ids":[%s]}`, i, i, strings.Join(stores, ",")), 201)
	}
	for _, q := range []string{"lat=37.79&lng=-122.39&explain=true&limit=2", "lat=37.79&lng=-122.39", "lat=0&lng=0"} {
		body := c.do("GET", "/v1/nearby?"+q, "", "", "", 200)
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		var page api.NearbyPageJSON
		if err := dec.Decode(&page); err != nil {
			t.Fatalf("nearby?%s does not decode into api.NearbyPageJSON: %v\n%s", q, err, body)
		}
		again, err := json.Marshal(page)
		if err != nil {
			t.Fatal(err)
		}
		var want, got any
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(again, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("nearby?%s: api.NearbyPageJSON encodes\n%s\nbut the server wrote\n%s", q, again, body)
		}
		if q == "lat=37.79&lng=-122.39&explain=true&limit=2" && (len(page.Results) != 2 || page.NextCursor == "" || len(page.Results[0].Explain) == 0) {
			t.Errorf("nearby?%s = %s, want two explained results and a cursor", q, body)
		}
	}
}

// servedDoc fetches /openapi.json as generic JSON.
func servedDoc(t *testing.T) (map[string]any, []byte) {
	t.Helper()
	ts := newTestServer(t, nil)
	w := ts.serve("GET", "/openapi.json", "", "")
	if w.Code != 200 {
		t.Fatalf("GET /openapi.json = %d", w.Code)
	}
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc, w.Body.Bytes()
}

// TestOpenAPI_Enums: the domain's enumerations are in the document, from
// the root package's lists.
func TestOpenAPI_Enums(t *testing.T) {
	doc, _ := servedDoc(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	propOf := func(schema, path string) map[string]any {
		t.Helper()
		var v any = schemas[schema]
		for _, p := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			if p == "[]" {
				v = m["items"]
			} else {
				v = m["properties"].(map[string]any)[p]
			}
		}
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s.%s is not a schema: %v", schema, path, v)
		}
		return m
	}
	enumOf := func(m map[string]any) []string {
		var out []string
		for _, v := range m["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	var eventTypes []string
	for _, e := range nearby.EventTypes {
		eventTypes = append(eventTypes, string(e))
	}
	proximity := []string{"immediate", "near", "far", "unknown"}
	for _, tc := range []struct {
		schema, path string
		want         []string
	}{
		{"Beacon", "status", nearby.BeaconStatuses},
		{"BeaconInput", "status", nearby.BeaconStatuses},
		{"AgentConfig", "status", nearby.BeaconStatuses},
		{"Resolved", "proximity", proximity},
		{"ShakeRecord", "proximity", proximity},
		{"ShakeInput", "gender", nearby.Genders},
		{"ShakeInput", "os", nearby.OSes},
		{"Targeting", "genders.[]", nearby.Genders},
		{"Targeting", "os.[]", nearby.OSes},
		{"EventInput", "type", eventTypes},
	} {
		m := propOf(tc.schema, tc.path)
		if _, ok := m["enum"]; !ok {
			t.Errorf("%s.%s has no enum: %v", tc.schema, tc.path, m)
			continue
		}
		if got := enumOf(m); !slices.Equal(got, tc.want) {
			t.Errorf("%s.%s enum = %v, want %v", tc.schema, tc.path, got, tc.want)
		}
	}
	// And the phone's query parameters.
	params := doc["paths"].(map[string]any)["/v1/nearby"].(map[string]any)["get"].(map[string]any)["parameters"].([]any)
	found := map[string][]string{}
	for _, p := range params {
		p := p.(map[string]any)
		if e, ok := p["schema"].(map[string]any)["enum"]; ok {
			for _, v := range e.([]any) {
				found[p["name"].(string)] = append(found[p["name"].(string)], v.(string))
			}
		}
	}
	if !slices.Equal(found["gender"], nearby.Genders) || !slices.Equal(found["os"], nearby.OSes) {
		t.Errorf("nearby parameter enums = %v, want gender %v and os %v", found, nearby.Genders, nearby.OSes)
	}
}

// TestOpenAPI_Documented: every route echo serves has an operation with an
// operationId, a description, its security, a request schema when it takes
// a body and a response schema when it answers one; every schema, property
// and parameter has a description.
func TestOpenAPI_Documented(t *testing.T) {
	doc, _ := servedDoc(t)
	paths := doc["paths"].(map[string]any)
	ts := newTestServer(t, nil)
	ids := map[string]bool{}
	for _, r := range ts.Echo().Routes() {
		key := r.Method + " " + r.Path
		op, ok := paths[openAPIPathOf(r.Path)].(map[string]any)[strings.ToLower(r.Method)].(map[string]any)
		if !ok {
			t.Errorf("%s: no operation", key)
			continue
		}
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] {
			t.Errorf("%s: operationId %q is missing or not unique", key, id)
		}
		ids[id] = true
		if d, _ := op["description"].(string); d == "" {
			t.Errorf("%s: no description", key)
		}
		if _, ok := op["security"].([]any); !ok {
			t.Errorf("%s: no security (public routes say security: [])", key)
		}
		if r.Method == "POST" || r.Method == "PUT" {
			if _, ok := op["requestBody"].(map[string]any)["content"].(map[string]any); !ok {
				t.Errorf("%s: takes a body but documents none", key)
			}
		}
		var success bool
		for st, resp := range op["responses"].(map[string]any) {
			resp := resp.(map[string]any)
			if st[0] == '2' && (st == "204" || resp["content"] != nil) {
				success = true
			}
			if st[0] >= '4' && resp["content"].(map[string]any)["application/problem+json"] == nil && key != "GET /readyz" {
				t.Errorf("%s: %s is not a problem+json", key, st)
			}
		}
		if !success {
			t.Errorf("%s: no documented success body", key)
		}
	}
	var walk func(where string, v any, needDesc bool)
	walk = func(where string, v any, needDesc bool) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if d, _ := m["description"].(string); needDesc && d == "" {
			t.Errorf("%s: no description", where)
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k, p := range props {
				walk(where+"."+k, p, true)
			}
		}
		for _, k := range []string{"items", "additionalProperties"} {
			if sub, ok := m[k].(map[string]any); ok && sub["$ref"] == nil {
				walk(where+"."+k, sub, false)
			}
		}
	}
	for name, s := range doc["components"].(map[string]any)["schemas"].(map[string]any) {
		walk(name, s, true)
	}
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			params, _ := op.(map[string]any)["parameters"].([]any)
			for _, p := range params {
				p := p.(map[string]any)
				if d, _ := p["description"].(string); d == "" {
					t.Errorf("%s %s parameter %v: no description", method, path, p["name"])
				}
			}
		}
	}
}

func openAPIPathOf(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}
