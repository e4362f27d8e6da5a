package discovery_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/store"
)

// clock is a fake clock the test moves.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// fleet is a service on a fake clock with one merchant, store and beacon.
type fleet struct {
	svc    *discovery.Service
	clock  *clock
	beacon *nearby.Beacon
	store  *nearby.Store
	log    []discovery.Op
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	f := &fleet{clock: &clock{}}
	f.clock.ns.Store(epoch.UnixNano())
	db, err := store.Open(filepath.Join(t.TempDir(), "nearby.db"), &store.Options{Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ix := geo.New()
	cat := catalog.New(ix, &catalog.Options{Now: f.clock.now})
	f.svc, err = discovery.New(db, cat, ix, &discovery.Options{Now: f.clock.now,
		Alerts: &discovery.AlertRules{SilentAfter: 3 * time.Minute, BatteryBelow: 20, TemperatureAbove: 80},
		Submit: func(apply discovery.Applier) discovery.Applier {
			return func(ctx context.Context, cmd *discovery.Command) (discovery.Outcome, error) {
				if _, err := json.Marshal(cmd); err != nil { // alert commands are serialisable
					return discovery.Outcome{}, err
				}
				f.log = append(f.log, cmd.Op)
				return apply(ctx, cmd)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := &nearby.Merchant{Name: "Acme", APIKeyHash: []byte("h")}
	if err := f.svc.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	f.store = &nearby.Store{MerchantID: m.ID, Name: "A", Lat: 51.5, Lng: -0.12, Category: "coffee"}
	if err := f.svc.CreateStore(ctx, f.store); err != nil {
		t.Fatal(err)
	}
	f.beacon = &nearby.Beacon{MerchantID: m.ID, StoreID: f.store.ID, Status: nearby.BeaconActive, TxPower: -59}
	if err := f.svc.CreateBeacon(ctx, f.beacon); err != nil {
		t.Fatal(err)
	}
	return f
}

// alerts returns the merchant's alerts of kind in state ("": any).
func (f *fleet) alerts(t *testing.T, kind nearby.AlertKind, state string) []*nearby.Alert {
	t.Helper()
	as, err := f.svc.ListAlerts(context.Background(), f.beacon.MerchantID, 0, 0, nearby.AlertFilter{Kind: kind, State: state})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func (f *fleet) heartbeat(t *testing.T, h nearby.Heartbeat) {
	t.Helper()
	h.At = f.clock.now()
	if err := f.svc.RecordHeartbeat(context.Background(), f.beacon.ID, &h); err != nil {
		t.Fatal(err)
	}
}

func TestAlerts_Silent(t *testing.T) {
	f := newFleet(t)
	ctx := context.Background()
	f.heartbeat(t, nearby.Heartbeat{UptimeS: 1})
	f.clock.advance(2 * time.Minute)
	if err := f.svc.CheckAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.alerts(t, nearby.AlertSilent, ""); len(got) != 0 {
		t.Fatalf("silent after 2 min of 3 allowed: %+v", got)
	}
	// The agent stopped: past the window the sweep raises, once.
	f.clock.advance(2 * time.Minute)
	for range 2 {
		if err := f.svc.CheckAlerts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	open := f.alerts(t, nearby.AlertSilent, nearby.AlertOpen)
	if len(open) != 1 || open[0].BeaconID != f.beacon.ID || open[0].StoreID != f.store.ID || !strings.Contains(open[0].Evidence, "no heartbeat since") {
		t.Fatalf("open silent alerts %+v, want one naming the beacon and its store", open)
	}
	if got, _ := f.svc.BeaconAlerts(ctx, f.beacon.MerchantID, f.beacon.ID); len(got) != 1 {
		t.Errorf("beacon detail alerts %+v", got)
	}
	counts, _ := f.svc.OpenAlertCounts(ctx)
	if counts[nearby.AlertSilent] != 1 {
		t.Errorf("open counts %v", counts)
	}
	// It comes back: resolved.
	f.heartbeat(t, nearby.Heartbeat{UptimeS: 5})
	res := f.alerts(t, nearby.AlertSilent, nearby.AlertResolved)
	if len(res) != 1 || res[0].ID != open[0].ID || res[0].ResolvedAt == nil || !res[0].ResolvedAt.Equal(f.clock.now()) {
		t.Fatalf("resolved silent alerts %+v", res)
	}
	if got := f.alerts(t, "", nearby.AlertOpen); len(got) != 0 {
		t.Errorf("still open: %+v", got)
	}
}

func TestAlerts_Thresholds(t *testing.T) {
	f := newFleet(t)
	battery := func(v float64) *float64 { return &v }
	dropped := func(n int64) *int64 { return &n }
	tests := []struct {
		name string
		h    nearby.Heartbeat
		open []nearby.AlertKind
	}{
		{"Healthy", nearby.Heartbeat{Battery: battery(90), TemperatureC: battery(40), Dropped: dropped(0)}, nil},
		{"LowBatteryHot", nearby.Heartbeat{Battery: battery(10), TemperatureC: battery(85), Dropped: dropped(0)},
			[]nearby.AlertKind{nearby.AlertBattery, nearby.AlertTemperature}},
		{"StillLowAndDrops", nearby.Heartbeat{Battery: battery(9), TemperatureC: battery(70), Dropped: dropped(12)},
			[]nearby.AlertKind{nearby.AlertBattery, nearby.AlertSpoolDrops}},
		{"DropsStopped", nearby.Heartbeat{Battery: battery(9), Dropped: dropped(12)}, []nearby.AlertKind{nearby.AlertBattery}},
		{"Charged", nearby.Heartbeat{Battery: battery(80), Dropped: dropped(12)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.advance(time.Minute)
			f.heartbeat(t, tt.h)
			var got []nearby.AlertKind
			for _, a := range f.alerts(t, "", nearby.AlertOpen) {
				got = append(got, a.Kind)
			}
			if strings.Join(kinds(got), ",") != strings.Join(kinds(tt.open), ",") {
				t.Errorf("open %v, want %v", got, tt.open)
			}
		})
	}
	battery1 := f.alerts(t, nearby.AlertBattery, "")
	if len(battery1) != 1 || battery1[0].State != nearby.AlertResolved || !strings.Contains(battery1[0].Evidence, "9%") {
		t.Errorf("battery alert %+v: want one, resolved, with the last evidence (9%%)", battery1)
	}
}

func kinds(ks []nearby.AlertKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestAlerts_Clone(t *testing.T) {
	ctx := context.Background()
	t.Run("TwoAgents", func(t *testing.T) {
		f := newFleet(t)
		// A restart is a new instance whose predecessor falls silent.
		f.heartbeat(t, nearby.Heartbeat{InstanceID: "a"})
		f.clock.advance(time.Minute)
		f.heartbeat(t, nearby.Heartbeat{InstanceID: "b"})
		f.clock.advance(time.Minute)
		f.heartbeat(t, nearby.Heartbeat{InstanceID: "b"})
		if got := f.alerts(t, nearby.AlertClone, ""); len(got) != 0 {
			t.Fatalf("a restart raised %+v", got)
		}
		// Two agents with one token heartbeat alternately.
		f.clock.advance(time.Minute)
		f.heartbeat(t, nearby.Heartbeat{InstanceID: "c"})
		f.clock.advance(10 * time.Second)
		f.heartbeat(t, nearby.Heartbeat{InstanceID: "b"})
		open := f.alerts(t, nearby.AlertClone, nearby.AlertOpen)
		if len(open) != 1 || !strings.Contains(open[0].Evidence, "two agents") {
			t.Fatalf("open clone alerts %+v", open)
		}
	})
	t.Run("ShakenFarAway", func(t *testing.T) {
		f := newFleet(t)
		static := f.beacon.Identity
		shake := func(lat, lng float64) {
			t.Helper()
			res, err := f.svc.Shake(ctx, discovery.ShakeRequest{DeviceID: "d", Seen: []catalog.Sighting{{Identity: static}}, Lat: &lat, Lng: &lng})
			if err != nil || res.By != discovery.ShakeByBeacon {
				t.Fatalf("shake: %+v, %v", res, err)
			}
		}
		shake(51.501, -0.121) // in the store
		if got := f.alerts(t, nearby.AlertClone, ""); len(got) != 0 {
			t.Fatalf("a shake in the store raised %+v", got)
		}
		shake(53.48, -2.24) // Manchester, ~260 km
		f.clock.advance(time.Hour)
		shake(55.95, -3.19) // Edinburgh, 534 km
		open := f.alerts(t, nearby.AlertClone, nearby.AlertOpen)
		if len(open) != 1 || !strings.Contains(open[0].Evidence, "534 km") || !open[0].LastAt.Equal(f.clock.now()) {
			t.Fatalf("open clone alerts %+v, want one with the last evidence", *open[0])
		}
		if strings.Contains(open[0].Evidence, "55.9") {
			t.Errorf("the evidence keeps the phone's position: %q", open[0].Evidence)
		}
		// The condition clears: no far shake for a day resolves it.
		f.clock.advance(23 * time.Hour)
		f.svc.CheckAlerts(ctx)
		if len(f.alerts(t, nearby.AlertClone, nearby.AlertOpen)) != 1 {
			t.Fatal("resolved before the quiet period")
		}
		f.clock.advance(2 * time.Hour)
		f.heartbeat(t, nearby.Heartbeat{}) // not silent: only the clone resolves
		if err := f.svc.CheckAlerts(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.alerts(t, nearby.AlertClone, nearby.AlertResolved); len(got) != 1 {
			t.Fatalf("resolved clone alerts %+v", got)
		}
	})
}
