package e2e_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// TestQRCode_CreateRenderDecodeScanCount: a merchant's code for a program
// at a store renders as a PNG that a QR decoder reads back as the code's
// URL; scanning that URL answers the target (JSON for apps, a redirect to
// the deep link for browsers) and counts on the store's day; bad targets
// and unknown codes are 404 problems naming what was not found.
func TestQRCode_CreateRenderDecodeScanCount(t *testing.T) {
	s := startServer(t)
	var m, other struct {
		APIKey string `json:"api_key"`
	}
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "qr"}, &m)
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "rival"}, &other)
	var st, theirs storeRow
	s.postJSON("/v1/stores", m.APIKey, map[string]any{"name": "Soho", "lat": 51.5136, "lng": -0.1365, "category": "coffee", "timezone": "Europe/London"}, &st)
	s.postJSON("/v1/stores", other.APIKey, map[string]any{"name": "Rival", "lat": 51.5, "lng": -0.1, "category": "coffee"}, &theirs)
	var pg programRow
	s.postJSON("/v1/programs", m.APIKey, map[string]any{"app_id": "wxqr", "name": "Rewards", "category": "coffee", "store_ids": []string{st.ID}}, &pg)

	var qr struct {
		ID, Code, URL string
	}
	s.postJSON("/v1/qrcodes", m.APIKey, map[string]any{"target": map[string]any{"store_id": st.ID, "program_id": pg.ID, "campaign": "spring"}, "label": "till"}, &qr)
	if qr.ID == "" || len(qr.Code) != 10 || qr.URL != s.url+"/q/"+qr.Code {
		t.Fatalf("created %+v", qr)
	}

	// Render and decode.
	req, _ := http.NewRequest(http.MethodGet, s.url+"/v1/qrcodes/"+qr.ID+".png", nil)
	req.Header.Set("Authorization", "Bearer "+m.APIKey)
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode the PNG: %v", err)
	}
	if res.GetText() != qr.URL {
		t.Fatalf("the PNG decodes to %q, want %q", res.GetText(), qr.URL)
	}
	if code, b := s.status(http.MethodGet, "/v1/qrcodes/"+qr.ID+".svg", m.APIKey, nil); code != 200 || !bytes.HasPrefix(b, []byte("<svg")) {
		t.Fatalf("svg: %d %.40s", code, b)
	}

	// Scan: an app asks for JSON, a browser is redirected.
	userAgent := "phone-1"
	scan := func(accept string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, res.GetText(), nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		req.Header.Set("User-Agent", userAgent)
		resp, err := s.http.Transport.RoundTrip(req) // no redirect following
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	r := scan("application/json")
	var got struct {
		Store    struct{ ID string } `json:"store"`
		Program  struct{ ID string } `json:"program"`
		Campaign string              `json:"campaign"`
		Open     string              `json:"open"`
	}
	json.NewDecoder(r.Body).Decode(&got)
	r.Body.Close()
	if r.StatusCode != 200 || got.Store.ID != st.ID || got.Program.ID != pg.ID || got.Campaign != "spring" {
		t.Fatalf("scan as an app: %d %+v", r.StatusCode, got)
	}
	r = scan("text/html")
	r.Body.Close()
	loc, _ := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusFound || loc == nil || loc.Scheme != "nearby" || loc.Query().Get("app_id") != "wxqr" || loc.Query().Get("store_id") != st.ID || loc.Query().Get("qr") != qr.Code {
		t.Fatalf("scan in a browser: %d Location %q", r.StatusCode, r.Header.Get("Location"))
	}
	type qrDays struct {
		Days []struct {
			Date       string `json:"date"`
			ScansPV    *int   `json:"scans_pv"`
			ScansUV    *int   `json:"scans_uv"`
			Suppressed bool   `json:"suppressed"`
		} `json:"days"`
	}
	type storeDays struct {
		Days []struct {
			Date    string `json:"date"`
			QRScans *int   `json:"qr_scans"`
		} `json:"days"`
	}
	// One phone, twice: below the minimum count of 5 visitors, so the day
	// is suppressed, at the code and at the store.
	var stats qrDays
	s.do(http.MethodGet, "/v1/stats/qrcodes/"+qr.ID, m.APIKey, "", nil, &stats)
	if last := stats.Days[len(stats.Days)-1]; last.Date != "2026-11-23" || !last.Suppressed || last.ScansPV != nil {
		t.Fatalf("stats: last day %+v, want 2026-11-23 suppressed (one visitor)", last)
	}
	var storeStats storeDays
	s.do(http.MethodGet, "/v1/stats/stores/"+st.ID, m.APIKey, "", nil, &storeStats)
	if d := storeStats.Days[len(storeStats.Days)-1]; d.Date != "2026-11-23" || d.QRScans != nil {
		t.Fatalf("store stats: last day %+v, want its QR scans suppressed", d)
	}
	// Four more phones: 6 scans by 5 visitors are shown.
	for _, ua := range []string{"phone-2", "phone-3", "phone-4", "phone-5"} {
		userAgent = ua
		scan("application/json").Body.Close()
	}
	stats = qrDays{}
	s.do(http.MethodGet, "/v1/stats/qrcodes/"+qr.ID, m.APIKey, "", nil, &stats)
	if last := stats.Days[len(stats.Days)-1]; last.ScansPV == nil || *last.ScansPV != 6 || last.ScansUV == nil || *last.ScansUV != 5 {
		t.Fatalf("stats: last day %+v, want 6 scans by 5 visitors", last)
	}
	storeStats = storeDays{}
	s.do(http.MethodGet, "/v1/stats/stores/"+st.ID, m.APIKey, "", nil, &storeStats)
	if d := storeStats.Days[len(storeStats.Days)-1]; d.QRScans == nil || *d.QRScans != 6 {
		t.Fatalf("store stats: last day %+v, want the 6 QR scans", d)
	}

	// Bad input.
	for _, tc := range []struct {
		body  map[string]any
		code  int
		field string
	}{
		{map[string]any{"target": map[string]any{"store_id": "st_ffff"}}, 404, "target.store_id"},
		{map[string]any{"target": map[string]any{"store_id": theirs.ID}}, 404, "target.store_id"},
		{map[string]any{"target": map[string]any{"program_id": "pg_ffff"}}, 404, "target.program_id"},
		{map[string]any{"target": map[string]any{}}, 400, "target"},
		{map[string]any{"target": map[string]any{"store_id": "nope"}}, 400, "target.store_id"},
	} {
		code, b := s.status(http.MethodPost, "/v1/qrcodes", m.APIKey, tc.body)
		var p struct {
			Errors []struct{ Field string } `json:"errors"`
		}
		json.Unmarshal(b, &p)
		if code != tc.code || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
			t.Errorf("create %v: %d %s, want %d naming %s", tc.body, code, b, tc.code, tc.field)
		}
	}
	for _, path := range []string{"/q/zzzzzzzzzz", "/q/short"} {
		if code, b := s.status(http.MethodGet, path, "", nil); code != 404 || !strings.Contains(string(b), "not_found") {
			t.Errorf("GET %s: %d %s, want a 404 problem", path, code, b)
		}
	}
	if code, _ := s.status(http.MethodGet, "/v1/qrcodes/"+qr.ID, other.APIKey, nil); code != 404 {
		t.Errorf("another merchant reads the code: %d, want 404", code)
	}
}
