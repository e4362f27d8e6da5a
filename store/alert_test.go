package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

func TestDB_Alerts(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	raise := func(merchant, beacon uint64, kind nearby.AlertKind, evidence string) *nearby.Alert {
		t.Helper()
		a := &nearby.Alert{MerchantID: merchant, BeaconID: beacon, Kind: kind, Since: at, LastAt: at, Evidence: evidence}
		if err := db.RaiseAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := raise(1, 7, nearby.AlertBattery, "10%")
	at = at.Add(time.Minute)
	again := raise(1, 7, nearby.AlertBattery, "9%")
	if again.ID != a.ID || again.Evidence != "9%" || !again.Since.Equal(a.Since) || !again.LastAt.Equal(at) || again.State != nearby.AlertOpen {
		t.Fatalf("raised again: %+v, want alert %d updated", again, a.ID)
	}
	silent := raise(1, 7, nearby.AlertSilent, "quiet")
	raise(2, 9, nearby.AlertBattery, "other merchant")

	res, err := db.ResolveAlert(ctx, 1, 7, nearby.AlertBattery, at)
	if err != nil || res == nil || res.State != nearby.AlertResolved || !res.ResolvedAt.Equal(at) {
		t.Fatalf("ResolveAlert = %+v, %v", res, err)
	}
	if res, err := db.ResolveAlert(ctx, 1, 7, nearby.AlertBattery, at); err != nil || res != nil {
		t.Fatalf("resolving a resolved alert = %+v, %v; want nothing", res, err)
	}
	reopened := raise(1, 7, nearby.AlertBattery, "5%")
	if reopened.ID == a.ID {
		t.Errorf("a condition that returns opens a new alert, got the old id %d", a.ID)
	}

	tests := []struct {
		name  string
		after uint64
		limit int
		f     nearby.AlertFilter
		want  []uint64
	}{
		{"All", 0, 0, nearby.AlertFilter{}, []uint64{a.ID, silent.ID, reopened.ID}},
		{"Open", 0, 0, nearby.AlertFilter{State: nearby.AlertOpen}, []uint64{silent.ID, reopened.ID}},
		{"ResolvedBattery", 0, 0, nearby.AlertFilter{State: nearby.AlertResolved, Kind: nearby.AlertBattery}, []uint64{a.ID}},
		{"Page", a.ID, 1, nearby.AlertFilter{}, []uint64{silent.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListAlerts(ctx, 1, tt.after, tt.limit, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []uint64
			for _, x := range got {
				ids = append(ids, x.ID)
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && (ids[0] != tt.want[0] || ids[len(ids)-1] != tt.want[len(tt.want)-1])) {
				t.Errorf("ids %v, want %v", ids, tt.want)
			}
		})
	}
	var open []nearby.AlertKind
	if err := db.OpenAlerts(ctx, 1, 7, func(a *nearby.Alert) error { open = append(open, a.Kind); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 {
		t.Errorf("open alerts of beacon 7: %v", open)
	}
}
