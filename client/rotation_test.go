package client_test

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
	"github.com/nearby-dev/nearby/rotation"
)

// TestRotation_EndToEnd runs issue 17's rotation flow against a real
// discoveryd: a beacon with rotation on, its agent's config with the
// secret, a phone that hears the identity of now and shakes verified, a
// replay of a static identity unverified, the verified shake counted
// apart, and the remote interval reaching the agent's config.
func TestRotation_EndToEnd(t *testing.T) {
	ctx := t.Context()
	srv := startServer(t)
	admin := client.New(srv.URL, srv.Admin, nil)
	m, err := admin.CreateMerchant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	merchant := admin.WithToken(m.APIKey)
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "Soho", Lat: 51.5136, Lng: -0.1365, Category: "coffee"})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := merchant.CreateProgram(ctx, &client.ProgramInput{AppID: "wx", Name: "R", Category: "coffee", StoreIDs: []string{st.ID}})
	if err != nil {
		t.Fatal(err)
	}
	period := 3600
	bc, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID,
		Page:     &client.BeaconPage{ProgramID: pg.ID, Path: "/vip", RequirePresence: true},
		Rotation: &client.RotationInput{Enabled: true, PeriodS: &period}})
	if err != nil {
		t.Fatal(err)
	}
	if bc.Rotation == nil || !bc.Rotation.Enabled || bc.Rotation.PeriodS != period || !bc.Page.RequirePresence {
		t.Fatalf("created beacon %+v rotation %+v", bc, bc.Rotation)
	}
	agent := admin.WithToken(bc.AgentToken)
	cfg, err := agent.AgentConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(cfg.RotationSecret)
	if err != nil || len(secret) != rotation.SecretLen || cfg.RotationPeriodS != period {
		t.Fatalf("agent config rotation %d/%q: %v", cfg.RotationPeriodS, cfg.RotationSecret, err)
	}

	static, _ := cfg.Identity()
	id, err := rotation.At(static.UUID, secret, period, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	see := func(id nearby.Identity) []client.Sighting {
		return []client.Sighting{{UUID: id.UUID.String(), Major: id.Major, Minor: id.Minor}}
	}
	t.Run("ResolveVerified", func(t *testing.T) {
		res, err := merchant.Resolve(ctx, see(id))
		if err != nil || len(res) != 1 || res[0].Presence != nearby.PresenceVerified || res[0].Beacon.Major != id.Major {
			t.Fatalf("resolve %+v, %v", res, err)
		}
	})
	t.Run("StaticIdentityUnresolved", func(t *testing.T) {
		if res, err := merchant.Resolve(ctx, see(static)); err != nil || len(res) != 0 {
			t.Fatalf("static identity of a rotating beacon: %+v, %v", res, err)
		}
	})
	t.Run("ReplayTwoWindowsOld", func(t *testing.T) {
		old, _ := rotation.At(static.UUID, secret, period, time.Now().Add(-2*time.Duration(period)*time.Second))
		if res, err := merchant.Resolve(ctx, see(old)); err != nil || len(res) != 0 {
			t.Fatalf("identity of two windows ago: %+v, %v", res, err)
		}
	})
	t.Run("ShakeVerified", func(t *testing.T) {
		res, err := merchant.Shake(ctx, &client.ShakeInput{DeviceID: "d1", Beacons: see(id)})
		if err != nil || res.Presence != nearby.PresenceVerified || res.Chosen == nil || res.Chosen.Page == nil || res.Chosen.Page.Path != "/vip" {
			t.Fatalf("shake %+v, %v", res, err)
		}
		rec, err := merchant.GetShake(ctx, res.Ticket)
		if err != nil || rec.Presence != nearby.PresenceVerified {
			t.Fatalf("shake record %+v, %v", rec, err)
		}
		days, err := merchant.BeaconStats(ctx, bc.ID, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		// One phone's day is below the minimum count: it is suppressed,
		// never shown as a single person's figures.
		suppressed := 0
		for _, d := range days {
			if d.ShakePV != nil && *d.ShakePV > 0 {
				t.Errorf("stats of one phone's shake on %s: %d shakes shown, want the day suppressed", d.Date, *d.ShakePV)
			}
			if d.Suppressed {
				suppressed++
			}
		}
		if suppressed != 1 {
			t.Errorf("%d days suppressed, want the shake's day", suppressed)
		}
		// Four more phones make the day showable: five shakes, all verified.
		for _, dev := range []string{"d2", "d3", "d4", "d5"} {
			if _, err := merchant.Shake(ctx, &client.ShakeInput{DeviceID: dev, Beacons: see(id)}); err != nil {
				t.Fatal(err)
			}
		}
		days, err = merchant.BeaconStats(ctx, bc.ID, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var pv, verified int64
		for _, d := range days {
			if d.ShakePV != nil && d.ShakeVerified != nil {
				pv, verified = pv+*d.ShakePV, verified+*d.ShakeVerified
			}
		}
		if pv != 5 || verified != 5 {
			t.Errorf("stats: %d shakes, %d verified; want 5, 5", pv, verified)
		}
	})
	t.Run("RequirePresenceFallsBack", func(t *testing.T) {
		// Rotation off: the static identity resolves again, unverified, so
		// the page that requires presence is never shown.
		in := bc.Input()
		in.Rotation = &client.RotationInput{Enabled: false}
		if _, err := merchant.UpdateBeacon(ctx, bc.ID, in); err != nil {
			t.Fatal(err)
		}
		lat, lng := 51.5136, -0.1365
		res, err := merchant.Shake(ctx, &client.ShakeInput{DeviceID: "d2", Beacons: see(static), Lat: &lat, Lng: &lng})
		if err != nil || res.Presence != nearby.PresenceUnverified || res.Fallback != "location" {
			t.Fatalf("unverified shake of a presence-only page: %+v, %v", res, err)
		}
		cfg, err := agent.AgentConfig(ctx)
		if err != nil || cfg.RotationSecret != "" || cfg.RotationPeriodS != 0 {
			t.Fatalf("config after rotation off: %+v, %v", cfg, err)
		}
	})
	t.Run("RemoteInterval", func(t *testing.T) {
		in := bc.Input()
		ms := 250
		in.IntervalMS = &ms
		if _, err := merchant.UpdateBeacon(ctx, bc.ID, in); err != nil {
			t.Fatal(err)
		}
		if cfg, err := agent.AgentConfig(ctx); err != nil || cfg.IntervalMS != 250 {
			t.Fatalf("agent config interval %+v, %v", cfg, err)
		}
		for _, bad := range []int{0, 99, 10_001} {
			ms := bad
			in.IntervalMS = &ms
			_, err := merchant.UpdateBeacon(ctx, bc.ID, in)
			var e *client.Error
			if !errors.As(err, &e) || e.Status != 400 || len(e.Fields) == 0 || e.Fields[0].Field != "interval_ms" {
				t.Errorf("interval_ms %d: %v, want 400 naming interval_ms", bad, err)
			}
		}
		bad := 0
		in.IntervalMS = nil
		in.Rotation = &client.RotationInput{Enabled: true, PeriodS: &bad}
		_, err := merchant.UpdateBeacon(ctx, bc.ID, in)
		var e *client.Error
		if !errors.As(err, &e) || e.Status != 400 || e.Fields[0].Field != "rotation.period_s" {
			t.Errorf("rotation.period_s 0: %v, want 400 naming it", err)
		}
	})
}
