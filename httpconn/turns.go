package httpconn

import (
	"container/heap"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// turns is the order of a listener's connections for the CPU-bound part
// of their requests (see Turns in the package doc): on one processor, the
// least recently served connection waiting goes first.
type turns struct {
	procs   func() int           // runtime.GOMAXPROCS(0); a test's stand-in
	elapsed func() time.Duration // monotonic time since the start; a test's stand-in
	// GOMAXPROCS, read again at most once a second: the runtime may change
	// it (a new CPU limit), and reading it takes the scheduler's lock.
	nprocs  atomic.Int32
	checkAt atomic.Int64 // elapsed() of the next read

	mu     sync.Mutex
	queue  turnQueue
	busy   bool
	served uint64 // counter of finished turns, the order of turn.last
}

// turn is a connection's place in turns.
type turn struct {
	last  uint64        // when the connection was last served (turns.served)
	ready chan struct{} // one token: go
}

func newTurn() turn { return turn{ready: make(chan struct{}, 1)} }

func newTurns() *turns {
	start := time.Now()
	return &turns{
		procs:   func() int { return runtime.GOMAXPROCS(0) },
		elapsed: func() time.Duration { return time.Since(start) },
	}
}

// TakeTurn waits, on one processor, until the connection's turn comes and
// reports whether it took one; if so, the caller must call EndTurn when its
// CPU-bound work is over, and write its answer after that. With more than
// one processor, or c nil, it returns false at once.
func (c *Conn) TakeTurn() bool { return c != nil && c.turns.take(&c.turn) }

// EndTurn ends a turn TakeTurn took and starts the next connection's.
func (c *Conn) EndTurn() { c.turns.done(&c.turn) }

// take waits for t's turn and reports whether it took one; if so, the
// caller must call done when its CPU-bound work is over.
func (ts *turns) take(t *turn) bool {
	if now := int64(ts.elapsed()); now >= ts.checkAt.Load() {
		ts.nprocs.Store(int32(ts.procs())) // first: a query must not see a new time with no count
		ts.checkAt.Store(now + int64(time.Second))
	}
	if ts.nprocs.Load() > 1 {
		return false
	}
	ts.mu.Lock()
	if t.last == 0 {
		// A new connection queues as if just served: a stream of new
		// connections must not keep the established ones waiting.
		t.last = ts.served
	}
	heap.Push(&ts.queue, t)
	ts.mu.Unlock()
	// Yield once, so that the other goroutines made runnable by the same
	// poll usually reach this queue before any of them is chosen: the
	// scheduler runs its local queue, where the poller put them, before
	// its global one, where a yielded goroutine goes (except on every 61st
	// round). Correctness does not depend on it; only the order does.
	runtime.Gosched()
	ts.mu.Lock()
	if !ts.busy {
		ts.busy = ts.next()
	}
	ts.mu.Unlock()
	<-t.ready
	return true
}

// done ends t's turn and starts the next one, if any.
func (ts *turns) done(t *turn) {
	ts.mu.Lock()
	ts.served++
	t.last = ts.served
	ts.busy = ts.next()
	ts.mu.Unlock()
}

// next gives the turn to the least recently served connection waiting and
// reports whether there was one. The caller holds ts.mu.
func (ts *turns) next() bool {
	if ts.queue.Len() == 0 {
		return false
	}
	heap.Pop(&ts.queue).(*turn).ready <- struct{}{}
	return true
}

// turnQueue is a min-heap of turns by last service.
type turnQueue []*turn

func (q turnQueue) Len() int           { return len(q) }
func (q turnQueue) Less(i, j int) bool { return q[i].last < q[j].last }
func (q turnQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *turnQueue) Push(x any)        { *q = append(*q, x.(*turn)) }
func (q *turnQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return t
}
