package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
)

// MustOpenSpool opens a spool in a temporary directory and checks at
// cleanup that its depth counter matches the events it holds.
func MustOpenSpool(tb testing.TB, opts *agent.SpoolOptions) *agent.Spool {
	tb.Helper()
	sp, err := agent.OpenSpool(filepath.Join(tb.TempDir(), "spool.db"), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		st, err := sp.Stats()
		if err != nil {
			tb.Errorf("spool stats: %v", err)
		} else if recs, err := sp.Peek(int(st.Depth) + 1); err != nil || int64(len(recs)) != st.Depth {
			tb.Errorf("spool invariant: depth counter %d, events held %d (err %v)", st.Depth, len(recs), err)
		}
		if err := sp.Close(); err != nil {
			tb.Error(err)
		}
	})
	return sp
}

// statusError is an HTTP answer as *client.Error presents it to the agent.
type statusError struct {
	status int
	after  time.Duration
}

func (e *statusError) Error() string             { return fmt.Sprintf("fake: status %d", e.status) }
func (e *statusError) HTTPStatus() int           { return e.status }
func (e *statusError) RetryDelay() time.Duration { return e.after }
func httpErr(status int) error                   { return &statusError{status: status} }
func retryLater(after time.Duration) error {
	return &statusError{status: http.StatusTooManyRequests, after: after}
}

// fakeDaemon records events by id like the real daemon: a re-sent event is
// a duplicate, an invalid one rejected. Hooks decide the fate of a request.
type fakeDaemon struct {
	mu        sync.Mutex
	events    map[string]nearby.Event
	calls     []int // batch sizes, in order
	callTimes []time.Time
	beats     []nearby.Heartbeat
	cfg       *nearby.AgentConfig
	cfgErr    error

	// Before, when set, may fail a request before it is processed.
	Before func(call int, evs []nearby.Event) error
	// After, when set, may fail a request after it was committed: the
	// answer is lost on the way back, as when the network drops.
	After func(call int) error
	// Invalid, when set, reports events the daemon rejects.
	Invalid func(e nearby.Event) bool
}

func newFakeDaemon() *fakeDaemon { return &fakeDaemon{events: make(map[string]nearby.Event)} }

func (f *fakeDaemon) PostEvents(ctx context.Context, evs []nearby.Event) (accepted, duplicates int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := len(f.calls)
	f.calls = append(f.calls, len(evs))
	f.callTimes = append(f.callTimes, time.Now())
	if f.Before != nil {
		if err := f.Before(call, evs); err != nil {
			return 0, 0, err
		}
	}
	for _, e := range evs {
		if f.Invalid != nil && f.Invalid(e) {
			continue
		}
		if _, ok := f.events[e.ID]; ok {
			duplicates++
			continue
		}
		f.events[e.ID] = e
		accepted++
	}
	if f.After != nil {
		if err := f.After(call); err != nil {
			return 0, 0, err
		}
	}
	return accepted, duplicates, nil
}

func (f *fakeDaemon) AgentConfig(ctx context.Context) (*nearby.AgentConfig, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cfgErr != nil {
		return nil, f.cfgErr
	}
	if f.cfg == nil {
		return nil, httpErr(http.StatusNotFound)
	}
	c := *f.cfg
	return &c, nil
}

func (f *fakeDaemon) Heartbeat(ctx context.Context, h *nearby.Heartbeat) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.beats = append(f.beats, *h)
	return nil
}

func (f *fakeDaemon) setConfig(c *nearby.AgentConfig, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg, f.cfgErr = c, err
}

// counts returns the recorded events by type.
func (f *fakeDaemon) counts() map[nearby.EventType]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := make(map[nearby.EventType]int64)
	for _, e := range f.events {
		m[e.Type]++
	}
	return m
}

func (f *fakeDaemon) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

func (f *fakeDaemon) heartbeats() []nearby.Heartbeat {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]nearby.Heartbeat(nil), f.beats...)
}

var (
	_ agent.Server = (*fakeDaemon)(nil)
)

// testEvents returns n valid events of rotating types, one second apart.
func testEvents(n int, start time.Time) []nearby.Event {
	evs := make([]nearby.Event, n)
	for i := range evs {
		typ := nearby.EventTypes[i%len(nearby.EventTypes)]
		evs[i] = nearby.Event{ID: fmt.Sprintf("00000000-0000-4000-8000-%012x", i+1), Type: typ,
			At: start.Add(time.Duration(i) * time.Second).UTC(), DeviceID: fmt.Sprintf("phone-%d", i%7)}
		if typ == nearby.EventDwell {
			ms := int64(1000 * i)
			evs[i].DwellMS = &ms
		}
	}
	return evs
}
