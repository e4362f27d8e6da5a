package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// TestSeal: past the dedupe window, a day's sketches of device
// pseudonyms are replaced by their estimates; the published figures stay.
func TestSeal(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	clock := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	db, err := Open(filepath.Join(t.TempDir(), "nearby.db"), &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := &nearby.Merchant{Name: "m"}
	if err := db.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	s := &nearby.Store{MerchantID: m.ID, Name: "s", Lat: 1, Lng: 1, Category: "c"}
	if err := db.CreateStore(ctx, s); err != nil {
		t.Fatal(err)
	}
	b := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID}
	if err := db.CreateBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	var evs []nearby.Event
	for i := range 6 {
		evs = append(evs, nearby.Event{ID: fmt.Sprintf("00000000-0000-4000-8000-%012x", i), Type: nearby.EventEnter,
			At: clock.Add(-time.Hour), DeviceID: fmt.Sprintf("dv_%d", i)})
	}
	if _, _, err := db.RecordEvents(ctx, b.ID, evs); err != nil {
		t.Fatal(err)
	}
	day := clock
	before, _ := db.StoreStats(ctx, m.ID, s.ID, day, day)
	sealed := func() (n int, sketches bool) {
		t.Helper()
		err := db.bolt.View(func(tx *bolt.Tx) error {
			for _, name := range statsBuckets {
				err := tx.Bucket(name).ForEach(func(k, v []byte) error {
					d, err := decodeDay(v)
					if err != nil {
						return err
					}
					if d.sealed {
						n++
					}
					sketches = sketches || d.shakeUV != nil || d.visitors != nil
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, sketches
	}
	if n, sk := sealed(); n != 0 || !sk {
		t.Fatalf("before: %d sealed, sketches %v; want none sealed", n, sk)
	}
	mu.Lock()
	clock = clock.Add(sealAfter - 24*time.Hour) // not due yet
	mu.Unlock()
	if err := db.PurgeExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := sealed(); n != 0 {
		t.Fatalf("%d sealed before they are due", n)
	}
	mu.Lock()
	clock = clock.Add(48 * time.Hour)
	mu.Unlock()
	if err := db.PurgeExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n, sk := sealed(); n != 2 || sk {
		t.Errorf("after the window: %d sealed, sketches %v; want the beacon's and the store's day sealed, no sketches", n, sk)
	}
	after, _ := db.StoreStats(ctx, m.ID, s.ID, day, day)
	bs, _ := db.BeaconStats(ctx, m.ID, b.ID, day, day)
	if fmt.Sprint(*before[0].Visitors, *before[0].Visits) != fmt.Sprint(*after[0].Visitors, *after[0].Visits) || *bs[0].Visitors != 6 {
		t.Errorf("figures before %+v, after %+v, beacon %+v: want the same 6 visitors", before, after, bs)
	}
}
