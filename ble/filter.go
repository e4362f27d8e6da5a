package ble

import (
	"slices"
	"time"
)

// Filter defaults.
const (
	// DefaultFilterWindow is how long a sample counts. AltBeacon's running
	// average uses 20 s, which lags a walking phone by many metres; 8 s holds
	// about 7 readings of a phone heard once a second, enough for the trimmed
	// mean to drop a fade (5 s flapped three times as often on the
	// simulator's standing-still test).
	DefaultFilterWindow = 8 * time.Second
	// DefaultFilterMaxSamples bounds memory for chatty advertisers.
	DefaultFilterMaxSamples = 64
)

// Filter smooths RSSI with a trimmed mean over a sliding time window, as
// AltBeacon's RunningAverageRssiFilter does: with n > 2 samples it drops the
// n/10+1 lowest and highest before averaging, so a single fade or reflection
// does not move the estimate, and since the window is a duration rather than
// a count, dropped samples only make the average rest on fewer readings.
// The zero value is not ready: use NewFilter. Not safe for concurrent use.
type Filter struct {
	Window     time.Duration
	MaxSamples int

	samples []rssiSample
	scratch []float64
}

type rssiSample struct {
	rssi float64
	at   time.Time
}

// NewFilter returns a Filter with the default window and capacity.
func NewFilter() *Filter {
	return &Filter{Window: DefaultFilterWindow, MaxSamples: DefaultFilterMaxSamples}
}

// Add records a reading taken at at and returns the smoothed RSSI. Readings
// outside -127..-1 dBm (0 and 127 mean "not available") are ignored.
func (f *Filter) Add(rssi int, at time.Time) (float64, bool) {
	if rssi < 0 && rssi >= -127 {
		// Keep time order even if a late report arrives out of order.
		i := len(f.samples)
		for i > 0 && f.samples[i-1].at.After(at) {
			i--
		}
		f.samples = slices.Insert(f.samples, i, rssiSample{rssi: float64(rssi), at: at})
		if max := f.MaxSamples; max > 0 && len(f.samples) > max {
			f.samples = slices.Delete(f.samples, 0, len(f.samples)-max)
		}
	}
	if n := len(f.samples); n > 0 && f.samples[n-1].at.After(at) {
		at = f.samples[n-1].at // the window ends at the newest reading
	}
	f.Expire(at)
	return f.Value()
}

// Expire forgets the samples older than the window before now.
func (f *Filter) Expire(now time.Time) {
	cut := now.Add(-f.Window)
	i := 0
	for i < len(f.samples) && f.samples[i].at.Before(cut) {
		i++
	}
	f.samples = slices.Delete(f.samples, 0, i)
}

// Value returns the trimmed mean of the samples in the window, and false when
// there are none.
func (f *Filter) Value() (float64, bool) {
	n := len(f.samples)
	if n == 0 {
		return 0, false
	}
	f.scratch = f.scratch[:0]
	for _, s := range f.samples {
		f.scratch = append(f.scratch, s.rssi)
	}
	v := f.scratch
	lo, hi := 0, n
	if n > 2 {
		slices.Sort(v)
		k := n/10 + 1
		lo, hi = k, n-k
	}
	sum := 0.0
	for _, x := range v[lo:hi] {
		sum += x
	}
	return sum / float64(hi-lo), true
}

// Len returns the number of samples in the window.
func (f *Filter) Len() int { return len(f.samples) }

// Reset forgets every sample.
func (f *Filter) Reset() { f.samples = f.samples[:0] }
