package agent

import (
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/nearby-dev/nearby"
)

// DefaultGrace is how long a phone may go unseen before it counts as having
// left. Phones advertise and scan in bursts, and bodies block 2.4 GHz, so a
// few silent seconds say nothing; half a minute of silence does.
const DefaultGrace = 30 * time.Second

// RangeClassifier decides, with hysteresis, whether a phone is within range
// of the beacon, so that a phone standing at the edge of the range does not
// enter and exit on every sighting. Update is called for each sighting of a
// phone; Forget when the tracker drops it.
type RangeClassifier interface {
	Update(deviceID string, rssi, txPower int, at time.Time) (distanceM float64, inRange bool)
	Forget(deviceID string)
}

// Sighting is one observation of a phone by the radio.
type Sighting struct {
	DeviceID string
	RSSI     int
	At       time.Time
	Shake    bool
}

// Tracker turns sightings into visit events: enter when a phone comes
// within range, exit and dwell once it has been out of range for Grace, and
// shake whenever a phone signals one. Time is what the sightings and the
// caller say it is, never the wall clock, so a replayed stream of sightings
// gives the same events. Not safe for concurrent use.
type Tracker struct {
	Grace time.Duration
	// NewID returns an event id; nil means a random UUID.
	NewID func() string

	rc      RangeClassifier
	txPower atomic.Int64 // set by the config loop while sightings flow
	phones  map[string]*phone
}

type phone struct {
	enteredAt, lastSeen time.Time // lastSeen: last sighting within range
	rssi                int
	distM               float64
}

// NewTracker returns a tracker deciding range with rc.
func NewTracker(rc RangeClassifier) *Tracker {
	t := &Tracker{Grace: DefaultGrace, rc: rc, phones: make(map[string]*phone)}
	t.txPower.Store(nearby.DefaultTxPower)
	return t
}

// SetTxPower sets the beacon's measured power at 1 m (dBm), which distance
// estimates need.
func (t *Tracker) SetTxPower(p int) { t.txPower.Store(int64(p)) }

// Inside returns how many phones are within range.
func (t *Tracker) Inside() int { return len(t.phones) }

// Observe records a sighting and returns the events it causes: first the
// exits of phones whose grace ran out before s.At, then this phone's enter
// and shake.
func (t *Tracker) Observe(s Sighting) []nearby.Event {
	evs := t.Expire(s.At)
	if s.DeviceID == "" {
		return evs
	}
	dist, in := t.rc.Update(s.DeviceID, s.RSSI, int(t.txPower.Load()), s.At)
	p := t.phones[s.DeviceID]
	if in {
		if p == nil {
			p = &phone{enteredAt: s.At}
			t.phones[s.DeviceID] = p
			evs = append(evs, t.event(nearby.EventEnter, s.DeviceID, s.At, s.RSSI, dist))
		}
		p.lastSeen, p.rssi, p.distM = s.At, s.RSSI, dist
	}
	if s.Shake {
		// A shake counts wherever the phone is: the phone heard this
		// beacon, which is what the merchant pays for.
		evs = append(evs, t.event(nearby.EventShake, s.DeviceID, s.At, s.RSSI, dist))
	}
	return evs
}

// Expire ends the visits of phones last seen within range more than Grace
// before now.
func (t *Tracker) Expire(now time.Time) []nearby.Event {
	var gone []string
	for id, p := range t.phones {
		if now.Sub(p.lastSeen) > t.Grace {
			gone = append(gone, id)
		}
	}
	return t.end(gone)
}

// Flush ends every visit, as on shutdown: the agent stops watching, so it
// cannot know how the visits go on.
func (t *Tracker) Flush() []nearby.Event {
	ids := make([]string, 0, len(t.phones))
	for id := range t.phones {
		ids = append(ids, id)
	}
	return t.end(ids)
}

// end emits exit and dwell for ids, in id order so the output does not
// depend on map order. A visit ends when the phone was last seen.
func (t *Tracker) end(ids []string) []nearby.Event {
	slices.Sort(ids)
	var evs []nearby.Event
	for _, id := range ids {
		p := t.phones[id]
		delete(t.phones, id)
		t.rc.Forget(id)
		evs = append(evs, t.event(nearby.EventExit, id, p.lastSeen, p.rssi, p.distM))
		d := t.event(nearby.EventDwell, id, p.lastSeen, p.rssi, p.distM)
		ms := p.lastSeen.Sub(p.enteredAt).Milliseconds()
		d.DwellMS = &ms
		evs = append(evs, d)
	}
	return evs
}

func (t *Tracker) event(typ nearby.EventType, device string, at time.Time, rssi int, dist float64) nearby.Event {
	id := ""
	if t.NewID != nil {
		id = t.NewID()
	} else {
		id = uuid.NewString()
	}
	e := nearby.Event{ID: id, Type: typ, At: at.UTC(), DeviceID: device}
	// Keep only what the daemon accepts: a reading outside it is noise,
	// and a rejected event would lose the visit itself.
	if rssi >= -127 && rssi <= 20 {
		r := rssi
		e.RSSI = &r
	}
	if dist >= 0 && !math.IsInf(dist, 0) {
		d := math.Round(min(dist, 1000)*100) / 100
		e.DistanceM = &d
	}
	return e
}
