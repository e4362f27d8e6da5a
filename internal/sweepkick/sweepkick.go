// Package sweepkick keeps a server on one P answering while the runtime
// sweeps after a collection.
//
// With GOMAXPROCS 1 the background sweeper yields in a loop (runtime.Gosched
// every few spans), so the run queue is never empty and the scheduler never
// polls the network: connections whose requests have arrived wait until
// sysmon polls, up to 10 ms later (golang/go#56060). A stop-the-world polls
// the network when the world restarts, so a Kicker stops the world
// (runtime.ReadMemStats: about a microsecond on one P) once per interval.
//
// It kicks all the time, not only after a cycle: the sweep runs only when
// nothing else is runnable, so on a busy server it stretches over tens of
// milliseconds or more, and no public signal says when it ends. A process
// that allocated nothing for a second is checked at a slower period.
package sweepkick

import (
	"context"
	"runtime"
	"runtime/metrics"
	"time"
)

// Kicker polls the network every Interval while the process allocates.
type Kicker struct {
	Interval time.Duration // kick period while busy
	Idle     time.Duration // kick period after a second without an allocation

	allocs func() uint64 // bytes allocated so far
	kick   func()

	last      uint64    // allocs at the last step
	allocated time.Time // when allocs last moved
}

// New returns a Kicker with a 1 ms interval: a ready connection waits at
// most about that for the poll (against up to 10 ms), for about a
// microsecond of stop-the-world per kick.
func New() *Kicker {
	var ms runtime.MemStats
	samples := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	return &Kicker{
		Interval: time.Millisecond, Idle: 100 * time.Millisecond,
		allocs: func() uint64 {
			metrics.Read(samples)
			return samples[0].Value.Uint64()
		},
		kick: func() { runtime.ReadMemStats(&ms) },
	}
}

// Run kicks until ctx is done.
func (k *Kicker) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			t.Reset(k.step(now))
		}
	}
}

// step kicks and says how long to wait for the next step. (The allocation
// count moves in steps, as each P's cache is refilled: a millisecond
// without a change is not idle.)
func (k *Kicker) step(now time.Time) time.Duration {
	if a := k.allocs(); a != k.last || k.allocated.IsZero() {
		k.last, k.allocated = a, now
	}
	k.kick()
	if now.Sub(k.allocated) >= idleAfter {
		return k.Idle
	}
	return k.Interval
}

// idleAfter is how long without an allocation makes a process idle.
const idleAfter = time.Second
