package httpconn

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newTestTurns is turns with GOMAXPROCS n() and a clock that stands still.
func newTestTurns(n func() int) *turns {
	return &turns{procs: n, elapsed: func() time.Duration { return 0 }}
}

func oneProc() int { return 1 }

// queueTurn starts a connection, last served at last, that waits for its
// turn, calls served and ends the turn; it returns once that connection is
// queued.
func queueTurn(t *testing.T, ts *turns, wg *sync.WaitGroup, last uint64, served func()) {
	t.Helper()
	tu := newTurn()
	tu.last = last
	wg.Go(func() {
		ts.take(&tu)
		served()
		ts.done(&tu)
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		ts.mu.Lock()
		queued := slices.Contains(ts.queue, &tu)
		ts.mu.Unlock()
		if queued {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection last served at %d not queued after 10 s", last)
		}
	}
}

// TestTurns_LeastRecentlyServedFirst: while a turn is taken, the waiting
// connections go next in the order they were last served.
func TestTurns_LeastRecentlyServedFirst(t *testing.T) {
	ts := newTestTurns(oneProc)
	holder := newTurn()
	if !ts.take(&holder) {
		t.Fatal("take with one processor: no turn")
	}
	var mu sync.Mutex
	var order []uint64
	var wg sync.WaitGroup
	for _, last := range []uint64{5, 3, 9, 1} {
		queueTurn(t, ts, &wg, last, func() {
			mu.Lock()
			order = append(order, last)
			mu.Unlock()
		})
	}
	ts.done(&holder)
	wg.Wait()
	if want := []uint64{1, 3, 5, 9}; !slices.Equal(order, want) {
		t.Errorf("served in order %v, want %v", order, want)
	}
	if holder.last == 0 || ts.busy || ts.queue.Len() != 0 {
		t.Errorf("after all turns: holder.last %d, busy %v, %d queued", holder.last, ts.busy, ts.queue.Len())
	}
}

// TestTurns_OneAtATime: many connections taking turns concurrently never
// overlap, and every one of them is served.
func TestTurns_OneAtATime(t *testing.T) {
	ts := newTestTurns(oneProc)
	const conns, rounds = 32, 200
	var inside, overlaps, served atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			tu := newTurn()
			for range rounds {
				if !ts.take(&tu) {
					t.Error("no turn")
					return
				}
				if inside.Add(1) != 1 {
					overlaps.Add(1)
				}
				served.Add(1)
				inside.Add(-1)
				ts.done(&tu)
			}
		})
	}
	wg.Wait()
	if overlaps.Load() != 0 || served.Load() != conns*rounds {
		t.Errorf("%d turns overlapped another, %d served: want 0 and %d", overlaps.Load(), served.Load(), conns*rounds)
	}
}

// TestTurns_StepAsideWithProcessors: with more than one processor the
// runtime spreads readable connections itself; take does nothing.
func TestTurns_StepAsideWithProcessors(t *testing.T) {
	ts := newTestTurns(func() int { return 4 })
	tu := newTurn()
	if ts.take(&tu) {
		t.Error("took a turn with 4 processors")
	}
	if ts.busy || ts.queue.Len() != 0 {
		t.Error("state changed with 4 processors")
	}
}

// TestTurns_ReadsProcessorsAgain: GOMAXPROCS is cached for a second, then
// read again (the runtime changes it when the CPU limit changes).
func TestTurns_ReadsProcessorsAgain(t *testing.T) {
	n := 4
	var clock time.Duration
	ts := &turns{procs: func() int { return n }, elapsed: func() time.Duration { return clock }}
	tu := newTurn()
	if ts.take(&tu) {
		t.Fatal("took a turn with 4 processors")
	}
	n = 1
	if ts.take(&tu) {
		t.Fatal("read GOMAXPROCS again within the second")
	}
	clock = 999 * time.Millisecond
	if ts.take(&tu) {
		t.Fatal("read GOMAXPROCS again within the second")
	}
	clock = time.Second
	if !ts.take(&tu) {
		t.Fatal("GOMAXPROCS 1 a second later: no turn")
	}
	ts.done(&tu)
}

// TestTurns_NewConnectionQueuesAsJustServed: a connection never served
// waits behind those served before the current turn, not ahead of them.
func TestTurns_NewConnectionQueuesAsJustServed(t *testing.T) {
	ts := newTestTurns(oneProc)
	ts.served = 10
	holder := newTurn()
	ts.take(&holder)
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	start := func(name string, last uint64) {
		queueTurn(t, ts, &wg, last, func() {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		})
	}
	start("new", 0)
	start("old", 3)
	start("recent", 12)
	ts.done(&holder)
	wg.Wait()
	if want := []string{"old", "new", "recent"}; !slices.Equal(order, want) {
		t.Errorf("served in order %v, want %v", order, want)
	}
}
