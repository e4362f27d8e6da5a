package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby/ble"
)

// status sends a request and returns the status code and body.
func (s *server) status(method, path, token string, in any) (int, []byte) {
	s.tb.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type resolvedView struct {
	Beacon struct {
		UUID  string `json:"uuid"`
		Major int    `json:"major"`
		Minor int    `json:"minor"`
	} `json:"beacon"`
	Store struct {
		ID string `json:"id"`
	} `json:"store"`
	Page *struct {
		Program *struct {
			ID string `json:"id"`
		} `json:"program"`
		Path string `json:"path"`
	} `json:"page"`
	DistanceM *float64 `json:"distance_m"`
	Proximity string   `json:"proximity"`
}

// TestPhone_ResolveAndShake walks the beacon endpoints of the phone API:
// resolve (known and active only, nearest first, distance and proximity
// from rssi), shake (nearest beacon chosen, the rest around, a ticket only
// the owning merchant can read) and the shake's fallback by location.
func TestPhone_ResolveAndShake(t *testing.T) {
	s := startServer(t)
	type merchant struct {
		APIKey string `json:"api_key"`
	}
	var m, other merchant
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "cafe"}, &m)
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "other"}, &other)
	var st1, st2 struct {
		ID string `json:"id"`
	}
	s.postJSON("/v1/stores", m.APIKey, map[string]any{"name": "Rivoli", "lat": 48.8606, "lng": 2.3376, "category": "coffee"}, &st1)
	s.postJSON("/v1/stores", m.APIKey, map[string]any{"name": "Halles", "lat": 48.8620, "lng": 2.3450, "category": "coffee"}, &st2)
	var pg programRow
	s.postJSON("/v1/programs", m.APIKey, map[string]any{"app_id": "wxcafe", "name": "Cafe", "category": "coffee",
		"store_ids": []string{st1.ID, st2.ID}}, &pg)
	type beacon struct {
		ID     string `json:"id"`
		UUID   string `json:"uuid"`
		Major  int    `json:"major"`
		Minor  int    `json:"minor"`
		Status string `json:"status"`
	}
	var near, far, off beacon
	s.postJSON("/v1/beacons", m.APIKey, map[string]any{"store_id": st1.ID, "tx_power": -59, "page": map[string]any{"program_id": pg.ID, "path": "/menu"}}, &near)
	s.postJSON("/v1/beacons", m.APIKey, map[string]any{"store_id": st2.ID, "tx_power": -59}, &far)
	s.postJSON("/v1/beacons", m.APIKey, map[string]any{"store_id": st2.ID}, &off)
	s.do(http.MethodPut, "/v1/beacons/"+off.ID, m.APIKey, "application/json", bytes.NewReader(mustJSON(t, map[string]any{"store_id": st2.ID, "status": "inactive"})), nil)

	seen := []map[string]any{
		{"uuid": far.UUID, "major": far.Major, "minor": far.Minor, "rssi": -80},
		{"uuid": off.UUID, "major": off.Major, "minor": off.Minor, "rssi": -40},
		{"uuid": "f7826da6-4fa2-4e98-8024-bc5b71e0893e", "major": 9, "minor": 9, "rssi": -40}, // unknown
		{"uuid": near.UUID, "major": near.Major, "minor": near.Minor, "rssi": -62},
	}
	t.Run("Resolve", func(t *testing.T) {
		var out struct {
			Results []resolvedView `json:"results"`
		}
		s.postJSON("/v1/beacons/resolve", "", map[string]any{"beacons": seen}, &out)
		if len(out.Results) != 2 {
			t.Fatalf("resolved %d beacons, want 2 (inactive and unknown left out): %+v", len(out.Results), out.Results)
		}
		r0, r1 := out.Results[0], out.Results[1]
		if r0.Beacon.Minor != near.Minor || r0.Store.ID != st1.ID || r0.Page == nil || r0.Page.Program == nil ||
			r0.Page.Program.ID != pg.ID || r0.Page.Path != "/menu" {
			t.Errorf("nearest: %+v, want beacon %d at %s with page %s /menu", r0, near.Minor, st1.ID, pg.ID)
		}
		want := ble.EstimateDistance(-62, -59)
		if r0.DistanceM == nil || *r0.DistanceM != want || r0.Proximity != string(ble.ProximityOf(want)) {
			t.Errorf("nearest: distance %v, proximity %q; want %v, %q", r0.DistanceM, r0.Proximity, want, ble.ProximityOf(want))
		}
		if r1.Beacon.Minor != far.Minor || r1.Proximity != "far" {
			t.Errorf("second: %+v, want beacon %d, far", r1, far.Minor)
		}
	})
	t.Run("Shake", func(t *testing.T) {
		var out struct {
			Ticket string         `json:"ticket"`
			Chosen *resolvedView  `json:"chosen"`
			Around []resolvedView `json:"around"`
		}
		s.postJSON("/v1/shake", "", map[string]any{"device_id": "phone-1", "beacons": seen}, &out)
		if out.Ticket == "" || out.Chosen == nil || out.Chosen.Beacon.Minor != near.Minor || len(out.Around) != 1 || out.Around[0].Beacon.Minor != far.Minor {
			t.Fatalf("shake: %+v, want a ticket, beacon %d chosen and %d around", out, near.Minor, far.Minor)
		}
		code, body := s.status(http.MethodGet, "/v1/shakes/"+out.Ticket, m.APIKey, nil)
		var rec struct {
			DeviceID  string `json:"device_id"`
			BeaconID  string `json:"beacon_id"`
			ProgramID string `json:"program_id"`
			Fallback  bool   `json:"fallback"`
		}
		json.Unmarshal(body, &rec)
		if code != http.StatusOK || !strings.HasPrefix(rec.DeviceID, "dv_") || rec.BeaconID != near.ID || rec.ProgramID != pg.ID || rec.Fallback {
			t.Errorf("owner reads the shake: %d %s; want phone-1's pseudonym, beacon %s, program %s", code, body, near.ID, pg.ID)
		}
		if code, body := s.status(http.MethodGet, "/v1/shakes/"+out.Ticket, other.APIKey, nil); code != http.StatusNotFound {
			t.Errorf("another merchant reads the shake: %d %s, want 404", code, body)
		}
	})
	t.Run("ShakeFallsBackToLocation", func(t *testing.T) {
		var out struct {
			Ticket   string        `json:"ticket"`
			Chosen   *resolvedView `json:"chosen"`
			Fallback string        `json:"fallback"`
		}
		s.postJSON("/v1/shake", "", map[string]any{"device_id": "phone-2", "lat": 48.8607, "lng": 2.3377,
			"beacons": []map[string]any{{"uuid": "f7826da6-4fa2-4e98-8024-bc5b71e0893e", "major": 9, "minor": 9}}}, &out)
		if out.Fallback != "location" || out.Chosen == nil || out.Chosen.Store.ID != st1.ID || out.Chosen.Page == nil ||
			out.Chosen.Page.Program == nil || out.Chosen.Page.Program.ID != pg.ID {
			t.Fatalf("shake without a known beacon: %+v, want fallback location to %s at %s", out, pg.ID, st1.ID)
		}
	})
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
