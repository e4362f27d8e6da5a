package ble_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/ble"
)

func mustSim(t testing.TB, o ble.SimOptions) *ble.Sim {
	t.Helper()
	s, err := ble.NewSim(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSim_Sightings(t *testing.T) {
	o := ble.SimOptions{Seed: 42, Phones: 20, Duration: 10 * time.Minute, Start: day}
	a := mustSim(t, o).Sightings(ble.Point{})
	t.Run("Deterministic", func(t *testing.T) {
		if b := mustSim(t, o).Sightings(ble.Point{}); !slices.Equal(a, b) {
			t.Fatal("the same options gave different sightings")
		}
		o2 := o
		o2.Seed = 43
		if b := mustSim(t, o2).Sightings(ble.Point{}); slices.Equal(a, b) {
			t.Fatal("another seed gave the same sightings")
		}
	})
	t.Run("Ordered", func(t *testing.T) {
		if !slices.IsSortedFunc(a, func(x, y ble.Sighting) int { return x.At.Compare(y.At) }) {
			t.Fatal("sightings are not in time order")
		}
		for _, s := range a {
			if s.At.Before(day) || s.At.After(day.Add(10*time.Minute)) {
				t.Fatalf("sighting at %v outside the day", s.At)
			}
			if !s.Shake && (s.RSSI >= 0 || s.RSSI < -127) || s.Shake && s.RSSI != 0 {
				t.Fatalf("bad sighting %+v", s)
			}
		}
	})
	t.Run("ScriptsIndependent", func(t *testing.T) {
		// Adding a scripted phone leaves the generated phones' air alone.
		o2 := o
		o2.Scripts = []ble.PhoneScript{walk("walker")}
		b := mustSim(t, o2).Sightings(ble.Point{})
		b = slices.DeleteFunc(b, func(s ble.Sighting) bool { return s.DeviceID == "walker" })
		if !slices.Equal(a, b) {
			t.Fatal("a scripted phone changed the generated phones' sightings")
		}
	})
	t.Run("Noise", func(t *testing.T) {
		// With noise, fades and drops off, a phone standing 2 m away is heard
		// every second at exactly the log-distance RSSI.
		still := ble.PhoneScript{ID: "p", Path: []ble.Waypoint{{0, ble.Point{X: 2}}, {10 * time.Second, ble.Point{X: 2}}}}
		s := mustSim(t, ble.SimOptions{Start: day, Duration: time.Minute, NoiseDB: -1, FadeRate: -1, DropRate: -1, Scripts: []ble.PhoneScript{still}})
		got := s.Sightings(ble.Point{})
		want := int(ble.LogDistance{Exponent: ble.DefaultPathLossExponent}.RSSIAt(2, -59) - 0.5) // -68.03 rounds to -68
		if len(got) < 9 || len(got) > 11 {
			t.Fatalf("got %d sightings in 10 s, want about 10", len(got))
		}
		for _, x := range got {
			if x.RSSI != want {
				t.Fatalf("got RSSI %d, want %d", x.RSSI, want)
			}
		}
	})
	t.Run("ErrScripts", func(t *testing.T) {
		for _, p := range []ble.PhoneScript{{ID: ""}, {ID: "x"}, {ID: "x", Path: []ble.Waypoint{{time.Second, ble.Point{}}, {0, ble.Point{}}}}} {
			if _, err := ble.NewSim(ble.SimOptions{Scripts: []ble.PhoneScript{p}}); err == nil {
				t.Errorf("script %+v: got no error", p)
			}
		}
	})
}

// TestSim_Day runs a 10-minute day of 40 random phones through the tracker
// for several seeds: it must count exactly the phones that truly came within
// 3 m as visits, each leaving once, and pass every shake on.
func TestSim_Day(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		s := mustSim(t, ble.SimOptions{Seed: seed, Phones: 40, Duration: 10 * time.Minute, Start: day})
		sum := s.Summary(ble.Point{})
		if sum.Visitors < 20 || sum.Visitors == sum.Phones {
			t.Fatalf("seed %d: %d visitors of %d phones: want most but not all to visit", seed, sum.Visitors, sum.Phones)
		}
		tr := ble.NewTracker(nil)
		entered := map[string]int{}
		exits, shakes := 0, 0
		count := func(xs []ble.Transition) {
			for _, x := range xs {
				switch x.Kind {
				case ble.Enter:
					entered[x.DeviceID]++
				case ble.Exit:
					exits++
				case ble.ShakeSeen:
					shakes++
				}
			}
		}
		for _, x := range s.Sightings(ble.Point{}) {
			count(tr.Observe(x))
		}
		count(tr.Expire(day.Add(time.Hour)))
		enters := 0
		for id, n := range entered {
			enters += n
			if n != 1 {
				t.Errorf("seed %d: %s entered %d times", seed, id, n)
			}
		}
		if enters != sum.Visitors || exits != enters || shakes != sum.Shakes {
			t.Errorf("seed %d: got %d enters, %d exits, %d shakes; want %d, %d, %d", seed, enters, exits, shakes, sum.Visitors, sum.Visitors, sum.Shakes)
		}
	}
}

func TestSimRadio(t *testing.T) {
	ctx := context.Background()
	o := ble.SimOptions{Seed: 5, Phones: 10, Duration: 5 * time.Minute, Start: day}
	want := mustSim(t, o).Sightings(ble.Point{})
	t.Run("Playback", func(t *testing.T) {
		r := mustSim(t, o).Radio(ble.Point{})
		defer r.Close()
		select {
		case s := <-r.Sightings():
			t.Fatalf("got %+v before Advertise", s)
		case <-time.After(20 * time.Millisecond):
		}
		b := recipeBeacon(t)
		if err := r.Advertise(ctx, b); err != nil {
			t.Fatal(err)
		}
		if got, ok := r.Advertising(); !ok || got != b {
			t.Errorf("Advertising: got %v %v", got, ok)
		}
		var got []ble.Sighting
		for len(got) < len(want) {
			got = append(got, <-r.Sightings())
		}
		<-r.Done()
		if !slices.Equal(got, want) {
			t.Error("radio played other sightings than Sim.Sightings")
		}
		if err := r.StopAdvertising(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := r.Advertising(); ok {
			t.Error("still advertising after StopAdvertising")
		}
	})
	t.Run("CloseUnblocks", func(t *testing.T) {
		r := mustSim(t, o).Radio(ble.Point{})
		if err := r.Advertise(ctx, ble.IBeacon{}); err != nil {
			t.Fatal(err)
		}
		<-r.Sightings()
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		for range r.Sightings() {
			// drain what was buffered; the loop ends because Close closed it
		}
		if err := r.Advertise(ctx, ble.IBeacon{}); !errors.Is(err, ble.ErrClosed) {
			t.Errorf("Advertise after Close: got %v, want ErrClosed", err)
		}
		if err := r.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
	t.Run("Speed", func(t *testing.T) {
		// Two seconds of a phone standing by, played 10x: about 0.2 s.
		p := ble.PhoneScript{ID: "p", Path: []ble.Waypoint{{0, ble.Point{X: 1}}, {2 * time.Second, ble.Point{X: 1}}}}
		s := mustSim(t, ble.SimOptions{Start: day, Duration: 2 * time.Second, Speed: 10, DropRate: -1, Scripts: []ble.PhoneScript{p}})
		r := s.Radio(ble.Point{})
		defer r.Close()
		start := time.Now()
		if err := r.Advertise(ctx, ble.IBeacon{}); err != nil {
			t.Fatal(err)
		}
		n := 0
		for done := false; !done; {
			select {
			case <-r.Sightings():
				n++
			case <-r.Done():
				done = true
			}
		}
		if el := time.Since(start); el < 100*time.Millisecond || n < 1 {
			t.Errorf("played %d sightings in %v, want paced at 10x (about 200 ms)", n, el)
		}
	})
	t.Run("DefaultStart", func(t *testing.T) {
		// Replayed as fast as possible, a day lies in the past by default.
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		s := mustSim(t, ble.SimOptions{Seed: 1, Phones: 3, Duration: time.Minute, Now: func() time.Time { return now }})
		if got := s.Options().Start; !got.Equal(now.Add(-time.Minute)) {
			t.Errorf("start: got %v, want %v", got, now.Add(-time.Minute))
		}
	})
}
