package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

// kFixture is a store with two beacons, a and b, at the default minimum
// count.
type kFixture struct {
	db   *store.DB
	m    *nearby.Merchant
	s    *nearby.Store
	a, b *nearby.Beacon
	n    int
}

func newKFixture(t *testing.T, now time.Time) *kFixture {
	t.Helper()
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "nearby.db"), &store.Options{Now: fixedClock(now)})
	f := &kFixture{db: db, m: mustMerchant(t, db, "A")}
	f.s = mustStore(t, db, f.m.ID, "s", "UTC")
	for _, p := range []**nearby.Beacon{&f.a, &f.b} {
		*p = &nearby.Beacon{MerchantID: f.m.ID, StoreID: f.s.ID}
		if err := db.CreateBeacon(context.Background(), *p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// visits records one enter and one dwell at beacon b on day at by each
// of devices.
func (f *kFixture) visits(t *testing.T, b *nearby.Beacon, at time.Time, devices ...string) {
	t.Helper()
	var evs []nearby.Event
	ms := int64(60000)
	for _, d := range devices {
		f.n += 2
		evs = append(evs, nearby.Event{ID: evID(f.n), Type: nearby.EventEnter, At: at, DeviceID: d},
			nearby.Event{ID: evID(f.n + 1), Type: nearby.EventDwell, At: at, DeviceID: d, DwellMS: &ms})
	}
	if _, _, err := f.db.RecordEvents(context.Background(), b.ID, evs); err != nil {
		t.Fatal(err)
	}
}

func devices(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

func TestDB_MinCount(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	t.Run("FourSuppressedFiveShown", func(t *testing.T) {
		f := newKFixture(t, now)
		f.visits(t, f.a, day(8), devices("x", 4)...)
		f.visits(t, f.a, day(9), devices("y", 5)...)
		f.visits(t, f.a, day(9), "y0", "y1") // the same five again
		st, err := f.db.StoreStats(ctx, f.m.ID, f.s.ID, day(8), day(9))
		if err != nil {
			t.Fatal(err)
		}
		if d := st[0]; !d.Suppressed || d.Visits != nil || d.Visitors != nil || d.AvgDwellS != nil || d.ShakePV == nil || *d.ShakePV != 0 {
			t.Errorf("4 devices: %+v, want visits, visitors and dwell suppressed (no shakes: 0)", plain(st[:1]))
		}
		if d := st[1]; d.Suppressed || d.Visits == nil || *d.Visits != 7 || *d.Visitors != 5 || *d.AvgDwellS != 60 {
			t.Errorf("5 devices: %+v, want 7 visits by 5 visitors shown", plain(st[1:]))
		}
	})
	t.Run("ComplementOfABeacon", func(t *testing.T) {
		// a has 5 visitors, b 1: the store's 6 are shown, but a's 5 would
		// reveal b's one visitor by subtraction, so a is withheld too.
		f := newKFixture(t, now)
		f.visits(t, f.a, day(9), devices("a", 5)...)
		f.visits(t, f.b, day(9), "lonely")
		st, _ := f.db.StoreStats(ctx, f.m.ID, f.s.ID, day(9), day(9))
		sa, _ := f.db.BeaconStats(ctx, f.m.ID, f.a.ID, day(9), day(9))
		sb, _ := f.db.BeaconStats(ctx, f.m.ID, f.b.ID, day(9), day(9))
		if st[0].Visits == nil || *st[0].Visits != 6 {
			t.Errorf("store: %+v, want 6 visits shown", plain(st))
		}
		if sa[0].Visits != nil || sb[0].Visits != nil {
			t.Errorf("beacons a %+v, b %+v: want both suppressed (store minus a is b's one device)", plain(sa), plain(sb))
		}
		// With five at b too, nothing is left alone: all shown.
		f.visits(t, f.b, day(9), devices("b", 4)...)
		sa, _ = f.db.BeaconStats(ctx, f.m.ID, f.a.ID, day(9), day(9))
		sb, _ = f.db.BeaconStats(ctx, f.m.ID, f.b.ID, day(9), day(9))
		if sa[0].Visits == nil || *sa[0].Visits != 5 || sb[0].Visits == nil || *sb[0].Visits != 5 {
			t.Errorf("beacons a %+v, b %+v: want 5 visits each", plain(sa), plain(sb))
		}
	})
	t.Run("DifferencingRanges", func(t *testing.T) {
		// Days 8 and 9 have 5 devices each, day 10 four. No range shows
		// day 10, and no total over a range includes it: the heatmap's
		// counts of 8..10 and of 8..9 are equal.
		f := newKFixture(t, now.Add(24*time.Hour))
		f.visits(t, f.a, day(8), devices("p", 5)...)
		f.visits(t, f.a, day(9), devices("q", 5)...)
		f.visits(t, f.a, day(10), devices("r", 4)...)
		long, _ := f.db.StoreStats(ctx, f.m.ID, f.s.ID, day(8), day(10))
		short, _ := f.db.StoreStats(ctx, f.m.ID, f.s.ID, day(9), day(10))
		if fmt.Sprint(plain(long[1:])) != fmt.Sprint(plain(short)) || long[2].Visits != nil {
			t.Errorf("8..10 %+v and 9..10 %+v: want the same days, day 10 suppressed", plain(long), plain(short))
		}
		c810, w810, err := f.db.StoreEventCounts(ctx, []uint64{f.s.ID}, day(8), day(10))
		if err != nil {
			t.Fatal(err)
		}
		c89, w89, _ := f.db.StoreEventCounts(ctx, []uint64{f.s.ID}, day(8), day(9))
		if c810[f.s.ID] != 20 || c89[f.s.ID] != 20 || !w810[f.s.ID] || w89[f.s.ID] {
			t.Errorf("counts 8..10 %v (withheld %v), 8..9 %v (withheld %v); want 20 both, day 10 withheld from the first",
				c810, w810, c89, w89)
		}
	})
}
