package catalog_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/rotation"
)

// fakeClock is a settable clock for the catalog.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.set(t)
	return c
}
func (c *fakeClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) add(d time.Duration) { c.ns.Add(int64(d)) }

func rotatingBeacon(id, storeID uint64, secret []byte, periodS int) *nearby.Beacon {
	return &nearby.Beacon{ID: id, StoreID: storeID, Status: nearby.BeaconActive,
		Identity: nearby.Identity{UUID: testUUID, Major: 7, Minor: uint16(id)},
		Rotation: &nearby.Rotation{PeriodS: periodS, Secret: secret}}
}

func resolveOne(t *testing.T, c *catalog.Catalog, id nearby.Identity) []catalog.Resolved {
	t.Helper()
	res, err := c.Resolve(context.Background(), []catalog.Sighting{{Identity: id}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCatalog_ResolveRotating(t *testing.T) {
	const period = 600
	start := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	clock := newFakeClock(start)
	c, _ := MustNew(t, &catalog.Options{Now: clock.now})
	c.PutStore(store(1, 48.85, 2.35))
	secret := rotation.NewSecret()
	b := rotatingBeacon(1, 1, secret, period)
	c.PutBeacon(b)
	w := rotation.Window(start, period)
	idOf := func(w int64) nearby.Identity {
		id, err := rotation.Identity(testUUID, secret, period, w)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	t.Run("Window", func(t *testing.T) {
		for _, d := range []int64{-1, 0, 1} {
			res := resolveOne(t, c, idOf(w+d))
			if len(res) != 1 || res[0].Beacon.ID != 1 || res[0].Presence != nearby.PresenceVerified || res[0].Seen != idOf(w+d) {
				t.Errorf("window %+d: %+v, want beacon 1 verified", d, res)
			}
		}
		for _, d := range []int64{-3, -2, 2, 3} {
			if res := resolveOne(t, c, idOf(w+d)); len(res) != 0 {
				t.Errorf("window %+d resolved: %+v", d, res)
			}
		}
	})
	t.Run("StaticIdentityIgnored", func(t *testing.T) {
		if res := resolveOne(t, c, b.Identity); len(res) != 0 {
			t.Errorf("static identity of a rotating beacon resolved: %+v", res)
		}
	})
	t.Run("ReplayTwoWindowsLater", func(t *testing.T) {
		heard := idOf(w)
		clock.set(start.Add(2 * period * time.Second))
		defer clock.set(start)
		if res := resolveOne(t, c, heard); len(res) != 0 {
			t.Errorf("replay resolved: %+v", res)
		}
		// The index moved on: the new current window resolves.
		if res := resolveOne(t, c, idOf(w+2)); len(res) != 1 {
			t.Errorf("current window after advancing: %+v", res)
		}
		if res := resolveOne(t, c, idOf(w+3)); len(res) != 1 {
			t.Errorf("next window after advancing: %+v", res)
		}
	})
	t.Run("LongAfter", func(t *testing.T) {
		clock.set(start.Add(1000 * period * time.Second))
		defer clock.set(start)
		w2 := w + 1000
		if res := resolveOne(t, c, idOf(w2+1)); len(res) != 1 {
			t.Errorf("window+1 a thousand periods on: %+v", res)
		}
	})
	t.Run("Collision", func(t *testing.T) {
		// A second beacon with the same secret and period advertises the
		// same identities: neither can be told, so neither resolves.
		c.PutBeacon(rotatingBeacon(2, 1, secret, period))
		if res := resolveOne(t, c, idOf(w)); len(res) != 0 {
			t.Errorf("colliding identity resolved: %+v", res)
		}
		c.DeleteBeacon(2)
		if res := resolveOne(t, c, idOf(w)); len(res) != 1 {
			t.Errorf("after delete: %+v", res)
		}
	})
	t.Run("RotationOff", func(t *testing.T) {
		static := *b
		static.Rotation = nil
		c.PutBeacon(&static)
		defer c.PutBeacon(b)
		if res := resolveOne(t, c, idOf(w)); len(res) != 0 {
			t.Errorf("rotating identity resolved after rotation was turned off: %+v", res)
		}
		if res := resolveOne(t, c, b.Identity); len(res) != 1 || res[0].Presence != nearby.PresenceUnverified {
			t.Errorf("static identity: %+v, want unverified", res)
		}
	})
}

// TestCatalog_ResolveRotatingMany advances many beacons across a shared
// boundary, more than one resolve moves at once, and checks each still
// resolves in current±1.
func TestCatalog_ResolveRotatingMany(t *testing.T) {
	const period, n = 60, 2000
	start := time.Date(2026, 12, 4, 9, 0, 30, 0, time.UTC)
	clock := newFakeClock(start)
	c, _ := MustNew(t, &catalog.Options{Now: clock.now})
	c.PutStore(store(1, 48.85, 2.35))
	secrets := make([][]byte, n)
	for i := range n {
		secrets[i] = rotation.NewSecret()
		c.PutBeacon(rotatingBeacon(uint64(i+1), 1, secrets[i], period))
	}
	for step := range 3 {
		clock.add(period * time.Second)
		w := rotation.Window(clock.now(), period)
		for i := range n {
			for _, d := range []int64{-1, 0, 1} {
				id, _ := rotation.Identity(testUUID, secrets[i], period, w+d)
				res := resolveOne(t, c, id)
				if len(res) != 1 || res[0].Beacon.ID != uint64(i+1) {
					t.Fatalf("step %d beacon %d window %+d: %+v", step, i+1, d, res)
				}
			}
		}
	}
}

// BenchmarkResolve_Rotating compares one resolve at 100k rotating beacons
// with one at 100k static beacons (issue 17: at most 2×). The sightings
// are of identities no other beacon advertises in an accepted window: an
// identity that collides (about 3n/2^32 of them) resolves to nothing.
func BenchmarkResolve_Rotating(b *testing.B) {
	const n, period = 100_000, 900
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	w := rotation.Window(now, period)
	for _, kind := range []string{"static", "rotating"} {
		b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
			c, _ := MustNew(b, &catalog.Options{Now: func() time.Time { return now }})
			c.PutStore(store(1, 48.85, 2.35))
			current := make([]nearby.Identity, n)
			accepted := make(map[nearby.Identity]int, 3*n)
			for i := range n {
				bc := &nearby.Beacon{ID: uint64(i + 1), StoreID: 1, Status: nearby.BeaconActive,
					Identity: nearby.Identity{UUID: testUUID, Major: uint16(i >> 16), Minor: uint16(i)}}
				current[i] = bc.Identity
				if kind == "rotating" {
					bc.Rotation = &nearby.Rotation{PeriodS: period, Secret: rotation.NewSecret()}
					for d := int64(-1); d <= 1; d++ {
						id, _ := rotation.Identity(testUUID, bc.Rotation.Secret, period, w+d)
						accepted[id]++
						if d == 0 {
							current[i] = id
						}
					}
				}
				c.PutBeacon(bc)
			}
			seen := make([]catalog.Sighting, 0, 1024)
			for _, id := range current {
				if len(seen) < cap(seen) && accepted[id] <= 1 {
					seen = append(seen, catalog.Sighting{Identity: id, RSSI: ptr(-70)})
				}
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				res, err := c.Resolve(ctx, seen[i%len(seen):i%len(seen)+1])
				if err != nil || len(res) != 1 {
					b.Fatal(res, err)
				}
			}
		})
	}
}
