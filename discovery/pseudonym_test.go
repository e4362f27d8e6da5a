package discovery_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
)

// tenant is a merchant with one store and one beacon there.
type tenant struct {
	m *nearby.Merchant
	s *nearby.Store
	b *nearby.Beacon
}

func newTenant(t *testing.T, svc *discovery.Service, name string, lat float64, minor uint16) tenant {
	t.Helper()
	ctx := context.Background()
	m := &nearby.Merchant{Name: name}
	if err := svc.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	s := &nearby.Store{MerchantID: m.ID, Name: name, Lat: lat, Lng: -0.12, Category: "coffee"}
	if err := svc.CreateStore(ctx, s); err != nil {
		t.Fatal(err)
	}
	p := &nearby.Program{MerchantID: m.ID, AppID: "wx-" + name, Name: name, Category: "coffee", StoreIDs: []uint64{s.ID}}
	if err := svc.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	b := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID, TxPower: -59, Status: nearby.BeaconActive,
		Identity: nearby.Identity{UUID: nearby.MustParseUUID("e2c56db5-dffb-48d2-b060-d0f5a71096e0"), Major: 9, Minor: minor}}
	if err := svc.CreateBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	return tenant{m: m, s: s, b: b}
}

// TestService_Pseudonyms: the device id a phone or an agent sends is
// replaced by a per-merchant pseudonym before any command is built, so
// neither the command log nor the record holds it; one merchant sees a
// stable pseudonym, two merchants different ones.
func TestService_Pseudonyms(t *testing.T) {
	const raw = "RAWDEV-7f3a91"
	key := bytes.Repeat([]byte{7}, 32)
	rec := &recorder{}
	n := mustOpen(t, &discovery.Options{Submit: rec.submit, PseudonymKey: key})
	ctx := context.Background()
	a := newTenant(t, n.svc, "a", 51.5, 1)
	b := newTenant(t, n.svc, "b", 52.5, 2)

	shake := func(tn tenant) string {
		t.Helper()
		res, err := n.svc.Shake(ctx, discovery.ShakeRequest{DeviceID: raw, Seen: []catalog.Sighting{{Identity: tn.b.Identity}}})
		if err != nil || res.By != discovery.ShakeByBeacon {
			t.Fatalf("Shake = %+v, %v", res, err)
		}
		sh, err := n.svc.GetShake(ctx, tn.m.ID, res.Shake.Ticket)
		if err != nil {
			t.Fatal(err)
		}
		return sh.DeviceID
	}
	pa, pb, pa2 := shake(a), shake(b), shake(a)
	if !strings.HasPrefix(pa, discovery.PseudonymPrefix) || len(pa) != len(discovery.PseudonymPrefix)+32 {
		t.Errorf("pseudonym %q, want dv_ and 32 hex digits", pa)
	}
	if pa == pb {
		t.Errorf("merchants a and b both see %q for one phone", pa)
	}
	if pa != pa2 {
		t.Errorf("merchant a sees %q, then %q for one phone", pa, pa2)
	}

	// By location: the chosen store's merchant's pseudonym; nothing
	// chosen: nothing kept.
	res, err := n.svc.Shake(ctx, discovery.ShakeRequest{DeviceID: raw, Lat: ptr(51.5), Lng: ptr(-0.12)})
	if err != nil || res.By != discovery.ShakeByLocation || res.Shake.DeviceID != pa {
		t.Errorf("location shake = %+v, %v; want merchant a's pseudonym %q", res.Shake, err, pa)
	}
	res, err = n.svc.Shake(ctx, discovery.ShakeRequest{DeviceID: raw})
	if err != nil || res.Shake.DeviceID != "" {
		t.Errorf("shake choosing nothing kept device %q (%v), want none", res.Shake.DeviceID, err)
	}

	evs := []nearby.Event{{ID: "0b0e5a1c-6a35-4bde-9d0e-2b6f0c1a0001", Type: nearby.EventEnter, At: epoch, DeviceID: raw}}
	if _, _, err := n.svc.RecordEvents(ctx, a.b, evs); err != nil {
		t.Fatal(err)
	}
	if evs[0].DeviceID != pa {
		t.Errorf("event device %q, want merchant a's pseudonym %q", evs[0].DeviceID, pa)
	}

	for i, c := range rec.log {
		if bytes.Contains(c, []byte(raw)) {
			t.Errorf("command %d carries the raw device id: %s", i, c)
		}
	}

	// Another key (a rotation) gives the phone another pseudonym.
	other := mustOpen(t, &discovery.Options{PseudonymKey: bytes.Repeat([]byte{8}, 32)})
	oa := newTenant(t, other.svc, "a", 51.5, 1)
	res, err = other.svc.Shake(ctx, discovery.ShakeRequest{DeviceID: raw, Seen: []catalog.Sighting{{Identity: oa.b.Identity}}})
	if err != nil || res.Shake.DeviceID == "" || res.Shake.DeviceID == pa {
		t.Errorf("after rotation merchant a sees %q (%v), want a new pseudonym, not %q", res.Shake.DeviceID, err, pa)
	}
}

func TestNew_ShortPseudonymKey(t *testing.T) {
	n := mustOpen(t, nil)
	if _, err := discovery.New(n.db, n.cat, geo.New(), &discovery.Options{PseudonymKey: []byte("short")}); err == nil {
		t.Error("New accepted a 5-byte pseudonym key")
	}
}
