package ble

import (
	"math"
	"sort"
	"time"
)

// Tracker defaults. Distances are the model's estimates, not true metres.
const (
	// DefaultHysteresisDB widens each class boundary by 3 dB on the side of
	// the current class. The margin is in dB because the noise is: with the
	// curve fit, 3 dB is ±25% of distance around 3 m but ±50% around 0.5 m.
	// A phone classed near becomes far only below -79 dBm (about 3.8 m
	// estimated), and far becomes near only above -73 dBm (2.3 m).
	DefaultHysteresisDB = 3.0
	// DefaultConfirm is how many consecutive samples a new class (or an
	// enter/exit condition) must hold before it is reported. With 3, a phone
	// walking in at 1 m/s heard once a second often skipped near entirely.
	DefaultConfirm = 2
	// DefaultEnterWithin: a phone enters when its class becomes near (or
	// immediate), so an enter inherits the class hysteresis and is never
	// reported with a far class.
	DefaultEnterWithin = Near
	// DefaultExitM: a phone that entered exits when its estimated distance
	// stays beyond 8 m (or it is lost); the gap between near (3 m) and 8 m
	// keeps a phone browsing a few metres away inside.
	DefaultExitM = 8.0
	// DefaultLostAfter: a phone not heard for this long has left.
	DefaultLostAfter = 15 * time.Second
)

// TrackerOptions tune a Tracker; zero fields take the defaults.
type TrackerOptions struct {
	Model         DistanceModel // default Nexus5CurveFit
	MeasuredPower int           // phones' RSSI at 1 m at the agent; default DefaultMeasuredPower
	Window        time.Duration // RSSI filter window; default DefaultFilterWindow
	HysteresisDB  float64
	Confirm       int
	EnterWithin   Proximity // Near or Immediate
	ExitM         float64
	LostAfter     time.Duration
}

// TransitionKind says what changed for a phone.
type TransitionKind string

// Transition kinds.
const (
	Enter     TransitionKind = "enter"     // class became EnterWithin or closer
	Exit      TransitionKind = "exit"      // went beyond ExitM, or was lost
	Move      TransitionKind = "proximity" // proximity class changed, to an adjacent class (or from unknown)
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
	// RSSI at the immediate/near and near/far boundaries under the model.
	immRSSI, nearRSSI float64
	swept             time.Time // last Expire
}

// rssiFor inverts a distance model by bisection: the RSSI at which it
// estimates d metres. Models are decreasing in RSSI.
func rssiFor(m DistanceModel, d, measuredPower float64) float64 {
	lo, hi := -127.0, -0.001
	for range 60 {
		mid := (lo + hi) / 2
		if m.Distance(mid, measuredPower) > d {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

type tracked struct {
	filter            *Filter
	class, pending    Proximity
	pendingN          int
	inside            bool
	exitN             int
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
	if o.HysteresisDB <= 0 {
		o.HysteresisDB = DefaultHysteresisDB
	}
	if o.Confirm <= 0 {
		o.Confirm = DefaultConfirm
	}
	if o.EnterWithin != Immediate {
		o.EnterWithin = DefaultEnterWithin
	}
	if o.ExitM <= 0 {
		o.ExitM = DefaultExitM
	}
	if o.LostAfter <= 0 {
		o.LostAfter = DefaultLostAfter
	}
	mp := float64(o.MeasuredPower)
	return &Tracker{opts: o, devices: make(map[string]*tracked),
		immRSSI: rssiFor(o.Model, ImmediateMaxM, mp), nearRSSI: rssiFor(o.Model, NearMaxM, mp)}
}

// Observe feeds one sighting and returns what it decided, in order:
// phones lost before s.At exit first, then this phone's class change, enter
// or exit, then its shake.
func (t *Tracker) Observe(s Sighting) []Transition {
	var out []Transition
	// Sweeping every phone on every sighting would make Observe O(phones);
	// once a second of sighting time is as timely as LostAfter needs.
	if s.At.Sub(t.swept) >= time.Second || s.At.Before(t.swept) {
		out = t.Expire(s.At)
	}
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

	if c := t.classify(d.class, rssi); c == d.class {
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
			m.Kind = Move
			if from == Far && c == Immediate || from == Immediate && c == Far {
				// A phone cannot go between far and immediate without
				// passing near: report both steps, so that consumers see
				// adjacent classes only.
				m.From, m.Proximity = from, Near
				out = append(out, m)
				from = Near
			}
			m.From, m.Proximity = from, c
			out = append(out, m)
		}
	}
	tr.Proximity = d.class

	switch {
	case !d.inside && rank(d.class) <= rank(t.opts.EnterWithin):
		// The class change was already confirmed.
		d.inside, d.exitN, d.enteredAt = true, 0, s.At
		tr.Kind = Enter
		out = append(out, tr)
	case d.inside && d.dist > t.opts.ExitM:
		if d.exitN++; d.exitN >= t.opts.Confirm {
			d.inside, d.exitN = false, 0
			tr.Kind, tr.Dwell = Exit, s.At.Sub(d.enteredAt)
			out = append(out, tr)
		}
	default:
		d.exitN = 0
	}
	return out
}

// classify compares the smoothed RSSI with the class boundaries, each moved
// HysteresisDB away from the current class so that leaving it takes a real
// change of signal.
func (t *Tracker) classify(cur Proximity, rssi float64) Proximity {
	h := t.opts.HysteresisDB
	edge := func(boundary float64, closer Proximity) float64 {
		switch {
		case cur == Unknown:
			return boundary
		case rank(cur) <= rank(closer):
			return boundary - h // already on the closer side: stay longer
		}
		return boundary + h
	}
	switch {
	case rssi >= edge(t.immRSSI, Immediate):
		return Immediate
	case rssi >= edge(t.nearRSSI, Near):
		return Near
	}
	return Far
}

// Expire ends the visits of phones not heard for LostAfter before now and
// forgets them; it returns their exits, ordered by device id.
func (t *Tracker) Expire(now time.Time) []Transition {
	t.swept = now
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
