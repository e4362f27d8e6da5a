package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
)

// fakeDaemon serves the agent routes and records events by id, like
// discoveryd: a re-sent event is a duplicate.
type fakeDaemon struct {
	mu     sync.Mutex
	events map[string]nearby.Event
}

func (f *fakeDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer at_1_sim" {
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case "/v1/agent/config":
		io.WriteString(w, `{"beacon_id":"bcn_1","uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","major":1,"minor":2,"tx_power":-59,"interval_ms":100}`)
	case "/v1/agent/heartbeat":
		w.WriteHeader(http.StatusNoContent)
	case "/v1/agent/events":
		var in struct{ Events []nearby.Event }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		acc, dup := 0, 0
		for _, e := range in.Events {
			if _, ok := f.events[e.ID]; ok {
				dup++
				continue
			}
			f.events[e.ID] = e
			acc++
		}
		f.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]int{"accepted": acc, "duplicates": dup})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeDaemon) counts() map[nearby.EventType]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := make(map[nearby.EventType]int64)
	for _, e := range f.events {
		m[e.Type]++
	}
	return m
}

// TestRun_Sim runs the simulated agent twice with one seed, each on a fresh
// spool and daemon: it prints one summary line with the same counts, and
// the daemon has exactly those events.
func TestRun_Sim(t *testing.T) {
	var first map[nearby.EventType]int64
	for i := range 2 {
		d := &fakeDaemon{events: make(map[string]nearby.Event)}
		srv := httptest.NewServer(d)
		var stdout, stderr bytes.Buffer
		args := []string{"--server", srv.URL, "--token", "at_1_sim", "--radio", "sim",
			"--spool", filepath.Join(t.TempDir(), "spool"), "--sim-seed", "7", "--sim-phones", "25", "--sim-duration", "8m"}
		code := run(t.Context(), args, &stdout, &stderr)
		srv.Close()
		if code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, code, stderr.String())
		}
		var sum agent.Summary
		if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil || bytes.Count(stdout.Bytes(), []byte("\n")) != 1 {
			t.Fatalf("run %d: stdout %q (%v), want one JSON line", i, stdout.String(), err)
		}
		got := d.counts()
		for _, typ := range nearby.EventTypes {
			if got[typ] != sum.Generated[typ] || sum.ThisRun[typ] != sum.Generated[typ] {
				t.Errorf("run %d, %s: daemon has %d, summary generated %d, this run %d", i, typ, got[typ], sum.Generated[typ], sum.ThisRun[typ])
			}
			if i == 1 && sum.Generated[typ] != first[typ] {
				t.Errorf("%s: %d events, then %d for the same seed", typ, first[typ], sum.Generated[typ])
			}
		}
		if sum.Total == 0 || sum.Generated[nearby.EventEnter] == 0 || sum.SpoolDepth != 0 {
			t.Errorf("run %d: summary %+v, want events and an empty spool", i, sum)
		}
		first = sum.Generated
	}
}
