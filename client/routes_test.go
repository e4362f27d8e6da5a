package client_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
)

// recorder is a transport that notes each request's method and path.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.EscapedPath())
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// strictClient is a client of s that refuses any answer field its types do
// not know, so that every call below also proves the types mirror the
// server's JSON.
func strictClient(s *testServer, token string, rec *recorder) *client.Client {
	c := client.New(s.URL, token, &http.Client{Transport: rec})
	c.DisallowUnknownFields = true
	return c
}

func must[T any](t *testing.T, what string) func(T, error) T {
	t.Helper()
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func collect[T any](t *testing.T, what string, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out = append(out, v)
	}
	return out
}

// TestClient_EveryRoute walks every route of the server with the typed
// methods, decoding strictly, and then checks against the server's OpenAPI
// document that no route was left out: a route added to the server without
// a client method fails here.
func TestClient_EveryRoute(t *testing.T) {
	srv := startServer(t)
	ctx := t.Context()
	rec := &recorder{}
	admin := strictClient(srv, srv.Admin, rec)

	// Operations.
	if st := must[*client.Status](t, "Health")(admin.Health(ctx)); st.Status != "ok" {
		t.Errorf("Health: got %+v", st)
	}
	if st := must[*client.Status](t, "Ready")(admin.Ready(ctx)); st.Status != "ready" {
		t.Errorf("Ready: got %+v", st)
	}
	if m := must[[]byte](t, "Metrics")(admin.Metrics(ctx)); !strings.Contains(string(m), "# TYPE") {
		t.Errorf("Metrics: got %.100q, want the Prometheus text format", m)
	}
	doc := must[json.RawMessage](t, "OpenAPI")(admin.OpenAPI(ctx))

	// A merchant's catalogue.
	m := must[*client.Merchant](t, "CreateMerchant")(admin.CreateMerchant(ctx, "Acme Coffee"))
	if m.Name != "Acme Coffee" || m.APIKey == "" || m.CreatedAt.IsZero() {
		t.Errorf("CreateMerchant: got %+v", m)
	}
	mer := admin.WithToken(m.APIKey)
	in := &client.StoreInput{Name: "Acme Soho", Lat: 51.5136, Lng: -0.1365, Category: "coffee",
		Timezone: "Europe/London", Hours: nearby.Hours{"mon": {{"08:00", "20:00"}}}, Tags: []string{"wifi"}}
	st := must[*client.Store](t, "CreateStore")(mer.CreateStore(ctx, in))
	if st.ID == "" || st.MerchantID != m.ID || st.Name != in.Name || st.Hours["mon"][0][1] != "20:00" {
		t.Errorf("CreateStore: got %+v", st)
	}
	up := st.Input()
	up.Address = "1 Soho Square"
	st = must[*client.Store](t, "UpdateStore")(mer.UpdateStore(ctx, st.ID, up))
	if got := must[*client.Store](t, "GetStore")(mer.GetStore(ctx, st.ID)); got.Address != "1 Soho Square" || got.Timezone != "Europe/London" {
		t.Errorf("GetStore after UpdateStore: got %+v", got)
	}
	csv := "Store Name,Latitude,Longitude\nAcme Covent Garden,51.5117,-0.1240\nBroken,91,0\nAcme Holborn,51.5174,-0.1200\n"
	imp := must[*client.ImportResult](t, "ImportStores csv")(mer.ImportStores(ctx, strings.NewReader(csv), &client.ImportOptions{
		Format: client.ImportCSV, Category: "coffee",
		Columns: map[string]string{"name": "Store Name", "lat": "Latitude", "lng": "Longitude"},
	}))
	if imp.Imported != 2 || imp.FailedCount != 1 || len(imp.Failed) != 1 || imp.Failed[0].Row != 2 {
		t.Errorf("ImportStores csv: got %+v, want 2 imported and data row 2 failed", imp)
	}
	geojson := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-0.1300,51.5150]},"properties":{"name":"Acme Kiosk","category":"coffee"}}]}`
	imp = must[*client.ImportResult](t, "ImportStores geojson")(mer.ImportStores(ctx, strings.NewReader(geojson), &client.ImportOptions{Format: client.ImportGeoJSON}))
	if imp.Imported != 1 || imp.FailedCount != 0 {
		t.Errorf("ImportStores geojson: got %+v", imp)
	}
	page := must[*client.Page[client.Store]](t, "ListStores")(mer.ListStores(ctx, &client.ListOptions{Limit: 2}))
	if len(page.Items) != 2 || page.NextCursor == "" {
		t.Errorf("ListStores limit 2: got %d items, cursor %q; want 2 and a cursor", len(page.Items), page.NextCursor)
	}
	stores := collect(t, "Stores", mer.Stores(ctx))
	if len(stores) != 4 || stores[0].ID != st.ID {
		t.Errorf("Stores: got %d stores starting %q, want 4 starting %q", len(stores), stores[0].ID, st.ID)
	}

	age := 18
	pg := must[*client.Program](t, "CreateProgram")(mer.CreateProgram(ctx, &client.ProgramInput{
		AppID: "wx-acme", Name: "Acme Rewards", Category: "coffee", StoreIDs: []string{st.ID, stores[1].ID},
		Targeting: &nearby.Targeting{AgeMin: &age, OS: []string{"ios", "android"}},
	}))
	if len(pg.StoreIDs) != 2 || pg.Targeting == nil || *pg.Targeting.AgeMin != 18 {
		t.Errorf("CreateProgram: got %+v", pg)
	}
	pin := pg.Input()
	pin.Description = "Stamps for coffee"
	pg = must[*client.Program](t, "UpdateProgram")(mer.UpdateProgram(ctx, pg.ID, pin))
	if got := must[*client.Program](t, "GetProgram")(mer.GetProgram(ctx, pg.ID)); got.Description != "Stamps for coffee" {
		t.Errorf("GetProgram after UpdateProgram: got %+v", got)
	}
	other := must[*client.Program](t, "CreateProgram")(mer.CreateProgram(ctx, &client.ProgramInput{
		AppID: "wx-acme-kiosk", Name: "Kiosk", Category: "coffee", StoreIDs: []string{stores[3].ID}}))
	lr := must[*client.LinkResult](t, "LinkProgramStores")(mer.LinkProgramStores(ctx, other.ID, &client.ProgramStoresInput{StoreIDs: []string{stores[2].ID, stores[3].ID}}))
	if lr.Linked != 1 || lr.ProgramID != other.ID {
		t.Errorf("LinkProgramStores: got %+v, want 1 new store", lr)
	}
	if err := mer.UnlinkProgramStore(ctx, other.ID, stores[2].ID); err != nil {
		t.Errorf("UnlinkProgramStore: %v", err)
	}
	if got := must[*client.Program](t, "GetProgram")(mer.GetProgram(ctx, other.ID)); !slices.Equal(got.StoreIDs, []string{stores[3].ID}) {
		t.Errorf("GetProgram after link and unlink: stores %v, want [%s]", got.StoreIDs, stores[3].ID)
	}
	if err := mer.UnlinkProgramStore(ctx, other.ID, stores[2].ID); nearby.ErrorCode(err) != nearby.ENOTFOUND {
		t.Errorf("UnlinkProgramStore of a store not linked: %v, want %s", err, nearby.ENOTFOUND)
	}
	if p := must[*client.Page[client.Program]](t, "ListPrograms")(mer.ListPrograms(ctx, nil)); len(p.Items) != 2 || p.NextCursor != "" {
		t.Errorf("ListPrograms: got %+v", p)
	}
	if ps := collect(t, "Programs", mer.Programs(ctx)); len(ps) != 2 || ps[1].ID != other.ID {
		t.Errorf("Programs: got %+v", ps)
	}

	bc := must[*client.Beacon](t, "CreateBeacon")(mer.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Label: "till",
		Page: &client.BeaconPage{ProgramID: pg.ID, Path: "/coupon"}}))
	if bc.AgentToken == "" || bc.UUID == "" || bc.Status != nearby.BeaconActive || bc.TxPower != nearby.DefaultTxPower {
		t.Errorf("CreateBeacon: got %+v", bc)
	}
	own := client.Identity{UUID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Major: 7, Minor: 9}
	tx := -65
	door := must[*client.Beacon](t, "CreateBeacon own identity")(mer.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Label: "door", TxPower: &tx, Identity: &own}))
	if door.Identity != own || door.TxPower != -65 {
		t.Errorf("CreateBeacon with an identity: got %+v, want %+v at -65 dBm", door, own)
	}
	bin := door.Input()
	bin.Label = "front door"
	door = must[*client.Beacon](t, "UpdateBeacon")(mer.UpdateBeacon(ctx, door.ID, bin))
	if door.Label != "front door" || door.Identity != own || door.AgentToken != "" {
		t.Errorf("UpdateBeacon: got %+v", door)
	}
	if p := must[*client.Page[client.Beacon]](t, "ListBeacons")(mer.ListBeacons(ctx, &client.ListOptions{Limit: 1})); len(p.Items) != 1 || p.NextCursor == "" {
		t.Errorf("ListBeacons limit 1: got %+v", p)
	}
	if bs := collect(t, "Beacons", mer.Beacons(ctx)); len(bs) != 2 || bs[0].ID != bc.ID || bs[1].ID != door.ID {
		t.Errorf("Beacons: got %+v", bs)
	}

	// A phone.
	phone := strictClient(srv, "", rec)
	q := &client.NearbyQuery{Lat: 51.514, Lng: -0.133, RadiusM: 2000, Explain: true, Age: &age, OS: "ios"}
	near := must[*client.NearbyPage](t, "Nearby")(phone.Nearby(ctx, q))
	if len(near.Results) != 2 || near.Results[0].Program.ID == "" || near.Results[0].Store.ID == "" {
		t.Fatalf("Nearby: got %+v, want both programs", near)
	}
	for _, r := range near.Results {
		var sum float64
		for _, v := range r.Explain {
			sum += v
		}
		if math.Abs(sum-r.Score) > 1e-9 {
			t.Errorf("Nearby: explain %v sums to %v, score %v", r.Explain, sum, r.Score)
		}
	}
	q1 := *q
	q1.Limit = 1
	var ids []string
	for r, err := range phone.NearbyAll(ctx, &q1) {
		if err != nil {
			t.Fatalf("NearbyAll: %v", err)
		}
		ids = append(ids, r.Program.ID)
	}
	if want := []string{near.Results[0].Program.ID, near.Results[1].Program.ID}; !slices.Equal(ids, want) {
		t.Errorf("NearbyAll by pages of 1: got %v, want %v", ids, want)
	}
	loc := must[*client.StoresPage](t, "StoresNearby")(phone.StoresNearby(ctx, &client.StoresQuery{Lat: 51.514, Lng: -0.133,
		RadiusM: 2000, Limit: 1, MerchantID: m.ID, Q: "acme"}))
	if len(loc.Items) != 1 || loc.Items[0].DistanceM <= 0 || len(loc.Items[0].Programs) == 0 || loc.NextCursor == "" {
		t.Errorf("StoresNearby: got %+v, want the nearest Acme store with its programs and a next page", loc)
	}
	var locIDs []string
	for s, err := range phone.StoresNearbyAll(ctx, &client.StoresQuery{Lat: 51.514, Lng: -0.133, RadiusM: 2000, Limit: 1, MerchantID: m.ID}) {
		if err != nil {
			t.Fatalf("StoresNearbyAll: %v", err)
		}
		locIDs = append(locIDs, s.ID)
	}
	if len(locIDs) < 2 || locIDs[0] != loc.Items[0].ID {
		t.Errorf("StoresNearbyAll: got %v, want every store from %s on", locIDs, loc.Items[0].ID)
	}
	rssi := -60
	seen := []client.Sighting{{UUID: bc.UUID, Major: bc.Major, Minor: bc.Minor, RSSI: &rssi},
		{UUID: own.UUID, Major: own.Major, Minor: own.Minor, RSSI: &rssi}, {UUID: own.UUID, Major: 1, Minor: 1}}
	res := must[[]client.Resolved](t, "Resolve")(phone.Resolve(ctx, seen))
	if len(res) != 2 || res[0].Store == nil || res[0].Store.ID != st.ID || res[0].Proximity == "" {
		t.Errorf("Resolve: got %+v, want the two known beacons", res)
	}
	sh := must[*client.ShakeResult](t, "Shake")(phone.Shake(ctx, &client.ShakeInput{DeviceID: "phone-1", Beacons: seen[:1]}))
	if sh.Ticket == "" || sh.Chosen == nil || sh.Chosen.Page == nil || sh.Chosen.Page.Program.ID != pg.ID || sh.Chosen.Page.Path != "/coupon" {
		t.Errorf("Shake: got %+v, want the till's coupon", sh)
	}
	lat, lng := 51.514, -0.133
	fb := must[*client.ShakeResult](t, "Shake by location")(phone.Shake(ctx, &client.ShakeInput{DeviceID: "phone-2", Lat: &lat, Lng: &lng}))
	if fb.Fallback != "location" || fb.Chosen == nil {
		t.Errorf("Shake without beacons: got %+v, want a location fallback", fb)
	}
	rcd := must[*client.ShakeRecord](t, "GetShake")(mer.GetShake(ctx, sh.Ticket))
	if !strings.HasPrefix(rcd.DeviceID, "dv_") || strings.Contains(rcd.DeviceID, "phone-1") || rcd.BeaconID != bc.ID || rcd.StoreID != st.ID || rcd.ProgramID != pg.ID {
		t.Errorf("GetShake: got %+v", rcd)
	}

	// The beacon's agent.
	agent := strictClient(srv, bc.AgentToken, rec)
	cfg := must[*nearby.AgentConfig](t, "AgentConfig")(agent.AgentConfig(ctx))
	if cfg.BeaconID != bc.ID || cfg.UUID != bc.UUID || cfg.Major != bc.Major {
		t.Errorf("AgentConfig: got %+v, want beacon %+v", cfg, bc)
	}
	batt := 97.0
	if err := agent.Heartbeat(ctx, &nearby.Heartbeat{UptimeS: 60, Version: "0.1.0", Battery: &batt}); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	now := time.Now().UTC()
	evs := []nearby.Event{
		{ID: uuid.NewString(), Type: nearby.EventEnter, At: now, DeviceID: "phone-1"},
		{ID: uuid.NewString(), Type: nearby.EventShake, At: now, DeviceID: "phone-1"},
		{ID: "not-a-uuid", Type: nearby.EventExit, At: now},
	}
	er := must[*client.EventsResult](t, "PostEventsResult")(agent.PostEventsResult(ctx, evs))
	if er.Accepted != 2 || er.RejectedN != 1 || len(er.AcceptedIDs) != 2 || er.Rejected[0].Index != 2 {
		t.Errorf("PostEventsResult: got %+v", er)
	}
	if got := must[*client.Beacon](t, "GetBeacon")(mer.GetBeacon(ctx, bc.ID)); got.LastHeartbeat == nil || got.LastHeartbeat.Version != "0.1.0" || *got.LastHeartbeat.Battery != 97 {
		t.Errorf("GetBeacon after Heartbeat: got %+v", got.LastHeartbeat)
	}

	// Alerts: a low battery opens one, shown in the beacon's detail.
	low := 4.0
	if err := agent.Heartbeat(ctx, &nearby.Heartbeat{UptimeS: 61, Version: "0.1.0", Battery: &low, InstanceID: "i1"}); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	alerts := must[*client.Page[client.Alert]](t, "ListAlerts")(mer.ListAlerts(ctx, &client.AlertQuery{State: "open", Kind: "battery"}))
	if len(alerts.Items) != 1 || alerts.Items[0].BeaconID != bc.ID || alerts.Items[0].StoreID != st.ID {
		t.Errorf("ListAlerts: got %+v, want the battery alert", alerts.Items)
	}
	if got := collect(t, "Alerts", mer.Alerts(ctx, client.AlertQuery{})); len(got) != 1 {
		t.Errorf("Alerts: got %+v", got)
	}
	if got := must[*client.Beacon](t, "GetBeacon")(mer.GetBeacon(ctx, bc.ID)); len(got.Alerts) != 1 || got.Alerts[0].Kind != "battery" {
		t.Errorf("GetBeacon alerts: got %+v", got.Alerts)
	}
	if err := agent.Heartbeat(ctx, &nearby.Heartbeat{UptimeS: 62, Version: "0.1.0", Battery: &batt, InstanceID: "i1"}); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}

	// Webhooks and the event stream.
	hook := must[*client.Webhook](t, "CreateWebhook")(mer.CreateWebhook(ctx, srv.URL+"/healthz", []string{"enter", "alert"}))
	if !strings.HasPrefix(hook.Secret, "whsec_") || hook.Disabled {
		t.Errorf("CreateWebhook: got %+v", hook)
	}
	if hs := must[[]client.Webhook](t, "ListWebhooks")(mer.ListWebhooks(ctx)); len(hs) != 1 || hs[0].Secret != "" {
		t.Errorf("ListWebhooks: got %+v, want the endpoint without its secret", hs)
	}
	if tr := must[*client.WebhookTest](t, "TestWebhook")(mer.TestWebhook(ctx, hook.ID, "")); tr.Error == "" && !tr.Delivered {
		t.Errorf("TestWebhook: got %+v", tr)
	}
	streamed := collect(t, "Events", mer.Events(ctx, client.StreamOptions{LastEventID: "0", NoFollow: true}))
	if len(streamed) < 3 || streamed[0].ID == "" {
		t.Errorf("Events: got %d events, want the shakes, visits and alerts so far", len(streamed))
	}
	if err := mer.DeleteWebhook(ctx, hook.ID); err != nil {
		t.Errorf("DeleteWebhook: %v", err)
	}

	// Statistics.
	from, to := now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)
	for name, get := range map[string]func() (*client.Stats, error){
		"BeaconStatsRange": func() (*client.Stats, error) { return mer.BeaconStatsRange(ctx, bc.ID, from, to) },
		"StoreStatsRange":  func() (*client.Stats, error) { return mer.StoreStatsRange(ctx, st.ID, from, to) },
	} {
		s := must[*client.Stats](t, name)(get())
		// One phone's shake and visit: fewer devices than the minimum
		// count, so today's figures are suppressed (null), the other days
		// are zeros.
		suppressed := 0
		for _, d := range s.Days {
			switch {
			case d.Suppressed && d.ShakePV == nil && d.Visits == nil:
				suppressed++
			case d.Suppressed || d.ShakePV == nil || *d.ShakePV != 0 || *d.Visits != 0:
				t.Errorf("%s: day %+v, want zeros or suppressed", name, d)
			}
		}
		if suppressed != 1 || len(s.Days) < 2 || s.From.IsZero() {
			t.Errorf("%s: got %+v, want today suppressed", name, s)
		}
	}
	hm := must[*client.HeatmapResult](t, "HeatmapOf")(mer.HeatmapOf(ctx, &client.HeatmapQuery{Res: 7,
		MinLat: 51.4, MinLng: -0.3, MaxLat: 51.6, MaxLng: 0, From: from, To: to}))
	withheld := 0
	for _, c := range hm.Cells {
		if c.Suppressed {
			withheld++
		}
	}
	if hm.Res != 7 || len(hm.Cells) == 0 || withheld != 1 {
		t.Errorf("HeatmapOf: got %+v, want the till's cell suppressed (one phone)", hm)
	}

	// Keys.
	if ms := collect(t, "Merchants", admin.Merchants(ctx)); len(ms) != 1 || ms[0].ID != m.ID || len(ms[0].Keys) != 1 || ms[0].Keys[0].ID != m.KeyID {
		t.Errorf("Merchants: got %+v, want %s with key %s", ms, m.ID, m.KeyID)
	}
	if p := must[*client.Page[client.MerchantInfo]](t, "ListMerchants")(admin.ListMerchants(ctx, nil)); len(p.Items) != 1 || p.Items[0].Keys[0].LastUsedAt == nil {
		t.Errorf("ListMerchants: got %+v, want the merchant with its used key", p)
	}
	later := time.Now().Add(time.Hour).UTC()
	nk := must[*client.NewKey](t, "IssueMerchantKey")(mer.IssueMerchantKey(ctx, m.ID, &later))
	if nk.APIKey == "" || nk.ExpiresAt == nil || !nk.ExpiresAt.Equal(later) {
		t.Errorf("IssueMerchantKey: got %+v", nk)
	}
	mer2 := mer.WithToken(nk.APIKey)
	if err := mer2.RevokeMerchantKey(ctx, m.ID, m.KeyID); err != nil {
		t.Errorf("RevokeMerchantKey: %v", err)
	}
	if _, err := mer.GetStore(ctx, st.ID); nearby.ErrorCode(err) != nearby.EUNAUTHORIZED {
		t.Errorf("the revoked key: got %v, want %s", err, nearby.EUNAUTHORIZED)
	}
	mer = mer2
	nt := must[*client.NewKey](t, "IssueAgentToken")(mer.IssueAgentToken(ctx, bc.ID, nil))
	if nt.AgentToken == "" || len(bc.AgentTokens) != 1 {
		t.Errorf("IssueAgentToken: got %+v for a beacon with tokens %+v", nt, bc.AgentTokens)
	}
	if err := mer.RevokeAgentToken(ctx, bc.ID, bc.AgentTokens[0].ID); err != nil {
		t.Errorf("RevokeAgentToken: %v", err)
	}
	if _, err := agent.AgentConfig(ctx); nearby.ErrorCode(err) != nearby.EUNAUTHORIZED {
		t.Errorf("the revoked agent token: got %v, want %s", err, nearby.EUNAUTHORIZED)
	}

	// QR codes.
	qr := must[*client.QRCode](t, "CreateQRCode")(mer.CreateQRCode(ctx, &client.QRCodeInput{Target: client.QRTarget{StoreID: st.ID, ProgramID: pg.ID, Campaign: "xmas"}, Label: "door"}))
	if qr.ID == "" || len(qr.Code) != 10 || !strings.HasSuffix(qr.URL, "/q/"+qr.Code) {
		t.Errorf("CreateQRCode: got %+v", qr)
	}
	if got := must[*client.QRCode](t, "GetQRCode")(mer.GetQRCode(ctx, qr.ID)); got.Target != qr.Target {
		t.Errorf("GetQRCode: got %+v, want %+v", got, qr)
	}
	if p := must[*client.Page[client.QRCode]](t, "ListQRCodes")(mer.ListQRCodes(ctx, nil)); len(p.Items) != 1 {
		t.Errorf("ListQRCodes: got %+v", p)
	}
	if qs := collect(t, "QRCodes", mer.QRCodes(ctx)); len(qs) != 1 || qs[0].ID != qr.ID {
		t.Errorf("QRCodes: got %+v", qs)
	}
	if b := must[[]byte](t, "QRCodePNG")(mer.QRCodePNG(ctx, qr.ID)); !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("QRCodePNG: got %.8q", b)
	}
	if b := must[[]byte](t, "QRCodeSVG")(mer.QRCodeSVG(ctx, qr.ID)); !bytes.HasPrefix(b, []byte("<svg")) {
		t.Errorf("QRCodeSVG: got %.20q", b)
	}
	scan := must[*client.QRScan](t, "ScanQR")(phone.ScanQR(ctx, qr.Code))
	if scan.Store == nil || scan.Store.ID != st.ID || scan.Program == nil || scan.Program.ID != pg.ID || scan.Campaign != "xmas" || scan.Open == "" {
		t.Errorf("ScanQR: got %+v", scan)
	}
	qst := must[*client.QRStats](t, "QRCodeStats")(mer.QRCodeStats(ctx, qr.ID, time.Time{}, time.Time{}))
	// One visitor's day is below the minimum count: suppressed.
	if n := len(qst.Days); n == 0 || !qst.Days[n-1].Suppressed || qst.Days[n-1].ScansPV != nil {
		t.Errorf("QRCodeStats: got %+v, want today's single scan suppressed", qst)
	}
	if err := mer.DeleteQRCode(ctx, qr.ID); err != nil {
		t.Errorf("DeleteQRCode: %v", err)
	}
	if _, err := phone.ScanQR(ctx, qr.Code); nearby.ErrorCode(err) != nearby.ENOTFOUND {
		t.Errorf("ScanQR of a deleted code: %v, want %s", err, nearby.ENOTFOUND)
	}

	// Deletions.
	if err := mer.DeleteStore(ctx, st.ID); nearby.ErrorCode(err) != nearby.ECONFLICT {
		t.Errorf("DeleteStore of a store with beacons: got %v, want %s", err, nearby.ECONFLICT)
	}
	for _, del := range []struct {
		name string
		del  func() error
		get  func() error
	}{
		{"Beacon", func() error { return mer.DeleteBeacon(ctx, bc.ID) }, func() error { _, err := mer.GetBeacon(ctx, bc.ID); return err }},
		{"Program", func() error { return mer.DeleteProgram(ctx, other.ID) }, func() error { _, err := mer.GetProgram(ctx, other.ID); return err }},
		{"Store", func() error { return mer.DeleteStore(ctx, stores[3].ID) }, func() error { _, err := mer.GetStore(ctx, stores[3].ID); return err }},
	} {
		if err := del.del(); err != nil {
			t.Errorf("Delete%s: %v", del.name, err)
		}
		if err := del.get(); nearby.ErrorCode(err) != nearby.ENOTFOUND {
			t.Errorf("Get%s after its deletion: got %v, want %s", del.name, err, nearby.ENOTFOUND)
		}
	}

	if all := untested(t, doc, nil); len(all) < 25 {
		t.Fatalf("the OpenAPI document lists %d routes: %v", len(all), all)
	}
	for _, r := range untested(t, doc, rec.seen) {
		t.Errorf("no client call exercised %s", r)
	}
}

// untested returns the routes of the OpenAPI document that none of the
// requests seen matched.
func untested(t *testing.T, doc []byte, seen []string) []string {
	t.Helper()
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	if len(d.Paths) < 10 {
		t.Fatalf("OpenAPI document has %d paths, too few to be the server's", len(d.Paths))
	}
	param := regexp.MustCompile(`\\\{[^}]*\\\}`)
	var out []string
	for path, ops := range d.Paths {
		re := regexp.MustCompile("^" + param.ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$")
		for method := range ops {
			method = strings.ToUpper(method)
			if !slices.Contains([]string{"GET", "POST", "PUT", "DELETE", "PATCH"}, method) {
				continue // "parameters" and the like
			}
			if !slices.ContainsFunc(seen, func(s string) bool {
				m, p, _ := strings.Cut(s, " ")
				return m == method && re.MatchString(p)
			}) {
				out = append(out, fmt.Sprintf("%s %s", method, path))
			}
		}
	}
	slices.Sort(out)
	return out
}
