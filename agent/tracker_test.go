package agent_test

import (
	"slices"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/ble"
)

func types(evs []nearby.Event) []nearby.EventType {
	var out []nearby.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestTracker_Observe(t *testing.T) {
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	tr := agent.NewTracker(nil)
	var evs []nearby.Event
	// Phone a stands half a metre away for 10 s, then is not heard again;
	// phone b shows up a minute later and shakes.
	for i := range 10 {
		evs = append(evs, tr.Observe(ble.Sighting{DeviceID: "a", RSSI: -50, At: start.Add(time.Duration(i) * time.Second)})...)
	}
	if got := tr.Inside(); got != 1 {
		t.Fatalf("Inside after 10 s near: got %d, want 1", got)
	}
	for i := range 5 {
		evs = append(evs, tr.Observe(ble.Sighting{DeviceID: "b", RSSI: -52, At: start.Add(time.Minute + time.Duration(i)*time.Second)})...)
	}
	evs = append(evs, tr.Observe(ble.Sighting{DeviceID: "b", At: start.Add(time.Minute + 5*time.Second), Shake: true})...)
	evs = append(evs, tr.Flush()...)

	want := []nearby.EventType{nearby.EventEnter, nearby.EventExit, nearby.EventDwell, nearby.EventEnter, nearby.EventShake, nearby.EventExit, nearby.EventDwell}
	if got := types(evs); !slices.Equal(got, want) {
		t.Fatalf("events: got %v, want %v", got, want)
	}
	ids := make(map[string]bool)
	for i, e := range evs {
		if err := e.Validate(time.Now()); err != nil {
			t.Errorf("event %d (%s) invalid: %v", i, e.Type, err)
		}
		if ids[e.ID] {
			t.Errorf("event %d: id %s used twice", i, e.ID)
		}
		ids[e.ID] = true
	}
	// a's visit runs from its enter to its last sighting at start+9s.
	if got, want := *evs[2].DwellMS, start.Add(9*time.Second).Sub(evs[0].At).Milliseconds(); got != want || got <= 0 {
		t.Errorf("a's dwell: got %d ms, want %d", got, want)
	}
	if evs[0].DeviceID != "a" || evs[3].DeviceID != "b" || evs[4].DeviceID != "b" || evs[0].DistanceM == nil || evs[0].RSSI == nil {
		t.Errorf("events: got %+v", evs)
	}
	// Flush ends b's visit when b was last seen, not at shutdown time.
	if got, want := evs[5].At, start.Add(time.Minute+4*time.Second); !got.Equal(want) {
		t.Errorf("b's exit: got %v, want %v", got, want)
	}
}

// TestTracker_Sim checks that a simulated day gives the same events for
// the same seed, and that every visit is closed.
func TestTracker_Sim(t *testing.T) {
	run := func() map[nearby.EventType]int {
		sim, err := ble.NewSim(ble.SimOptions{Seed: 7, Phones: 15, Duration: 5 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		tr := agent.NewTracker(nil)
		n := make(map[nearby.EventType]int)
		add := func(evs []nearby.Event) {
			for _, e := range evs {
				if err := e.Validate(time.Now()); err != nil {
					t.Errorf("%s event invalid: %v", e.Type, err)
				}
				n[e.Type]++
			}
		}
		for _, s := range sim.Sightings(ble.Point{}) {
			add(tr.Observe(s))
		}
		add(tr.Flush())
		return n
	}
	a, b := run(), run()
	if len(a) == 0 || a[nearby.EventEnter] == 0 || a[nearby.EventShake] == 0 {
		t.Fatalf("simulated day gave %v, want enters and shakes", a)
	}
	for _, typ := range nearby.EventTypes {
		if a[typ] != b[typ] {
			t.Errorf("%s: %d then %d events for the same seed", typ, a[typ], b[typ])
		}
	}
	if a[nearby.EventEnter] != a[nearby.EventExit] || a[nearby.EventExit] != a[nearby.EventDwell] {
		t.Errorf("visits not closed: %v", a)
	}
}
