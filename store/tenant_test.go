package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

// TestDB_RecordEvents_PerBeacon: event ids are unique per beacon, so the
// same id from the agents of two merchants' beacons is accepted at both,
// and neither agent learns from a "duplicate" what the other sent.
func TestDB_RecordEvents_PerBeacon(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, "UTC", now)
	other := mustMerchant(t, f.db, "B")
	os := mustStore(t, f.db, other.ID, "t", "UTC")
	ob := &nearby.Beacon{MerchantID: other.ID, StoreID: os.ID}
	if err := f.db.CreateBeacon(ctx, ob); err != nil {
		t.Fatal(err)
	}
	ev := []nearby.Event{{ID: evID(7), Type: nearby.EventEnter, At: now.Add(-time.Minute), DeviceID: "d"}}
	for _, tc := range []struct {
		name    string
		beacon  uint64
		wantAcc int
	}{
		{"first merchant", f.b.ID, 1},
		{"second merchant, same id", ob.ID, 1},
		{"first merchant again", f.b.ID, 0},
		{"second merchant again", ob.ID, 0},
	} {
		acc, dup, err := f.db.RecordEvents(ctx, tc.beacon, ev)
		if err != nil {
			t.Fatal(err)
		}
		if len(acc) != tc.wantAcc || len(dup) != 1-tc.wantAcc {
			t.Errorf("%s: accepted %v, duplicates %v; want %d accepted", tc.name, acc, dup, tc.wantAcc)
		}
	}
	for _, b := range []*nearby.Beacon{f.b, ob} {
		st, err := f.db.BeaconStats(ctx, 0, b.ID, now, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 1 || *st[0].Visits != 1 {
			t.Errorf("beacon %d: stats %+v, want the one visit", b.ID, st)
		}
	}
}
