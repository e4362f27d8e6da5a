package agent

import (
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ble"
)

// Tracker turns what the radio sees into events. The decisions are ble's
// Tracker's (RSSI smoothing, enter and exit with hysteresis, a phone lost
// after a silence); this type gives each decision an id and the event
// shape: enter when a phone comes within range, exit plus dwell (the time
// from enter to last seen) when it leaves, shake when it signals one. Time
// is what the sightings and the caller say it is, never the wall clock, so a
// replayed stream of sightings gives the same events. Not safe for
// concurrent use.
type Tracker struct {
	// NewID returns an event id; nil means a random UUID.
	NewID func() string

	bt *ble.Tracker
}

// NewTracker returns a tracker; opts may be nil for ble's defaults.
func NewTracker(opts *ble.TrackerOptions) *Tracker {
	return &Tracker{bt: ble.NewTracker(opts)}
}

// Inside returns how many phones are within range.
func (t *Tracker) Inside() int { return len(t.bt.Inside()) }

// Observe records a sighting and returns the events it causes.
func (t *Tracker) Observe(s ble.Sighting) []nearby.Event {
	return t.events(nil, t.bt.Observe(s))
}

// Expire ends the visits of phones not heard for a while before now.
func (t *Tracker) Expire(now time.Time) []nearby.Event {
	return t.events(nil, t.bt.Expire(now))
}

// Flush ends every open visit at the time its phone was last seen, as on
// shutdown: the agent stops watching and cannot know how visits go on. The
// tracker must not be used afterwards.
func (t *Tracker) Flush() []nearby.Event {
	var evs []nearby.Event
	for _, id := range t.bt.Inside() {
		st, _ := t.bt.State(id)
		evs = t.events(evs, []ble.Transition{{Kind: ble.Exit, DeviceID: id, At: st.SeenAt,
			RSSI: st.RSSI, DistanceM: st.DistanceM, Dwell: st.SeenAt.Sub(st.EnteredAt)}})
	}
	return evs
}

func (t *Tracker) events(evs []nearby.Event, trs []ble.Transition) []nearby.Event {
	for _, tr := range trs {
		switch tr.Kind {
		case ble.Enter:
			evs = append(evs, t.event(nearby.EventEnter, tr))
		case ble.ShakeSeen:
			evs = append(evs, t.event(nearby.EventShake, tr))
		case ble.Exit:
			evs = append(evs, t.event(nearby.EventExit, tr))
			d := t.event(nearby.EventDwell, tr)
			ms := max(0, tr.Dwell.Milliseconds())
			d.DwellMS = &ms
			evs = append(evs, d)
		}
	}
	return evs
}

func (t *Tracker) event(typ nearby.EventType, tr ble.Transition) nearby.Event {
	id := ""
	if t.NewID != nil {
		id = t.NewID()
	} else {
		id = uuid.NewString()
	}
	e := nearby.Event{ID: id, Type: typ, At: tr.At.UTC(), DeviceID: tr.DeviceID}
	// Keep only what the daemon accepts: a reading outside it is noise,
	// and a rejected event would lose the visit itself.
	if r := int(math.Round(tr.RSSI)); tr.RSSI != 0 && r >= -127 && r <= 20 {
		e.RSSI = &r
	}
	if d := tr.DistanceM; d >= 0 && !math.IsInf(d, 0) {
		d = math.Round(min(d, 1000)*100) / 100
		e.DistanceM = &d
	}
	return e
}
