package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

// TestDB_Stream: accepted events and shakes enter their merchant's stream
// in the transaction that commits them (duplicates do not), in order,
// with public ids; entries older than StreamRetention are pruned.
func TestDB_Stream(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "nearby.db"), &store.Options{Now: now})
	ctx := context.Background()
	var beacons [2]*nearby.Beacon
	for i := range beacons {
		m := &nearby.Merchant{Name: fmt.Sprint("m", i), APIKeyHash: []byte{byte(i)}}
		if err := db.CreateMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
		st := &nearby.Store{MerchantID: m.ID, Name: "s", Lat: 1, Lng: 1, Category: "x"}
		if err := db.CreateStore(ctx, st); err != nil {
			t.Fatal(err)
		}
		beacons[i] = &nearby.Beacon{MerchantID: m.ID, StoreID: st.ID}
		if err := db.CreateBeacon(ctx, beacons[i]); err != nil {
			t.Fatal(err)
		}
	}
	ev := func(typ nearby.EventType) nearby.Event {
		return nearby.Event{ID: uuid.NewString(), Type: typ, At: now().Add(-48 * time.Hour), DeviceID: "d"}
	}
	first := []nearby.Event{ev(nearby.EventEnter), ev(nearby.EventDwell)}
	if _, _, err := db.RecordEvents(ctx, beacons[0].ID, first); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RecordEvents(ctx, beacons[1].ID, []nearby.Event{ev(nearby.EventExit)}); err != nil {
		t.Fatal(err)
	}
	if _, dup, err := db.RecordEvents(ctx, beacons[0].ID, first[:1]); err != nil || len(dup) != 1 {
		t.Fatalf("duplicate: %v, %v", dup, err)
	}
	if err := db.RecordShake(ctx, &nearby.Shake{Ticket: uuid.NewString(), DeviceID: "p", BeaconID: beacons[0].ID, At: now(), Presence: nearby.PresenceVerified}); err != nil {
		t.Fatal(err)
	}
	read := func(m uint64, after uint64) []nearby.StreamEvent {
		t.Helper()
		evs, err := db.ReadStream(ctx, m, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	got := read(beacons[0].MerchantID, 0)
	if len(got) != 3 || got[0].Type != "enter" || got[1].Type != "dwell" || got[2].Type != "shake" || got[0].Seq >= got[1].Seq {
		t.Fatalf("merchant 1's stream: %+v", got)
	}
	var shake struct {
		Presence string `json:"presence"`
	}
	json.Unmarshal(got[2].Data, &shake)
	var enter struct {
		EventID  string `json:"event_id"`
		BeaconID string `json:"beacon_id"`
	}
	json.Unmarshal(got[0].Data, &enter)
	if shake.Presence != "verified" || enter.EventID != first[0].ID || enter.BeaconID != nearby.FormatID(nearby.KindBeacon, beacons[0].ID) {
		t.Errorf("data: %s, %s", got[0].Data, got[2].Data)
	}
	if r := read(beacons[0].MerchantID, got[1].Seq); len(r) != 1 || r[0].Seq != got[2].Seq {
		t.Errorf("resume after %d: %+v", got[1].Seq, r)
	}
	if r := read(beacons[1].MerchantID, 0); len(r) != 1 || r[0].Type != "exit" {
		t.Errorf("merchant 2's stream: %+v", r)
	}
	head, _ := db.StreamHead(ctx)
	if head != got[2].Seq {
		t.Errorf("head %d, want %d", head, got[2].Seq)
	}
	// Past the retention (counted from when they were committed, not from
	// the events' own times), the next write prunes them.
	clock.Add(int64(store.StreamRetention + time.Minute))
	if _, _, err := db.RecordEvents(ctx, beacons[1].ID, []nearby.Event{ev(nearby.EventEnter)}); err != nil {
		t.Fatal(err)
	}
	if r := read(beacons[0].MerchantID, 0); len(r) != 0 {
		t.Errorf("after the retention: %d entries left", len(r))
	}
	if r := read(beacons[1].MerchantID, 0); len(r) != 1 || r[0].Type != "enter" {
		t.Errorf("merchant 2 after pruning: %+v", r)
	}
}
