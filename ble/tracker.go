package ble

import (
	"math"
	"sort"
	"time"
)

// Tracker defaults. Distances are the model's estimates, not true metres.
const (
	// DefaultHysteresis widens each class boundary by 25% on the side of the
	// current class: a phone classed near (<= 3 m) becomes far only beyond
	// 3.75 m, and becomes near again only under 2.25 m.
	DefaultHysteresis = 0.25
	// DefaultConfirm is how many consecutive samples a new class (or an
	// enter/exit condition) must hold before it is reported.
	DefaultConfirm = 3
	// DefaultEnterM: a phone enters when its distance stays within near.
	DefaultEnterM = NearMaxM
	// DefaultExitM: a phone that entered exits when its distance stays
	// beyond 8 m; the gap between EnterM and ExitM is the visit hysteresis.
	DefaultExitM = 8.0
	// DefaultLostAfter: a phone not heard for this long has left.
	DefaultLostAfter = 15 * time.Second
)

// TrackerOptions tune a Tracker; zero fields take the defaults.
type TrackerOptions struct {
	Model         DistanceModel // default Nexus5CurveFit
	MeasuredPower int           // phones' RSSI at 1 m at the agent; default DefaultMeasuredPower
	Window        time.Duration // RSSI filter window; default DefaultFilterWindow
	Hysteresis    float64
	Confirm       int
	EnterM, ExitM float64
	LostAfter     time.Duration
}

// TransitionKind says what changed for a phone.
type TransitionKind string

// Transition kinds.
const (
	Enter     TransitionKind = "enter"     // came within EnterM
	Exit      TransitionKind = "exit"      // went beyond ExitM, or was lost
	Move      TransitionKind = "proximity" // proximity class changed
	ShakeSeen TransitionKind = "shake"     // the phone signalled a shake
)

// Transition is one decision about a phone.
type Transition struct {
	Kind      TransitionKind
	DeviceID  string
	At        time.Time
	Proximity Proximity     // class after the transition
	From      Proximity     // class before (Move)
	RSSI      float64       // smoothed dBm; 0 when unknown
	DistanceM float64       // estimated metres; -1 when unknown
	Dwell     time.Duration // Exit: time since Enter
	Lost      bool          // Exit: decided by silence, not distance
}

// Tracker follows phones heard by one agent and decides enter, exit and
// proximity changes with hysteresis. Time comes only from sightings and
// Expire's argument. Not safe for concurrent use.
type Tracker struct {
	opts    TrackerOptions
	devices map[string]*tracked
}

type tracked struct {
	filter            *Filter
	class, pending    Proximity
	pendingN          int
	inside            bool
	enterN, exitN     int
	enteredAt, seenAt time.Time
	rssi, dist        float64
}

// NewTracker returns a Tracker; opts may be nil.
func NewTracker(opts *TrackerOptions) *Tracker {
	var o TrackerOptions
	if opts != nil {
		o = *opts
	}
	if o.Model == nil {
		o.Model = Nexus5CurveFit()
	}
	if o.MeasuredPower == 0 {
		o.MeasuredPower = DefaultMeasuredPower
	}
	if o.Window <= 0 {
		o.Window = DefaultFilterWindow
	}
	if o.Hysteresis <= 0 {
		o.Hysteresis = DefaultHysteresis
	}
	if o.Confirm <= 0 {
		o.Confirm = DefaultConfirm
	}
	if o.EnterM <= 0 {
		o.EnterM = DefaultEnterM
	}
	if o.ExitM <= 0 {
		o.ExitM = DefaultExitM
	}
	if o.LostAfter <= 0 {
		o.LostAfter = DefaultLostAfter
	}
	return &Tracker{opts: o, devices: make(map[string]*tracked)}
}

// Observe feeds one sighting and returns what it decided, in order:
// phones lost before s.At exit first, then this phone's class change, enter
// or exit, then its shake.
func (t *Tracker) Observe(s Sighting) []Transition {
	out := t.Expire(s.At)
	d := t.devices[s.DeviceID]
	if d == nil {
		f := NewFilter()
		f.Window = t.opts.Window
		d = &tracked{filter: f, class: Unknown, dist: -1}
		t.devices[s.DeviceID] = d
	}
	if s.RSSI < 0 && s.RSSI >= -127 {
		d.seenAt = s.At
		out = t.sample(out, s.DeviceID, d, s)
	} else if d.seenAt.IsZero() {
		d.seenAt = s.At
	}
	if s.Shake {
		out = append(out, Transition{Kind: ShakeSeen, DeviceID: s.DeviceID, At: s.At,
			Proximity: d.class, RSSI: d.rssi, DistanceM: d.dist})
	}
	return out
}

func (t *Tracker) sample(out []Transition, id string, d *tracked, s Sighting) []Transition {
	rssi, ok := d.filter.Add(s.RSSI, s.At)
	if !ok {
		return out
	}
	d.rssi = math.Round(rssi*10) / 10
	d.dist = t.opts.Model.Distance(rssi, float64(t.opts.MeasuredPower))
	tr := Transition{DeviceID: id, At: s.At, RSSI: d.rssi, DistanceM: d.dist}

	if c := t.classify(d.class, d.dist); c == d.class {
		d.pending, d.pendingN = "", 0
	} else {
		if c != d.pending {
			d.pending, d.pendingN = c, 0
		}
		d.pendingN++
		if d.pendingN >= t.opts.Confirm {
			from := d.class
			d.class, d.pending, d.pendingN = c, "", 0
			m := tr
			m.Kind, m.From, m.Proximity = Move, from, c
			out = append(out, m)
		}
	}
	tr.Proximity = d.class

	switch {
	case !d.inside && d.dist >= 0 && d.dist <= t.opts.EnterM:
		d.exitN = 0
		if d.enterN++; d.enterN >= t.opts.Confirm {
			d.inside, d.enterN, d.enteredAt = true, 0, s.At
			tr.Kind = Enter
			out = append(out, tr)
		}
	case d.inside && d.dist > t.opts.ExitM:
		d.enterN = 0
		if d.exitN++; d.exitN >= t.opts.Confirm {
			d.inside, d.exitN = false, 0
			tr.Kind, tr.Dwell = Exit, s.At.Sub(d.enteredAt)
			out = append(out, tr)
		}
	default:
		d.enterN, d.exitN = 0, 0
	}
	return out
}

// classify applies the class boundaries widened towards the current class.
func (t *Tracker) classify(cur Proximity, dist float64) Proximity {
	if dist < 0 {
		return cur
	}
	h := t.opts.Hysteresis
	edge := func(boundary float64, closer Proximity) float64 {
		// Staying on the closer side is easier when already there.
		if cur.rank() <= closer.rank() {
			return boundary * (1 + h)
		}
		if cur == Unknown {
			return boundary
		}
		return boundary * (1 - h)
	}
	switch {
	case dist <= edge(ImmediateMaxM, Immediate):
		return Immediate
	case dist <= edge(NearMaxM, Near):
		return Near
	}
	return Far
}

// Expire ends the visits of phones not heard for LostAfter before now and
// forgets them; it returns their exits, ordered by device id.
func (t *Tracker) Expire(now time.Time) []Transition {
	var out []Transition
	for id, d := range t.devices {
		if now.Sub(d.seenAt) < t.opts.LostAfter {
			continue
		}
		if d.inside {
			out = append(out, Transition{Kind: Exit, DeviceID: id, At: now, Proximity: Unknown,
				From: d.class, RSSI: d.rssi, DistanceM: d.dist, Dwell: d.seenAt.Sub(d.enteredAt), Lost: true})
		}
		delete(t.devices, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DeviceID < out[j].DeviceID })
	return out
}

// DeviceState is what the tracker currently believes about a phone.
type DeviceState struct {
	Proximity Proximity
	RSSI      float64
	DistanceM float64
	Inside    bool
	EnteredAt time.Time
	SeenAt    time.Time
}

// State returns the tracker's view of a phone.
func (t *Tracker) State(id string) (DeviceState, bool) {
	d, ok := t.devices[id]
	if !ok {
		return DeviceState{}, false
	}
	return DeviceState{Proximity: d.class, RSSI: d.rssi, DistanceM: d.dist, Inside: d.inside,
		EnteredAt: d.enteredAt, SeenAt: d.seenAt}, true
}

// Inside returns the ids of the phones currently inside, sorted.
func (t *Tracker) Inside() []string {
	var ids []string
	for id, d := range t.devices {
		if d.inside {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
