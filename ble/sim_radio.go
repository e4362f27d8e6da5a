package ble

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned by a radio's methods after Close.
var ErrClosed = errors.New("ble: radio closed")

// SimRadio is a radio on the simulated floor: it advertises nothing real and
// hears the sightings of its Sim at its beacon position. Playback starts at
// the first Advertise and goes on, whatever StopAdvertising does (the radio
// keeps scanning), until the day ends (Done) or Close. Sightings are never
// dropped: playback waits for the reader, so a given seed always yields the
// same stream.
type SimRadio struct {
	sim    *Sim
	beacon Point

	ch       chan Sighting
	done     chan struct{} // closed by Close
	finished chan struct{} // closed when playback delivered everything
	wg       sync.WaitGroup

	mu          sync.Mutex
	started     bool
	closed      bool
	advertising *IBeacon
	history     []IBeacon // every identity advertised, in order
	interval    time.Duration
}

// Radio returns a radio at beacon position.
func (s *Sim) Radio(beacon Point) *SimRadio {
	return &SimRadio{sim: s, beacon: beacon, ch: make(chan Sighting),
		done: make(chan struct{}), finished: make(chan struct{})}
}

// Advertise records the identity being advertised and starts playback.
func (r *SimRadio) Advertise(ctx context.Context, b IBeacon) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.advertising = &b
	if n := len(r.history); n == 0 || r.history[n-1] != b {
		r.history = append(r.history, b)
	}
	if !r.started {
		r.started = true
		r.wg.Add(1)
		go r.play()
	}
	return nil
}

// StopAdvertising stops advertising; the radio keeps hearing phones.
func (r *SimRadio) StopAdvertising(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.advertising = nil
	return nil
}

// Advertising returns the identity being advertised, if any.
func (r *SimRadio) Advertising() (IBeacon, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.advertising == nil {
		return IBeacon{}, false
	}
	return *r.advertising, true
}

// Advertised returns every distinct identity advertised so far, in order:
// a rotating beacon's agent hands the radio a new one each window.
func (r *SimRadio) Advertised() []IBeacon {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]IBeacon(nil), r.history...)
}

// SetInterval records the advertising interval the agent asks for.
func (r *SimRadio) SetInterval(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.interval = d
	return nil
}

// Interval returns the advertising interval last set (0: never set).
func (r *SimRadio) Interval() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.interval
}

// Sightings returns the stream of sightings; Close closes it.
func (r *SimRadio) Sightings() <-chan Sighting { return r.ch }

// Done is closed once every sighting of the day has been received: the
// channel is unbuffered, so the last send completes only when it is read.
func (r *SimRadio) Done() <-chan struct{} { return r.finished }

// Close stops playback and closes the Sightings channel.
func (r *SimRadio) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	close(r.done)
	r.mu.Unlock()
	r.wg.Wait()
	close(r.ch)
	return nil
}

func (r *SimRadio) play() {
	defer r.wg.Done()
	o := r.sim.opts
	wallStart := time.Now()
	var timer *time.Timer
	for _, s := range r.sim.Sightings(r.beacon) {
		if o.Speed > 0 {
			due := wallStart.Add(time.Duration(float64(s.At.Sub(o.Start)) / o.Speed))
			if wait := time.Until(due); wait > 0 {
				if timer == nil {
					timer = time.NewTimer(wait)
				} else {
					timer.Reset(wait)
				}
				select {
				case <-timer.C:
				case <-r.done:
					timer.Stop()
					return
				}
			}
		}
		select {
		case r.ch <- s:
		case <-r.done:
			return
		}
	}
	close(r.finished)
}
