package store_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

// figures is a published day with its figures as plain numbers (a
// suppressed figure as 0), for comparisons.
type figures struct {
	Date                               string
	ShakePV, ShakeUV, Visits, Visitors int64
	AvgDwellS                          float64
	Suppressed                         bool
}

func plain(ds []nearby.DayStats) []figures {
	out := make([]figures, len(ds))
	for i, d := range ds {
		v := func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		}
		out[i] = figures{Date: d.Date, ShakePV: v(d.ShakePV), ShakeUV: v(d.ShakeUV), Visits: v(d.Visits), Visitors: v(d.Visitors), Suppressed: d.Suppressed}
		if d.AvgDwellS != nil {
			out[i].AvgDwellS = *d.AvgDwellS
		}
	}
	return out
}

// evID returns a deterministic UUID-shaped event id.
func evID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n) }

// fixture is a merchant with one store in tz and one beacon there.
type fixture struct {
	db     *store.DB
	m      *nearby.Merchant
	s      *nearby.Store
	b      *nearby.Beacon
	loc    *time.Location
	origin time.Time
}

func newFixture(t *testing.T, tz string, now time.Time) *fixture {
	t.Helper()
	// MinCount 1: these tests count single devices (privacy_test.go tests
	// the minimum counts).
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "nearby.db"), &store.Options{Now: fixedClock(now), MinCount: 1})
	m := mustMerchant(t, db, "A")
	s := mustStore(t, db, m.ID, "s", tz)
	b := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID}
	if err := db.CreateBeacon(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, m: m, s: s, b: b, loc: loc, origin: now}
}

func TestDB_RecordEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Hour)
	t.Run("DedupeWithinBatch", func(t *testing.T) {
		f := newFixture(t, "UTC", now)
		evs := []nearby.Event{
			{ID: evID(1), Type: nearby.EventEnter, At: at, DeviceID: "d1"},
			{ID: evID(1), Type: nearby.EventEnter, At: at, DeviceID: "d1"},
			{ID: evID(2), Type: nearby.EventEnter, At: at, DeviceID: "d2"},
		}
		acc, dup, err := f.db.RecordEvents(ctx, f.b.ID, evs)
		if err != nil {
			t.Fatal(err)
		}
		if len(acc) != 2 || len(dup) != 1 || dup[0] != evID(1) {
			t.Errorf("accepted, duplicates = %v, %v; want 2 and [%s]", acc, dup, evID(1))
		}
		st, _ := f.db.BeaconStats(ctx, f.m.ID, f.b.ID, at, at)
		if len(st) != 1 || *st[0].Visits != 2 || *st[0].Visitors != 2 {
			t.Errorf("stats = %+v, want 2 visits by 2 visitors", st)
		}
	})
	t.Run("DedupeAcrossBatches", func(t *testing.T) {
		f := newFixture(t, "UTC", now)
		batch := []nearby.Event{
			{ID: evID(1), Type: nearby.EventShake, At: at, DeviceID: "d1"},
			{ID: evID(2), Type: nearby.EventShake, At: at, DeviceID: "d1"},
		}
		for i := range 3 { // the first send and two replays
			acc, dup, err := f.db.RecordEvents(ctx, f.b.ID, batch)
			if err != nil {
				t.Fatal(err)
			}
			wantAcc := 2
			if i > 0 {
				wantAcc = 0
			}
			if len(acc) != wantAcc || len(dup) != 2-wantAcc {
				t.Errorf("send %d: accepted %d, duplicates %d; want %d, %d", i, len(acc), len(dup), wantAcc, 2-wantAcc)
			}
		}
		// Upper-case spelling of the same UUID is the same event.
		_, dup, _ := f.db.RecordEvents(ctx, f.b.ID, []nearby.Event{{ID: "00000000-0000-4000-8000-000000000001", Type: nearby.EventShake, At: at, DeviceID: "d1"}})
		if len(dup) != 1 {
			t.Errorf("same UUID respelled: duplicates = %v, want 1", dup)
		}
		st, _ := f.db.StoreStats(ctx, f.m.ID, f.s.ID, at, at)
		if len(st) != 1 || *st[0].ShakePV != 2 || *st[0].ShakeUV != 1 {
			t.Errorf("stats = %+v, want shake PV 2 UV 1", st)
		}
	})
	t.Run("ErrUnknownBeacon", func(t *testing.T) {
		f := newFixture(t, "UTC", now)
		_, _, err := f.db.RecordEvents(ctx, f.b.ID+99, []nearby.Event{{ID: evID(1), Type: nearby.EventEnter, At: at}})
		wantCode(t, err, nearby.ENOTFOUND, "")
	})
	t.Run("Concurrent", func(t *testing.T) {
		f := newFixture(t, "UTC", now)
		const workers, per = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers+1)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var evs []nearby.Event
				for i := range per {
					// Every worker also sends event 0, so exactly one of them wins it.
					evs = append(evs, nearby.Event{ID: evID(w*per + i + 1), Type: nearby.EventEnter, At: at, DeviceID: fmt.Sprint("d", w, i)},
						nearby.Event{ID: evID(0), Type: nearby.EventEnter, At: at, DeviceID: "shared"})
				}
				if _, _, err := f.db.RecordEvents(ctx, f.b.ID, evs); err != nil {
					errs <- err
				}
			}()
		}
		// A failing call sharing a group commit must fail alone.
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := f.db.RecordEvents(ctx, f.b.ID+99, []nearby.Event{{ID: evID(99999), Type: nearby.EventEnter, At: at, DeviceID: "x"}})
			if nearby.ErrorCode(err) != nearby.ENOTFOUND {
				errs <- fmt.Errorf("unknown beacon: err = %v, want ENOTFOUND", err)
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		st, _ := f.db.StoreStats(ctx, f.m.ID, f.s.ID, at, at)
		if want := int64(workers*per + 1); len(st) != 1 || *st[0].Visits != want {
			t.Errorf("visits = %+v, want %d", st, want)
		}
	})
}

func TestDB_StoreStats(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, "America/New_York", now) // UTC-4 after 2026-03-08
	local := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, f.loc) }
	dwell := func(ms int64) *int64 { return &ms }
	evs := []nearby.Event{
		// 23:30 local on the 8th is already the 9th in UTC: it must count on the 8th.
		{ID: evID(1), Type: nearby.EventEnter, At: local(8, 23, 30).UTC(), DeviceID: "d1"},
		{ID: evID(2), Type: nearby.EventDwell, At: local(8, 23, 40), DeviceID: "d1", DwellMS: dwell(60000)},
		{ID: evID(3), Type: nearby.EventDwell, At: local(8, 23, 50), DeviceID: "d1", DwellMS: dwell(30000)},
		{ID: evID(4), Type: nearby.EventExit, At: local(8, 23, 55), DeviceID: "d1"},
		{ID: evID(5), Type: nearby.EventEnter, At: local(9, 0, 10), DeviceID: "d1"},
		{ID: evID(6), Type: nearby.EventEnter, At: local(9, 9, 0), DeviceID: "d2"},
		{ID: evID(7), Type: nearby.EventShake, At: local(9, 9, 1), DeviceID: "d2"},
	}
	if _, _, err := f.db.RecordEvents(ctx, f.b.ID, evs); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RecordShake(ctx, &nearby.Shake{Ticket: "t1", DeviceID: "d3", BeaconID: f.b.ID, At: local(9, 10, 0)}); err != nil {
		t.Fatal(err)
	}
	want := []figures{
		{Date: "2026-03-07"},
		{Date: "2026-03-08", Visits: 1, Visitors: 1, AvgDwellS: 45},
		{Date: "2026-03-09", Visits: 2, Visitors: 2, ShakePV: 2, ShakeUV: 2},
	}
	for _, tt := range []struct {
		name string
		get  func() ([]nearby.DayStats, error)
	}{
		{"Store", func() ([]nearby.DayStats, error) {
			return f.db.StoreStats(ctx, f.m.ID, f.s.ID, local(7, 0, 0), local(9, 23, 59))
		}},
		{"Beacon", func() ([]nearby.DayStats, error) {
			return f.db.BeaconStats(ctx, f.m.ID, f.b.ID, local(7, 0, 0), local(9, 23, 59))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(plain(got)) != fmt.Sprint(want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
	t.Run("DatesAsGiven", func(t *testing.T) {
		// The api parses ?from=2026-03-08&to=2026-03-09 as UTC: the store in
		// New York still answers for exactly those two dates.
		from := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
		to := time.Date(2026, 3, 9, 23, 59, 59, 999999999, time.UTC)
		got, err := f.db.StoreStats(ctx, f.m.ID, f.s.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(plain(got)) != fmt.Sprint(want[1:]) {
			t.Errorf("got  %+v\nwant %+v", got, want[1:])
		}
	})
	t.Run("ErrOtherMerchant", func(t *testing.T) {
		other := mustMerchant(t, f.db, "B")
		_, err := f.db.StoreStats(ctx, other.ID, f.s.ID, local(7, 0, 0), local(9, 0, 0))
		wantCode(t, err, nearby.ENOTFOUND, "")
		_, err = f.db.BeaconStats(ctx, other.ID, f.b.ID, local(7, 0, 0), local(9, 0, 0))
		wantCode(t, err, nearby.ENOTFOUND, "")
	})
	t.Run("ErrRangeTooLong", func(t *testing.T) {
		_, err := f.db.StoreStats(ctx, f.m.ID, f.s.ID, local(1, 0, 0), local(1, 0, 0).AddDate(2, 0, 0))
		wantCode(t, err, nearby.EINVALID, "to")
	})
	t.Run("EmptyWhenReversed", func(t *testing.T) {
		got, err := f.db.StoreStats(ctx, f.m.ID, f.s.ID, local(9, 0, 0), local(7, 0, 0))
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want empty", got, err)
		}
	})
	t.Run("StoreActivity", func(t *testing.T) {
		var got []string
		err := f.db.StoreActivity(ctx, local(9, 0, 0), func(id uint64, day time.Time, shakes, visits int64) error {
			got = append(got, fmt.Sprint(id, day.Format(time.RFC3339), shakes, visits))
			return nil
		})
		if want := fmt.Sprint([]string{fmt.Sprint(f.s.ID, "2026-03-09T12:00:00Z", 2, 2)}); err != nil || fmt.Sprint(got) != want {
			t.Errorf("StoreActivity = %v, %v; want %v", got, err, want)
		}
	})
	t.Run("StoreEventCounts", func(t *testing.T) {
		got, _, err := f.db.StoreEventCounts(ctx, []uint64{f.s.ID, 999}, local(8, 0, 0), local(8, 12, 0))
		if err != nil || len(got) != 1 || got[f.s.ID] != 4 {
			t.Errorf("StoreEventCounts(8th) = %v, %v; want {%d: 4}", got, err, f.s.ID)
		}
		got, _, _ = f.db.StoreEventCounts(ctx, []uint64{f.s.ID}, local(8, 0, 0), local(9, 12, 0))
		if got[f.s.ID] != 8 {
			t.Errorf("StoreEventCounts(8th..9th) = %v, want 8 (7 events and a shake)", got)
		}
	})
}

func TestDB_RecordShake(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, "UTC", now)
	other := mustMerchant(t, f.db, "B")
	d := 3.5
	sh := &nearby.Shake{Ticket: "tk1", DeviceID: "d1", BeaconID: f.b.ID, DistanceM: &d, Proximity: "near"}
	if err := f.db.RecordShake(ctx, sh); err != nil {
		t.Fatal(err)
	}
	if !sh.At.Equal(now) {
		t.Errorf("At = %v, want the clock's %v", sh.At, now)
	}
	got, err := f.db.GetShake(ctx, f.m.ID, "tk1")
	if err != nil || got.StoreID != f.s.ID || *got.DistanceM != 3.5 || got.DeviceID != "d1" {
		t.Errorf("GetShake = %+v, %v; want the store filled in from the beacon", got, err)
	}
	_, err = f.db.GetShake(ctx, other.ID, "tk1")
	wantCode(t, err, nearby.ENOTFOUND, "")
	_, err = f.db.GetShake(ctx, f.m.ID, "nope")
	wantCode(t, err, nearby.ENOTFOUND, "")
	wantCode(t, f.db.RecordShake(ctx, &nearby.Shake{Ticket: "tk1", DeviceID: "d2", BeaconID: f.b.ID}), nearby.ECONFLICT, "ticket")
	wantCode(t, f.db.RecordShake(ctx, &nearby.Shake{DeviceID: "d2", BeaconID: f.b.ID}), nearby.EINVALID, "ticket")

	// A fallback shake (no beacon) belongs to the store's merchant.
	if err := f.db.RecordShake(ctx, &nearby.Shake{Ticket: "tk2", DeviceID: "d2", StoreID: f.s.ID, Fallback: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.GetShake(ctx, f.m.ID, "tk2"); err != nil {
		t.Errorf("GetShake(fallback) = %v", err)
	}
	st, _ := f.db.StoreStats(ctx, f.m.ID, f.s.ID, now, now)
	bt, _ := f.db.BeaconStats(ctx, f.m.ID, f.b.ID, now, now)
	if *st[0].ShakePV != 2 || *st[0].ShakeUV != 2 || *bt[0].ShakePV != 1 {
		t.Errorf("store %+v beacon %+v; want store PV 2 UV 2, beacon PV 1", st[0], bt[0])
	}
}

func TestDB_EventRetention(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "nearby.db"), &store.Options{Now: now, MinCount: 1})
	m := mustMerchant(t, db, "A")
	s := mustStore(t, db, m.ID, "s", "")
	b := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID}
	if err := db.CreateBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	old := nearby.Event{ID: evID(1), Type: nearby.EventExit, At: clock.Add(-time.Hour)}
	if _, _, err := db.RecordEvents(ctx, b.ID, []nearby.Event{old}); err != nil {
		t.Fatal(err)
	}
	// Within the retention the id is still known.
	mu.Lock()
	clock = clock.Add(store.EventRetention - 2*time.Hour)
	mu.Unlock()
	if _, dup, _ := db.RecordEvents(ctx, b.ID, []nearby.Event{old}); len(dup) != 1 {
		t.Fatalf("within retention: duplicates = %v, want 1", dup)
	}
	// Past it, the next write prunes the id, so a replay is new again (the
	// api would have rejected such an old event anyway).
	mu.Lock()
	clock = clock.Add(2 * time.Hour)
	mu.Unlock()
	trigger := nearby.Event{ID: evID(2), Type: nearby.EventExit, At: clock}
	if _, _, err := db.RecordEvents(ctx, b.ID, []nearby.Event{trigger}); err != nil {
		t.Fatal(err)
	}
	if acc, _, _ := db.RecordEvents(ctx, b.ID, []nearby.Event{old}); len(acc) != 1 {
		t.Errorf("after retention: accepted = %v, want the pruned id accepted", acc)
	}
}

// TestHLL_Error measures the unique-count error against exact counts: the
// sketches' standard error is 1.04/sqrt(16384) ≈ 0.81%, so 10,000 ids stay
// within 3 standard errors (2.4%).
func TestHLL_Error(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, "UTC", now)
	const devices = 10000
	var evs []nearby.Event
	n := 0
	for i := range devices {
		// Some devices come back: 13,333 visits by 10,000 visitors.
		for r := 0; r < 1+i%3/2; r++ {
			n++
			evs = append(evs, nearby.Event{ID: evID(n), Type: nearby.EventEnter, At: now.Add(-time.Minute), DeviceID: fmt.Sprintf("device-%d", i)})
		}
	}
	for len(evs) > 0 {
		k := min(1000, len(evs))
		if _, _, err := f.db.RecordEvents(ctx, f.b.ID, evs[:k]); err != nil {
			t.Fatal(err)
		}
		evs = evs[k:]
	}
	st, err := f.db.StoreStats(ctx, f.m.ID, f.s.ID, now, now)
	if err != nil {
		t.Fatal(err)
	}
	relErr := math.Abs(float64(*st[0].Visitors)-devices) / devices
	t.Logf("visits %d, visitors estimated %d of %d exact: relative error %.3f%%", *st[0].Visits, *st[0].Visitors, devices, relErr*100)
	if *st[0].Visits != int64(n) {
		t.Errorf("visits = %d, want exactly %d", *st[0].Visits, n)
	}
	if bound := 3 * 1.04 / math.Sqrt(16384); relErr > bound {
		t.Errorf("relative error %.4f, want <= %.4f", relErr, bound)
	}
}
