package e2e_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/ble"
	"github.com/nearby-dev/nearby/client"
	"github.com/nearby-dev/nearby/daemon"
	"github.com/nearby-dev/nearby/rotation"
)

// TestRotation_SimAgent is issue 17's rotation flow end to end on real
// clocks: a sim agent whose beacon rotates every second advertises the
// identity of now; a phone that hears those advertising bytes resolves and
// shakes verified; the same bytes replayed two windows later resolve to
// nothing.
func TestRotation_SimAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for rotation windows of a second")
	}
	ctx := t.Context()
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = adminToken, 0
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(t.TempDir(), "nearby.db"), API: cfg})
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
	period := 1
	bc, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Rotation: &client.RotationInput{Enabled: true, PeriodS: &period}})
	if err != nil {
		t.Fatal(err)
	}

	sim, err := ble.NewSim(ble.SimOptions{Seed: 1, Duration: time.Hour, Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	radio := sim.Radio(ble.Point{})
	defer radio.Close()
	spool, err := agent.OpenSpool(filepath.Join(t.TempDir(), "spool.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	a := agent.New(radio, client.New(hs.URL, bc.AgentToken, nil), spool, &agent.Options{HeartbeatEvery: time.Hour})
	actx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(actx) }()
	defer func() { stop(); <-done }()

	// The phone hears the advertising data on air and decodes it.
	hear := func() (nearby.Identity, int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if b, ok := radio.Advertising(); ok {
				f, err := ble.Decode(b.AdvertisingData())
				if err != nil {
					t.Fatal(err)
				}
				return f.IBeacon.Identity(), rotation.Window(time.Now(), period)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the agent never advertised")
		return nearby.Identity{}, 0
	}
	see := func(id nearby.Identity) []client.Sighting {
		return []client.Sighting{{UUID: id.UUID.String(), Major: id.Major, Minor: id.Minor}}
	}
	heard, w := hear()
	res, err := merchant.Shake(ctx, &client.ShakeInput{DeviceID: "phone-1", Beacons: see(heard)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Chosen == nil || res.Presence != nearby.PresenceVerified {
		t.Fatalf("shake of the identity heard now: %+v, want chosen and verified", res)
	}
	// Replay the same bytes two windows on.
	for rotation.Window(time.Now(), period) < w+2 {
		time.Sleep(50 * time.Millisecond)
	}
	if got, err := merchant.Resolve(ctx, see(heard)); err != nil || len(got) != 0 {
		t.Fatalf("replay two windows later: %+v, %v; want nothing", got, err)
	}
	if adv := radio.Advertised(); len(adv) < 2 {
		t.Errorf("the sim radio advertised %d identities in %d windows, want a new one each window", len(adv), 2)
	}
	now, _ := hear()
	if got, err := merchant.Resolve(ctx, see(now)); err != nil || len(got) != 1 || got[0].Presence != nearby.PresenceVerified {
		t.Errorf("identity of the new window: %+v, %v; want verified", got, err)
	}
}
