package e2e_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/ble"
	"github.com/nearby-dev/nearby/client"
	"github.com/nearby-dev/nearby/daemon"
	"github.com/nearby-dev/nearby/discovery"
)

// TestAlerts_SimAgentStops: a sim agent heartbeats, then stops; on the
// daemon's fake clock no alert is raised within the silence window and a
// silent alert is raised past it, which the agent's return resolves.
func TestAlerts_SimAgentStops(t *testing.T) {
	ctx := t.Context()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = adminToken, 0
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(t.TempDir(), "nearby.db"), API: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(d.Server.Handler())
	t.Cleanup(hs.Close)
	admin := client.New(hs.URL, adminToken, nil)
	m, err := admin.CreateMerchant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	merchant := admin.WithToken(m.APIKey)
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "Soho", Lat: 51.5, Lng: -0.13, Category: "coffee"})
	if err != nil {
		t.Fatal(err)
	}
	bc, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID})
	if err != nil {
		t.Fatal(err)
	}

	runAgent := func() (stop func()) {
		sim, err := ble.NewSim(ble.SimOptions{Seed: 1, Duration: time.Hour, Speed: 1})
		if err != nil {
			t.Fatal(err)
		}
		radio := sim.Radio(ble.Point{})
		spool, err := agent.OpenSpool(filepath.Join(t.TempDir(), "spool.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		a := agent.New(radio, client.New(hs.URL, bc.AgentToken, nil), spool, &agent.Options{HeartbeatEvery: time.Hour})
		actx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- a.Run(actx) }()
		return func() { cancel(); <-done; radio.Close(); spool.Close() }
	}
	heartbeatAt := func() time.Time {
		b, err := merchant.GetBeacon(ctx, bc.ID)
		if err != nil || b.LastHeartbeat == nil {
			return time.Time{}
		}
		return b.LastHeartbeat.At
	}
	silent := func() []client.Alert {
		t.Helper()
		if err := d.Service.CheckAlerts(ctx); err != nil { // the sweep Run does every SweepEvery
			t.Fatal(err)
		}
		p, err := merchant.ListAlerts(ctx, &client.AlertQuery{Kind: string(nearby.AlertSilent), State: nearby.AlertOpen})
		if err != nil {
			t.Fatal(err)
		}
		return p.Items
	}

	stop := runAgent()
	waitFor(t, "the agent's first heartbeat", func() bool { return !heartbeatAt().IsZero() })
	stop() // the agent is gone

	clock.Add(int64(discovery.DefaultSilentAfter - time.Second))
	if got := silent(); len(got) != 0 {
		t.Fatalf("silent alert within the window: %+v", got)
	}
	clock.Add(int64(2 * time.Second))
	got := silent()
	if len(got) != 1 || got[0].BeaconID != bc.ID || got[0].StoreID != st.ID {
		t.Fatalf("open silent alerts past the window: %+v, want one for %s", got, bc.ID)
	}
	if b, _ := merchant.GetBeacon(ctx, bc.ID); len(b.Alerts) != 1 {
		t.Errorf("beacon detail alerts: %+v", b.Alerts)
	}

	stop = runAgent() // back: its first heartbeat resolves the alert
	defer stop()
	waitFor(t, "the silent alert resolved", func() bool { return len(silent()) == 0 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
