package e2e_test

import (
	"net/http"
	"testing"
	"time"
)

// TestStats_DefaultRangeIsStoreLocalToday: at the server's clock (Monday
// 20:30 UTC) it is already Tuesday in Auckland (UTC+13 in November). A
// shake there counts on the store's Tuesday, and the default range of the
// store's and its beacon's statistics ends on that Tuesday, starting 30
// days before it at local midnight, so the shake is in the default answer.
func TestStats_DefaultRangeIsStoreLocalToday(t *testing.T) {
	s := startServer(t)
	var m struct {
		APIKey string `json:"api_key"`
	}
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "kiwi"}, &m)
	var st storeRow
	s.postJSON("/v1/stores", m.APIKey, map[string]any{"name": "Ponsonby", "lat": -36.8485, "lng": 174.7633, "category": "coffee",
		"timezone": "Pacific/Auckland"}, &st)
	var b struct {
		ID    string `json:"id"`
		UUID  string `json:"uuid"`
		Major int    `json:"major"`
		Minor int    `json:"minor"`
	}
	s.postJSON("/v1/beacons", m.APIKey, map[string]any{"store_id": st.ID, "tx_power": -59}, &b)
	// Five phones, the minimum count, so the day's figures are shown.
	for _, phone := range []string{"nz-1", "nz-2", "nz-3", "nz-4", "nz-5"} {
		var shake struct {
			Ticket string `json:"ticket"`
		}
		s.postJSON("/v1/shake", "", map[string]any{"device_id": phone,
			"beacons": []map[string]any{{"uuid": b.UUID, "major": b.Major, "minor": b.Minor, "rssi": -60}}}, &shake)
		if shake.Ticket == "" {
			t.Fatal("shake: no ticket")
		}
	}
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	wantFrom := time.Date(2026, 10, 25, 0, 0, 0, 0, auckland)
	for _, path := range []string{"/v1/stats/stores/" + st.ID, "/v1/stats/beacons/" + b.ID} {
		var got struct {
			From time.Time `json:"from"`
			To   time.Time `json:"to"`
			Days []struct {
				Date    string `json:"date"`
				ShakePV int    `json:"shake_pv"`
			} `json:"days"`
		}
		s.do(http.MethodGet, path, m.APIKey, "", nil, &got)
		if !got.From.Equal(wantFrom) || !got.To.Equal(monday) || got.To.In(auckland).Format(time.DateOnly) != "2026-11-24" {
			t.Errorf("%s: range %v .. %v, want %v .. %v (Tuesday in Auckland)", path, got.From, got.To, wantFrom, monday)
		}
		n := len(got.Days)
		if n != 31 || got.Days[0].Date != "2026-10-25" || got.Days[n-1].Date != "2026-11-24" || got.Days[n-1].ShakePV != 5 {
			t.Errorf("%s: %d days %+v, want 2026-10-25 .. 2026-11-24 with the 5 shakes on the last", path, n, got.Days)
		}
	}
}
