package ble

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// Sightings returns, in time order (ties by device id, readings before
// shakes), everything a radio at beacon hears during the day: each phone
// within range every Interval (with a little jitter) unless the reading is
// dropped, its RSSI from the log-distance model plus Gaussian noise and
// occasional fades, and a shake sighting (RSSI 0) at each of its shakes
// while it is within range. The result is the same for the same options.
func (s *Sim) Sightings(beacon Point) []Sighting {
	o := s.opts
	model := LogDistance{Exponent: o.PathLossExponent}
	var out []Sighting
	for _, p := range s.phones {
		r := s.rng(fmt.Sprintf("air/%s/%g/%g", p.ID, beacon.X, beacon.Y))
		mp := float64(p.MeasuredPower)
		if mp == 0 {
			mp = DefaultMeasuredPower
		}
		first, last := p.Path[0].At, p.Path[len(p.Path)-1].At
		// Each phone starts at a random phase of its advertising interval.
		for t := first + time.Duration(r.Int64N(int64(o.Interval))); t <= last && t <= o.Duration; {
			pos, _ := position(p.Path, t)
			d := pos.Dist(beacon)
			noise := r.NormFloat64() * o.NoiseDB
			fade := 0.0
			if r.Float64() < o.FadeRate {
				fade = 6 + 12*r.Float64()
			}
			dropped := r.Float64() < o.DropRate
			if d <= o.RangeM && !dropped {
				rssi := int(math.Round(model.RSSIAt(d, mp) + noise - fade))
				out = append(out, Sighting{DeviceID: p.ID, RSSI: min(max(rssi, -127), -1), At: o.Start.Add(t)})
			}
			// ±10% jitter, as advertising intervals carry a random delay.
			t += o.Interval*9/10 + time.Duration(r.Int64N(int64(o.Interval/5)+1))
		}
		for _, t := range p.Shakes {
			if pos, ok := position(p.Path, t); ok && pos.Dist(beacon) <= o.RangeM && t <= o.Duration {
				out = append(out, Sighting{DeviceID: p.ID, At: o.Start.Add(t), Shake: true})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Sighting) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if c := cmp.Compare(a.DeviceID, b.DeviceID); c != 0 {
			return c
		}
		return cmp.Compare(btoi(a.Shake), btoi(b.Shake))
	})
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SimSummary is the ground truth of a day at one beacon.
type SimSummary struct {
	Phones    int // phones on the floor
	Heard     int // phones heard at least once
	Visitors  int // phones whose path came within NearMaxM (3 m) of the beacon
	Sightings int // RSSI readings delivered
	Shakes    int // shake sightings delivered
}

// Summary counts what Sightings(beacon) delivers and who truly visited.
func (s *Sim) Summary(beacon Point) SimSummary {
	sum := SimSummary{Phones: len(s.phones)}
	heard := make(map[string]bool)
	for _, x := range s.Sightings(beacon) {
		heard[x.DeviceID] = true
		if x.Shake {
			sum.Shakes++
		} else {
			sum.Sightings++
		}
	}
	sum.Heard = len(heard)
	for _, p := range s.phones {
		if closest(p.Path, beacon) <= NearMaxM {
			sum.Visitors++
		}
	}
	return sum
}

// closest returns the smallest distance between a path and a point.
func closest(path []Waypoint, q Point) float64 {
	best := path[0].Pos.Dist(q)
	for i := 1; i < len(path); i++ {
		a, b := path[i-1].Pos, path[i].Pos
		dx, dy := b.X-a.X, b.Y-a.Y
		f := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			f = min(max(((q.X-a.X)*dx+(q.Y-a.Y)*dy)/l, 0), 1)
		}
		best = min(best, Point{a.X + f*dx, a.Y + f*dy}.Dist(q))
	}
	return best
}
