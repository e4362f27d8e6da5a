package agent_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
)

var errNetwork = errors.New("fake: connection refused")

// spoolWith returns a spool holding n test events and a sender to d.
func spoolWith(t *testing.T, n int, d *fakeDaemon) (*agent.Spool, *agent.Sender) {
	t.Helper()
	sp := MustOpenSpool(t, nil)
	if _, err := sp.Append(testEvents(n, t0)...); err != nil {
		t.Fatal(err)
	}
	s := agent.NewSender(sp, d, nil)
	s.Backoff = agent.Backoff{Base: time.Second, Max: 8 * time.Second, Rand: func() float64 { return 0 }}
	return sp, s
}

func mustStats(t *testing.T, sp *agent.Spool) agent.SpoolStats {
	t.Helper()
	st, err := sp.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSender_Flush(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		d := newFakeDaemon()
		sp, s := spoolWith(t, 250, d)
		if err := s.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got, want := d.calls, []int{100, 100, 50}; !slices.Equal(got, want) {
			t.Errorf("batches: got %v, want %v", got, want)
		}
		if got, want := d.len(), 250; got != want {
			t.Errorf("daemon has %d events, want %d", got, want)
		}
		st := mustStats(t, sp)
		if st.Depth != 0 || st.Accepted != 250 || st.Duplicates != 0 {
			t.Errorf("spool stats: got %+v, want depth 0, accepted 250", st)
		}
	})
	t.Run("DaemonDown", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			d := newFakeDaemon()
			d.Before = func(call int, _ []nearby.Event) error {
				if call < 6 {
					return errNetwork
				}
				return nil
			}
			sp, s := spoolWith(t, 150, d)
			if err := s.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			// Equal jitter with Rand 0 waits half of 1, 2, 4, 8, 8, 8 s.
			var gaps []time.Duration
			for i := 1; i < len(d.callTimes); i++ {
				gaps = append(gaps, d.callTimes[i].Sub(d.callTimes[i-1]))
			}
			want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second, 0}
			if !slices.Equal(gaps, want) {
				t.Errorf("gaps between attempts: got %v, want %v", gaps, want)
			}
			if got, want := d.len(), 150; got != want || mustStats(t, sp).Depth != 0 {
				t.Errorf("daemon has %d events (spool depth %d), want %d and 0", got, mustStats(t, sp).Depth, want)
			}
			if got := s.Stats().Failed; got != 6 {
				t.Errorf("failed attempts: got %d, want 6", got)
			}
		})
	})
	t.Run("AnswerLost", func(t *testing.T) {
		// The daemon commits the first batch but the answer never arrives:
		// the sender re-sends it and the daemon counts duplicates.
		synctest.Test(t, func(t *testing.T) {
			d := newFakeDaemon()
			d.After = func(call int) error {
				if call == 0 {
					return context.DeadlineExceeded
				}
				return nil
			}
			sp, s := spoolWith(t, 120, d)
			if err := s.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got, want := d.len(), 120; got != want {
				t.Errorf("daemon has %d events, want %d", got, want)
			}
			st := mustStats(t, sp)
			if st.Accepted != 20 || st.Duplicates != 100 || st.Depth != 0 {
				t.Errorf("spool stats: got %+v, want accepted 20, duplicates 100, depth 0", st)
			}
		})
	})
	t.Run("RetryAfter", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			d := newFakeDaemon()
			d.Before = func(call int, _ []nearby.Event) error {
				if call == 0 {
					return retryLater(30 * time.Second)
				}
				return nil
			}
			_, s := spoolWith(t, 10, d)
			if err := s.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got, want := d.callTimes[1].Sub(d.callTimes[0]), 30*time.Second; got != want {
				t.Errorf("wait after 429 with Retry-After 30: got %v, want %v", got, want)
			}
		})
	})
	t.Run("RefusedBatch", func(t *testing.T) {
		// One event the daemon refuses with a 400 for the whole batch: the
		// sender narrows it down, drops only that event, keeps the rest.
		d := newFakeDaemon()
		poison := testEvents(100, t0)[37].ID
		d.Before = func(_ int, evs []nearby.Event) error {
			for _, e := range evs {
				if e.ID == poison {
					return httpErr(http.StatusBadRequest)
				}
			}
			return nil
		}
		sp, s := spoolWith(t, 100, d)
		if err := s.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got, want := d.len(), 99; got != want {
			t.Errorf("daemon has %d events, want %d", got, want)
		}
		st := mustStats(t, sp)
		if st.Rejected != 1 || st.Accepted != 99 || st.Depth != 0 {
			t.Errorf("spool stats: got %+v, want rejected 1, accepted 99, depth 0", st)
		}
		if len(d.calls) > 20 {
			t.Errorf("took %d requests to isolate one event: %v", len(d.calls), d.calls)
		}
	})
	t.Run("MalformedRejected", func(t *testing.T) {
		// The daemon answers 2xx and rejects some events by index: they are
		// dropped and counted, never retried.
		d := newFakeDaemon()
		d.Invalid = func(e nearby.Event) bool { return e.Type == nearby.EventExit }
		sp, s := spoolWith(t, 40, d)
		if err := s.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		st := mustStats(t, sp)
		if st.Rejected != 10 || st.Accepted != 30 || st.Depth != 0 || len(d.calls) != 1 {
			t.Errorf("got %+v after %d calls, want rejected 10, accepted 30, depth 0 after 1 call", st, len(d.calls))
		}
	})
	t.Run("ErrAuthKeepsEvents", func(t *testing.T) {
		// A 401 is an operator's problem to fix: events stay spooled.
		synctest.Test(t, func(t *testing.T) {
			d := newFakeDaemon()
			d.Before = func(int, []nearby.Event) error { return httpErr(http.StatusUnauthorized) }
			sp, s := spoolWith(t, 10, d)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			if err := s.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Flush: got %v, want deadline exceeded", err)
			}
			if st := mustStats(t, sp); st.Depth != 10 || st.Rejected != 0 {
				t.Errorf("spool stats: got %+v, want depth 10, nothing rejected", st)
			}
		})
	})
}

func TestSender_Run(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDaemon()
		sp, s := spoolWith(t, 0, d)
		s.IdlePoll = time.Hour
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx); close(done) }()
		synctest.Wait()
		if _, err := sp.Append(testEvents(3, t0)...); err != nil {
			t.Fatal(err)
		}
		s.Notify()
		synctest.Wait()
		if got, want := d.len(), 3; got != want {
			t.Errorf("after Notify: daemon has %d events, want %d without waiting for the idle poll", got, want)
		}
		cancel()
		<-done
	})
}

func TestBackoff_Delay(t *testing.T) {
	b := agent.Backoff{Base: time.Second, Max: time.Minute, MaxRetryAfter: 5 * time.Minute, Rand: func() float64 { return 0.5 }}
	tests := []struct {
		name       string
		n          int
		retryAfter time.Duration
		want       time.Duration
	}{
		{"First", 1, 0, 750 * time.Millisecond},
		{"Third", 3, 0, 3 * time.Second},
		{"Capped", 10, 0, 45 * time.Second},
		{"Huge", 1000, 0, 45 * time.Second},
		{"RetryAfterLonger", 1, 20 * time.Second, 20 * time.Second},
		{"RetryAfterShorter", 6, time.Second, 24 * time.Second},
		{"RetryAfterCapped", 1, time.Hour, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Delay(tt.n, tt.retryAfter); got != tt.want {
				t.Errorf("Delay(%d, %v): got %v, want %v", tt.n, tt.retryAfter, got, tt.want)
			}
		})
	}
	t.Run("Jitter", func(t *testing.T) {
		var zero agent.Backoff
		for n := 1; n < 20; n++ {
			d := zero.Delay(n, 0)
			full := min(agent.DefaultBackoffMax, agent.DefaultBackoffBase<<(n-1))
			if d < full/2 || d > full {
				t.Errorf("Delay(%d): got %v, want within [%v, %v]", n, d, full/2, full)
			}
		}
	})
}
