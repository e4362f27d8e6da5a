package client_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
)

// serve returns a client of a server answering every request with h, after
// checking the bearer token.
func serve(t *testing.T, h http.HandlerFunc) *client.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, want := r.Header.Get("Authorization"), "Bearer at_1_secret"; got != want {
			t.Errorf("Authorization: got %q, want %q", got, want)
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return client.New(srv.URL+"/", "at_1_secret", srv.Client())
}

func TestClient_AgentConfig(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/agent/config" {
			t.Errorf("request: got %s %s", r.Method, r.URL.Path)
		}
		io.WriteString(w, `{"beacon_id":"bcn_1","uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","major":1,"minor":2,"tx_power":-59,"interval_ms":100,"status":"active"}`)
	})
	got, err := c.AgentConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := nearby.AgentConfig{BeaconID: "bcn_1", UUID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Major: 1, Minor: 2, TxPower: -59, IntervalMS: 100, Status: "active"}
	if *got != want {
		t.Errorf("AgentConfig: got %+v, want %+v", *got, want)
	}
}

func TestClient_Heartbeat(t *testing.T) {
	var body map[string]any
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/agent/heartbeat" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request: got %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		json.NewDecoder(r.Body).Decode(&body)
		w.WriteHeader(http.StatusNoContent)
	})
	temp, depth, dropped := 51.5, int64(7), int64(0)
	if err := c.Heartbeat(t.Context(), &nearby.Heartbeat{UptimeS: 60, Version: "v1", TemperatureC: &temp, SpoolDepth: &depth, Dropped: &dropped}); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"uptime_s": 60.0, "version": "v1", "temperature_c": 51.5, "spool_depth": 7.0, "dropped": 0.0}
	if len(body) != len(want) {
		t.Errorf("body: got %v, want %v", body, want)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s]: got %v, want %v", k, body[k], v)
		}
	}
}

func TestClient_PostEvents(t *testing.T) {
	evs := []nearby.Event{
		{ID: "00000000-0000-4000-8000-000000000001", Type: nearby.EventEnter, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), DeviceID: "p1"},
		{ID: "00000000-0000-4000-8000-000000000002", Type: nearby.EventShake, At: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), DeviceID: "p1"},
		{ID: "bad", Type: nearby.EventExit, At: time.Date(2026, 1, 2, 3, 4, 7, 0, time.UTC)},
	}
	tests := []struct {
		name           string
		answer         string
		acc, dup, rejN int
		wantErr        bool
	}{
		{"Counts", `{"accepted":1,"duplicates":1,"rejected":[{"index":2,"id":"bad","errors":[{"field":"id","message":"must be a UUID"}]}]}`, 1, 1, 1, false},
		{"IDLists", `{"accepted":["a"],"duplicates":["b","c"]}`, 1, 2, 0, false},
		{"NoRejected", `{"accepted":3,"duplicates":0}`, 3, 0, 0, false},
		{"ErrTooMany", `{"accepted":3,"duplicates":1}`, 0, 0, 0, true},
		{"ErrNegative", `{"accepted":-1,"duplicates":0}`, 0, 0, 0, true},
		{"ErrNotJSON", `accepted`, 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				var in struct {
					Events []map[string]any `json:"events"`
				}
				if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Events) != 3 || in.Events[0]["at"] != "2026-01-02T03:04:05Z" {
					t.Errorf("body: got %v (%v)", in, err)
				}
				io.WriteString(w, tt.answer)
			})
			r, err := c.PostEventsResult(t.Context(), evs)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want an error", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Accepted != tt.acc || r.Duplicates != tt.dup || r.RejectedN != tt.rejN {
				t.Errorf("got %+v, want accepted %d, duplicates %d, rejected %d", r, tt.acc, tt.dup, tt.rejN)
			}
			if tt.rejN == 1 && (r.Rejected[0].Index != 2 || !strings.Contains(r.Rejected[0].String(), "id: must be a UUID")) {
				t.Errorf("rejection: got %+v (%s)", r.Rejected[0], r.Rejected[0])
			}
		})
	}
}

func TestClient_Do(t *testing.T) {
	t.Run("ErrProblem", func(t *testing.T) {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"slow down","errors":[{"field":"events","message":"too many"}]}`)
		})
		_, _, err := c.PostEvents(t.Context(), nil)
		var e *client.Error
		if !errors.As(err, &e) {
			t.Fatalf("got %v, want a *client.Error", err)
		}
		if e.Status != 429 || e.RetryAfter != 7*time.Second || e.Detail != "slow down" || len(e.Fields) != 1 || !e.Retryable() {
			t.Errorf("got %+v, want status 429, Retry-After 7s, detail and one field, retryable", e)
		}
		if got := client.StatusOf(err); got != 429 {
			t.Errorf("StatusOf: got %d, want 429", got)
		}
		if !strings.Contains(err.Error(), "429") || !strings.Contains(err.Error(), "events: too many") {
			t.Errorf("Error(): got %q", err)
		}
	})
	t.Run("ErrNotRetryable", func(t *testing.T) {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusUnauthorized) })
		_, err := c.AgentConfig(t.Context())
		var e *client.Error
		if !errors.As(err, &e) || e.Status != 401 || e.Retryable() || e.Detail != "no" {
			t.Errorf("got %#v, want a non-retryable 401 with detail", err)
		}
	})
	t.Run("ErrNetwork", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		c := client.New(srv.URL, "", nil)
		_, err := c.AgentConfig(t.Context())
		if err == nil || client.StatusOf(err) != 0 {
			t.Errorf("got %v, want a network error with no status", err)
		}
	})
}

func TestClient_Stats(t *testing.T) {
	for name, answer := range map[string]string{
		"Object": `{"id":"bcn_1","days":[{"date":"2026-01-02","shake_pv":3,"shake_uv":2,"visits":4,"visitors":3,"avg_dwell_s":12.5}]}`,
		"Extra":  `{"id":"bcn_1","from":"2026-01-01T00:00:00Z","later":true,"days":[{"date":"2026-01-02","shake_pv":3,"shake_uv":2,"visits":4,"visitors":3,"avg_dwell_s":12.5}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/stats/beacons/bcn_1" || r.URL.Query().Get("from") != "2026-01-01" || r.URL.Query().Get("to") != "2026-01-03" {
					t.Errorf("request: got %s", r.URL)
				}
				io.WriteString(w, answer)
			})
			days, err := c.BeaconStats(t.Context(), "bcn_1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			i := func(n int64) *int64 { return &n }
			dwell := 12.5
			want := nearby.DayStats{Date: "2026-01-02", ShakePV: i(3), ShakeUV: i(2), Visits: i(4), Visitors: i(3), AvgDwellS: &dwell}
			if len(days) != 1 || fmt.Sprint(deref(days[0])) != fmt.Sprint(deref(want)) {
				t.Errorf("got %+v, want [%+v]", days, want)
			}
		})
	}
}

// deref shows a day's figures rather than their addresses.
func deref(d nearby.DayStats) []any {
	out := []any{d.Date, d.Suppressed}
	for _, p := range []*int64{d.ShakePV, d.ShakeUV, d.Visits, d.Visitors} {
		if p == nil {
			out = append(out, nil)
		} else {
			out = append(out, *p)
		}
	}
	if d.AvgDwellS != nil {
		return append(out, *d.AvgDwellS)
	}
	return append(out, nil)
}
