package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/rotation"
)

// intervalSetter is a radio that can change its advertising interval; the
// ble package's SimRadio and GattRadio are.
type intervalSetter interface {
	SetInterval(ctx context.Context, d time.Duration) error
}

// setInterval hands the config's advertising interval to the radio, when
// it takes one.
func (a *Agent) setInterval(ctx context.Context, cfg *nearby.AgentConfig) error {
	r, ok := a.radio.(intervalSetter)
	if !ok || cfg.IntervalMS <= 0 {
		return nil
	}
	if err := r.SetInterval(ctx, time.Duration(cfg.IntervalMS)*time.Millisecond); err != nil {
		return fmt.Errorf("agent: advertising interval %d ms: %w", cfg.IntervalMS, err)
	}
	return nil
}

// kickRotation tells the rotation loop that the config changed.
func (a *Agent) kickRotation() {
	select {
	case a.rotated <- struct{}{}:
	default:
	}
}

// rotateLoop re-advertises a rotating beacon's identity at the start of
// each window, until ctx is done. A static beacon's loop just waits for a
// config change.
func (a *Agent) rotateLoop(ctx context.Context) {
	for {
		a.mu.Lock()
		cfg, on := a.cfg, a.advertising
		a.mu.Unlock()
		var fire <-chan time.Time
		var at time.Time
		stop := func() bool { return false }
		if on && cfg != nil && cfg.RotationPeriodS > 0 {
			p := cfg.RotationPeriodS
			now := a.now()
			at = rotation.Start(rotation.Window(now, p)+1, p)
			t := time.NewTimer(at.Sub(now))
			fire, stop = t.C, t.Stop
		}
		select {
		case <-ctx.Done():
			stop()
			return
		case <-a.rotated:
		case <-fire:
			a.rotate(ctx, cfg, at)
		}
		stop()
	}
}

// rotate advertises cfg's identity of the window starting at at, unless
// the config changed meanwhile. The window is the one the timer was set
// for, not the clock's, so a timer that fires a hair early still rotates.
func (a *Agent) rotate(ctx context.Context, cfg *nearby.AgentConfig, at time.Time) {
	a.radioMu.Lock()
	defer a.radioMu.Unlock()
	a.mu.Lock()
	current := a.cfg == cfg && a.advertising
	a.mu.Unlock()
	if !current {
		return
	}
	frame, err := beaconFrame(cfg, at)
	if err == nil {
		err = a.radio.Advertise(ctx, frame)
	}
	if err != nil {
		// The next window tries again; the config refresh re-applies it.
		a.log.Warn("rotate identity", "err", err)
		return
	}
	a.log.Debug("rotated identity", "identity", frame.Identity().String(), "window_start", at)
}
