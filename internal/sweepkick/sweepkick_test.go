package sweepkick

import (
	"context"
	"net"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestKicker_Step(t *testing.T) {
	type reading struct {
		at     time.Duration // since the start
		allocs uint64
		wait   time.Duration
	}
	const ms = time.Millisecond
	tests := []struct {
		name string
		r    []reading
	}{
		{"busy: every interval", []reading{
			{0, 100, ms}, {ms, 200, ms}, {2 * ms, 300, ms},
		}},
		{"still for under a second: not idle", []reading{
			{0, 100, ms}, {ms, 100, ms}, {999 * ms, 100, ms},
		}},
		{"still for a second: idle, busy again on a change", []reading{
			{0, 100, ms}, {500 * ms, 100, ms}, {1000 * ms, 100, 100 * ms},
			{1100 * ms, 100, 100 * ms}, {1200 * ms, 101, ms}, {1201 * ms, 101, ms},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var i, kicks int
			k := &Kicker{Interval: ms, Idle: 100 * ms,
				allocs: func() uint64 { return tt.r[i].allocs },
				kick:   func() { kicks++ }}
			start := time.Unix(1_000_000, 0)
			for i = range tt.r {
				if wait := k.step(start.Add(tt.r[i].at)); wait != tt.r[i].wait {
					t.Errorf("reading %d: wait %v, want %v", i, wait, tt.r[i].wait)
				}
				if kicks != i+1 {
					t.Errorf("reading %d: %d kicks, want one a step", i, kicks)
				}
			}
		})
	}
}

// The effect itself, on one P: a goroutine that yields in a loop (as the
// background sweeper does) keeps the scheduler from polling the network;
// with a Kicker a connection's message is read within milliseconds.
func TestKicker_PollsTheNetworkPastAYieldingLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ~2 s")
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	median := func(kick bool) time.Duration {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if kick {
			go New().Run(ctx)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		// Written by another thread's syscall while this P is busy.
		go func() {
			for ctx.Err() == nil {
				runtime.Gosched()
			}
		}()
		var waits []time.Duration
		buf := make([]byte, 1)
		for range 41 {
			sent := make(chan time.Time, 1)
			go func() { sent <- time.Now(); c.Write([]byte{1}) }()
			if _, err := s.Read(buf); err != nil {
				t.Fatal(err)
			}
			waits = append(waits, time.Since(<-sent))
			time.Sleep(time.Millisecond)
		}
		slices.Sort(waits)
		return waits[len(waits)/2]
	}
	without, with := median(false), median(true)
	t.Logf("median wait for a message, of 41: %v without a kicker, %v with", without, with)
	if with >= without {
		t.Errorf("the kicker did not shorten the wait: %v with, %v without", with, without)
	}
}
