// Package sweepkick keeps a server on one P answering while the runtime
// sweeps after a collection.
//
// With GOMAXPROCS 1 the background sweeper yields in a loop (runtime.Gosched
// every few spans), so the run queue is never empty and the scheduler never
// polls the network: connections whose requests have arrived wait until
// sysmon polls, up to 10 ms later (golang/go#56060). A stop-the-world polls
// the network when the world restarts, so for a short window after each
// completed cycle a Kicker stops the world (runtime.ReadMemStats, a few
// microseconds on one P) once per interval. Between windows it only reads
// two runtime metrics.
package sweepkick

import (
	"context"
	"runtime"
	"runtime/metrics"
	"time"
)

// Kicker watches for completed collections and, for Window after each,
// polls the network every Interval.
type Kicker struct {
	Interval time.Duration // check and kick period while busy
	Window   time.Duration // how long after a completed cycle to kick
	Idle     time.Duration // check period while nothing is allocated

	read func() (cycles, allocs uint64)
	kick func()

	cycles, allocs uint64
	until          time.Time // kick until then
	allocated      time.Time // when allocs last moved
	started        bool
}

// New returns a Kicker with the periods measured for discoveryd: the
// sweep after a cycle at 1M stores lasts ~20 ms; a 1 ms interval bounds
// the wait of a ready connection to about that.
func New() *Kicker {
	var ms runtime.MemStats
	samples := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/allocs:bytes"}}
	return &Kicker{
		Interval: time.Millisecond, Window: 50 * time.Millisecond, Idle: 100 * time.Millisecond,
		read: func() (uint64, uint64) {
			metrics.Read(samples)
			return samples[0].Value.Uint64(), samples[1].Value.Uint64()
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

// step reads the metrics at now, kicks if a cycle completed within the
// window, and says how long to wait for the next step. A process that
// allocated nothing for a second starts no collection soon, so it is
// checked at the idle period. (The allocation count moves in steps, as
// each P's cache is refilled: a millisecond without a change is not idle.)
func (k *Kicker) step(now time.Time) time.Duration {
	cycles, allocs := k.read()
	if !k.started || allocs != k.allocs {
		k.allocated = now
	}
	if k.started && cycles != k.cycles {
		k.until = now.Add(k.Window)
	}
	k.cycles, k.allocs, k.started = cycles, allocs, true
	if now.Before(k.until) {
		k.kick()
		return k.Interval
	}
	if now.Sub(k.allocated) >= idleAfter {
		return k.Idle
	}
	return k.Interval
}

// idleAfter is how long without an allocation makes a process idle.
const idleAfter = time.Second
