package ble

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Simulator defaults: a 10-minute store day heard once a second per phone,
// with the noise, fades and losses of a real shop floor.
const (
	DefaultSimDuration = 10 * time.Minute
	DefaultSimInterval = time.Second
	DefaultSimNoiseDB  = 2.5  // standard deviation of Gaussian RSSI noise
	DefaultSimFadeRate = 0.05 // share of readings hit by a 6-18 dB fade
	DefaultSimDropRate = 0.15 // share of advertisements the radio misses
	DefaultSimRangeM   = 30.0 // beyond this a phone is not heard at all
)

// Point is a position on the shop floor in metres.
type Point struct{ X, Y float64 }

// Dist returns the distance between two points in metres.
func (p Point) Dist(q Point) float64 { return math.Hypot(p.X-q.X, p.Y-q.Y) }

// Waypoint puts a phone at Pos at offset At from the start of the day.
type Waypoint struct {
	At  time.Duration
	Pos Point
}

// PhoneScript is one phone's day: it is on the floor from its first
// waypoint to its last, moving in straight lines between them, and shakes at
// the given offsets.
type PhoneScript struct {
	ID            string
	Path          []Waypoint
	Shakes        []time.Duration
	MeasuredPower int // RSSI at 1 m of its advertisements; default DefaultMeasuredPower
}

// SimOptions describe a simulated day; zero fields take the defaults.
type SimOptions struct {
	Seed     uint64
	Phones   int           // random phones to generate (visitors and passers-by)
	Duration time.Duration // length of the day
	Scripts  []PhoneScript // scripted phones, added to the generated ones

	Interval         time.Duration // time between a phone's advertisements as heard
	PathLossExponent float64
	NoiseDB          float64 // negative: no noise
	FadeRate         float64 // negative: no fades
	DropRate         float64 // negative: no drops
	RangeM           float64

	// Start is the wall time of offset 0. Zero means Now() for a real-time
	// replay (Speed > 0), or Now() minus Duration when replaying as fast as
	// possible, so that every sighting lies in the past.
	Start time.Time
	// Speed is how many simulated seconds a SimRadio plays per wall second;
	// 0 delivers sightings as fast as they are read.
	Speed float64
	Now   func() time.Time
}

// Sim is a deterministic simulated shop floor: the same options give the
// same phones, paths and sightings.
type Sim struct {
	opts   SimOptions
	phones []PhoneScript
}

// NewSim builds the day: it generates opts.Phones random phones from the
// seed and adds the scripts.
func NewSim(opts SimOptions) (*Sim, error) {
	o := opts
	if o.Duration <= 0 {
		o.Duration = DefaultSimDuration
	}
	if o.Interval <= 0 {
		o.Interval = DefaultSimInterval
	}
	if o.PathLossExponent <= 0 {
		o.PathLossExponent = DefaultPathLossExponent
	}
	o.NoiseDB = orDefault(o.NoiseDB, DefaultSimNoiseDB)
	o.FadeRate = orDefault(o.FadeRate, DefaultSimFadeRate)
	o.DropRate = orDefault(o.DropRate, DefaultSimDropRate)
	if o.RangeM <= 0 {
		o.RangeM = DefaultSimRangeM
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Start.IsZero() {
		o.Start = o.Now()
		if o.Speed <= 0 {
			o.Start = o.Start.Add(-o.Duration)
		}
	}
	switch {
	case o.Phones < 0:
		return nil, errors.New("ble: sim: phones must not be negative")
	case o.Speed < 0:
		return nil, errors.New("ble: sim: speed must not be negative")
	case o.FadeRate > 1 || o.DropRate > 1:
		return nil, errors.New("ble: sim: fade and drop rates must be at most 1")
	}
	s := &Sim{opts: o}
	for i := range o.Phones {
		s.phones = append(s.phones, s.generate(i))
	}
	ids := make(map[string]bool)
	for _, p := range s.phones {
		ids[p.ID] = true
	}
	for _, p := range o.Scripts {
		if p.ID == "" || ids[p.ID] {
			return nil, fmt.Errorf("ble: sim: script id %q is empty or used twice", p.ID)
		}
		if len(p.Path) == 0 || !slices.IsSortedFunc(p.Path, func(a, b Waypoint) int { return cmp.Compare(a.At, b.At) }) {
			return nil, fmt.Errorf("ble: sim: script %q needs waypoints in time order", p.ID)
		}
		ids[p.ID] = true
		s.phones = append(s.phones, p)
	}
	return s, nil
}

// orDefault maps 0 to def and a negative value to "off" (0).
func orDefault(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// Options returns the options with defaults filled in.
func (s *Sim) Options() SimOptions { return s.opts }

// Phones returns every phone's script, generated ones first.
func (s *Sim) Phones() []PhoneScript { return slices.Clone(s.phones) }

// rng returns the random stream for one purpose of one phone: streams do not
// depend on one another, so adding a phone or a beacon changes nothing else.
func (s *Sim) rng(key string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(key))
	return rand.New(rand.NewPCG(s.opts.Seed, h.Sum64()))
}

// generate makes random phone i: 80% come to a spot 0.3-2.5 m from the
// beacon at the origin, linger 20 s-3 min, maybe shake, and leave; the
// others pass by 6-15 m away. Everyone enters and leaves 20-25 m away and
// is gone before the day ends when the day is long enough.
func (s *Sim) generate(i int) PhoneScript {
	r := s.rng(fmt.Sprintf("phone/%d", i))
	p := PhoneScript{ID: fmt.Sprintf("sim%d-phone-%03d", s.opts.Seed, i), MeasuredPower: DefaultMeasuredPower}
	speed := 0.8 + 0.6*r.Float64() // m/s
	at := func(rad, ang float64) Point { return Point{rad * math.Cos(ang), rad * math.Sin(ang)} }
	from := at(20+5*r.Float64(), 2*math.Pi*r.Float64())
	to := at(20+5*r.Float64(), 2*math.Pi*r.Float64())
	walk := func(a, b Point) time.Duration { return time.Duration(a.Dist(b) / speed * float64(time.Second)) }
	if r.Float64() < 0.8 {
		spot := at(0.3+2.2*r.Float64(), 2*math.Pi*r.Float64())
		in, out := walk(from, spot), walk(spot, to)
		linger := 20*time.Second + time.Duration(r.Int64N(int64(160*time.Second)))
		if spare := s.opts.Duration - in - out; linger > spare {
			linger = max(spare, 10*time.Second)
		}
		total := in + linger + out
		start := time.Duration(0)
		if s.opts.Duration > total {
			start = time.Duration(r.Int64N(int64(s.opts.Duration - total)))
		}
		p.Path = []Waypoint{{start, from}, {start + in, spot}, {start + in + linger, spot}, {start + total, to}}
		for n := r.IntN(3); n > 0; n-- {
			p.Shakes = append(p.Shakes, start+in+time.Duration(r.Int64N(int64(linger))))
		}
		slices.Sort(p.Shakes)
		return p
	}
	// A passer-by walks a chord whose closest point is 6-15 m away.
	miss, ang := 6+9*r.Float64(), 2*math.Pi*r.Float64()
	c := at(miss, ang)
	half := math.Sqrt(22*22 - miss*miss)
	dir := Point{-math.Sin(ang), math.Cos(ang)}
	a := Point{c.X - half*dir.X, c.Y - half*dir.Y}
	b := Point{c.X + half*dir.X, c.Y + half*dir.Y}
	total := walk(a, b)
	start := time.Duration(0)
	if s.opts.Duration > total {
		start = time.Duration(r.Int64N(int64(s.opts.Duration - total)))
	}
	p.Path = []Waypoint{{start, a}, {start + total, b}}
	return p
}

// position returns where a phone is at offset t, and false when it is not
// on the floor.
func position(path []Waypoint, t time.Duration) (Point, bool) {
	if len(path) == 0 || t < path[0].At || t > path[len(path)-1].At {
		return Point{}, false
	}
	for i := 1; i < len(path); i++ {
		a, b := path[i-1], path[i]
		if t > b.At {
			continue
		}
		if b.At == a.At {
			return b.Pos, true
		}
		f := float64(t-a.At) / float64(b.At-a.At)
		return Point{a.Pos.X + f*(b.Pos.X-a.Pos.X), a.Pos.Y + f*(b.Pos.Y-a.Pos.Y)}, true
	}
	return path[0].Pos, true
}
