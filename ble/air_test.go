package ble_test

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/ble"
)

func TestAirServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sim := mustSim(t, ble.SimOptions{Seed: 9, Phones: 8, Duration: 3 * time.Minute, Start: day})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	air := ble.NewAirServer(sim)
	served := make(chan error, 1)
	go func() { served <- air.Serve(ln) }()

	// Two agents, 10 m apart, each hearing the same phones differently.
	spots := []ble.Point{{}, {X: 10}}
	radios := make([]*ble.AirRadio, len(spots))
	for i, p := range spots {
		r, err := ble.DialAir(ctx, ln.Addr().String(), p)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		radios[i] = r
	}
	select {
	case s := <-radios[0].Sightings():
		t.Fatalf("got %+v before advertising", s)
	case <-time.After(50 * time.Millisecond):
	}
	for i, r := range radios {
		b := recipeBeacon(t)
		b.Minor = uint16(i)
		if err := r.Advertise(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	results := make([][]ble.Sighting, len(radios))
	errs := make(chan error, len(radios))
	for i, r := range radios {
		go func() {
			for {
				select {
				case s := <-r.Sightings():
					results[i] = append(results[i], s)
				case <-r.Done():
					errs <- nil
					return
				case <-ctx.Done():
					errs <- ctx.Err()
					return
				}
			}
		}()
	}
	for range radios {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range spots {
		want := sim.Sightings(p)
		if len(want) == 0 || !slices.EqualFunc(results[i], want, func(a, b ble.Sighting) bool {
			return a.DeviceID == b.DeviceID && a.RSSI == b.RSSI && a.At.Equal(b.At) && a.Shake == b.Shake
		}) {
			t.Errorf("agent at %v: got %d sightings, want the %d of Sim.Sightings", p, len(results[i]), len(want))
		}
	}
	if slices.Equal(results[0], results[1]) {
		t.Error("agents 10 m apart heard the same thing")
	}
	adv := air.Advertised()
	minors := []uint16{}
	for _, b := range adv {
		minors = append(minors, b.Minor)
	}
	slices.Sort(minors)
	if !slices.Equal(minors, []uint16{0, 1}) {
		t.Errorf("advertised minors: got %v, want [0 1]", minors)
	}
	if err := radios[1].StopAdvertising(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(air.Advertised()) != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(air.Advertised()); n != 1 {
		t.Errorf("after one agent stopped: %d advertising, want 1", n)
	}
	if err := air.Close(); err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
