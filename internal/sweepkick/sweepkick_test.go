package sweepkick

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestKicker_Step(t *testing.T) {
	type reading struct {
		at             time.Duration // since the start
		cycles, allocs uint64
		kick           bool
		wait           time.Duration
	}
	const ms = time.Millisecond
	tests := []struct {
		name string
		r    []reading
	}{
		{"no cycle, busy: check every interval", []reading{
			{0, 5, 100, false, ms}, {ms, 5, 200, false, ms}, {2 * ms, 5, 300, false, ms},
		}},
		{"the first reading is no cycle", []reading{
			{0, 5, 100, false, ms},
		}},
		{"a cycle: kick for the window, then stop", []reading{
			{0, 5, 100, false, ms}, {ms, 6, 200, true, ms}, {30 * ms, 6, 300, true, ms},
			{50 * ms, 6, 400, true, ms}, {51 * ms, 6, 500, false, ms},
		}},
		{"a second cycle in the window extends it", []reading{
			{0, 5, 100, false, ms}, {ms, 6, 200, true, ms}, {40 * ms, 7, 300, true, ms},
			{80 * ms, 7, 400, true, ms}, {91 * ms, 7, 500, false, ms},
		}},
		{"allocs still for under a second: not idle", []reading{
			{0, 5, 100, false, ms}, {ms, 5, 100, false, ms}, {999 * ms, 5, 100, false, ms},
		}},
		{"allocs still for a second: idle, busy again on a change", []reading{
			{0, 5, 100, false, ms}, {500 * ms, 5, 100, false, ms}, {1000 * ms, 5, 100, false, 100 * ms},
			{1100 * ms, 5, 101, false, ms},
		}},
		{"a cycle while idle still kicks", []reading{
			{0, 5, 100, false, ms}, {2000 * ms, 6, 100, true, ms}, {2001 * ms, 6, 100, true, ms},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var i, kicks int
			k := &Kicker{Interval: time.Millisecond, Window: 50 * time.Millisecond, Idle: 100 * time.Millisecond,
				read: func() (uint64, uint64) { return tt.r[i].cycles, tt.r[i].allocs },
				kick: func() { kicks++ }}
			start := time.Unix(1_000_000, 0)
			for i = range tt.r {
				before := kicks
				wait := k.step(start.Add(tt.r[i].at))
				if kicked := kicks > before; kicked != tt.r[i].kick {
					t.Errorf("reading %d: kicked %v, want %v", i, kicked, tt.r[i].kick)
				}
				if wait != tt.r[i].wait {
					t.Errorf("reading %d: wait %v, want %v", i, wait, tt.r[i].wait)
				}
			}
		})
	}
}

// The real metrics: a forced collection starts kicks, which end after the
// window.
func TestKicker_Run(t *testing.T) {
	k := New()
	var kicks atomic.Int64
	stw := k.kick
	k.kick = func() { stw(); kicks.Add(1) }
	k.Window = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	time.Sleep(20 * time.Millisecond) // the first step, no cycle yet
	if n := kicks.Load(); n != 0 {
		t.Fatalf("%d kicks before any collection", n)
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for kicks.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if kicks.Load() == 0 {
		t.Fatal("no kick after a collection")
	}
	// At most Window/Interval kicks (plus the one at each end); then none.
	time.Sleep(200 * time.Millisecond)
	after := kicks.Load()
	if after > 25 {
		t.Errorf("%d kicks for a 20 ms window at 1 ms", after)
	}
	time.Sleep(100 * time.Millisecond)
	if n := kicks.Load(); n != after {
		t.Errorf("kicks went on after the window: %d, then %d", after, n)
	}
}
