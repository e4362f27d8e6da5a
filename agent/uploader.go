package agent

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/logattr"
)

// Uploader sends a batch of events to the daemon. A nil error means the
// daemon durably has every event it counted as accepted or duplicate; the
// rest of the batch it rejected as malformed. *client.Client satisfies it.
// Errors may carry HTTPStatus() int and RetryDelay() time.Duration methods.
type Uploader interface {
	PostEvents(ctx context.Context, evs []nearby.Event) (accepted, duplicates int, err error)
}

// DefaultIdlePoll is how often an idle sender looks at the spool without
// being notified: a safety net, since Notify wakes it on every append.
const DefaultIdlePoll = 5 * time.Second

// Sender moves events from the spool to the daemon: read a batch, post it
// with a per-attempt timeout, and on an answer delete exactly that batch.
// On failure it backs off and retries the same events, so a crash between
// the daemon's commit and the delete causes a re-send, which the daemon
// counts as duplicates: at-least-once delivery made exactly-once by ids.
//
// Tunables may be set before Run. Run and Flush must not run at once.
type Sender struct {
	Spool          *Spool
	Up             Uploader
	Logger         *slog.Logger
	BatchSize      int
	AttemptTimeout time.Duration
	Backoff        Backoff
	IdlePoll       time.Duration

	notify   chan struct{}
	batch    int // current batch size: shrinks when the daemon refuses a batch
	failures int // consecutive failed attempts
	since    time.Time
	lastErr  string

	accepted, duplicates, rejected, requests, failed atomic.Int64
}

// SenderStats count what happened in this process's lifetime.
type SenderStats struct {
	Requests, Failed               int64
	Accepted, Duplicates, Rejected int64
}

// NewSender returns a sender with default tunables.
func NewSender(sp *Spool, up Uploader, logger *slog.Logger) *Sender {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		Spool:          sp,
		Up:             up,
		Logger:         logger,
		BatchSize:      DefaultUploadBatchSize,
		AttemptTimeout: DefaultAttemptTimeout,
		IdlePoll:       DefaultIdlePoll,
		notify:         make(chan struct{}, 1),
	}
}

// Notify wakes the sender after an append. It never blocks.
func (s *Sender) Notify() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Stats returns this process's upload counters.
func (s *Sender) Stats() SenderStats {
	return SenderStats{
		Requests: s.requests.Load(), Failed: s.failed.Load(),
		Accepted: s.accepted.Load(), Duplicates: s.duplicates.Load(), Rejected: s.rejected.Load(),
	}
}

// Run uploads until ctx is done and returns nil then.
func (s *Sender) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		empty, err := s.step(ctx)
		switch {
		case err != nil:
			s.wait(ctx, err)
		case empty:
			idle := time.NewTimer(s.idlePoll())
			select {
			case <-s.notify:
			case <-idle.C:
			case <-ctx.Done():
			}
			idle.Stop()
		}
	}
	return nil
}

// Flush uploads until the spool is empty (nil) or ctx is done (its error).
// The agent calls it on shutdown to drain what it can.
func (s *Sender) Flush(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		empty, err := s.step(ctx)
		if err != nil {
			s.wait(ctx, err)
			continue
		}
		if empty {
			return nil
		}
	}
}

func (s *Sender) idlePoll() time.Duration {
	if s.IdlePoll > 0 {
		return s.IdlePoll
	}
	return DefaultIdlePoll
}

// step sends one batch. A non-nil error means "back off, then retry".
func (s *Sender) step(ctx context.Context) (empty bool, err error) {
	max := s.BatchSize
	if max <= 0 {
		max = DefaultUploadBatchSize
	}
	if s.batch <= 0 || s.batch > max {
		s.batch = max
	}
	recs, err := s.Spool.Peek(s.batch)
	if err != nil {
		return false, err
	}
	if len(recs) == 0 {
		return true, nil
	}
	seqs := make([]uint64, 0, len(recs))
	evs := make([]nearby.Event, 0, len(recs))
	undecodable := 0
	for _, r := range recs {
		seqs = append(seqs, r.Seq)
		if r.Err != nil {
			// Only a damaged file gets here; keeping the record would
			// block the spool for ever.
			s.Logger.Error("dropping undecodable spooled event", "seq", r.Seq, "err", r.Err)
			undecodable++
			continue
		}
		evs = append(evs, r.Event)
	}
	if len(evs) == 0 {
		_, err := s.Spool.Ack(seqs, 0, 0, undecodable)
		s.rejected.Add(int64(undecodable))
		return false, err
	}

	// An attempt under way is not cancelled with ctx: cut short, the
	// daemon may commit a batch whose answer is lost, and the next run
	// re-sends it. It is bounded by the attempt timeout instead.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.attemptTimeout())
	s.requests.Add(1)
	acc, dup, err := s.Up.PostEvents(actx, evs)
	cancel()
	if err != nil {
		return false, s.refusedBatch(seqs, evs, undecodable, err)
	}
	rej := len(evs) - acc - dup
	if rej < 0 {
		rej = 0
	}
	if _, err := s.Spool.Ack(seqs, acc, dup, rej+undecodable); err != nil {
		// The daemon has them; the re-send after this will be duplicates.
		return false, err
	}
	s.accepted.Add(int64(acc))
	s.duplicates.Add(int64(dup))
	s.rejected.Add(int64(rej + undecodable))
	if rej > 0 {
		s.Logger.Warn("daemon rejected malformed events; dropped them", "rejected", rej, "batch", len(evs))
	}
	if s.failures > 0 {
		s.Logger.Info("upload recovered", "failed_attempts", s.failures, logattr.Seconds("down_for_s", time.Since(s.since)))
		s.failures, s.lastErr = 0, ""
	}
	if s.batch < max {
		s.batch = min(max, s.batch*2)
	}
	return false, nil
}

// refusedBatch handles a failed post. When the daemon refused the batch
// itself, resending it can never succeed: halve the batch to isolate the bad
// event, and drop a refused single event (counted as rejected). Any other
// error is returned for a backoff.
func (s *Sender) refusedBatch(seqs []uint64, evs []nearby.Event, undecodable int, err error) error {
	if !refused(httpStatus(err)) {
		return err
	}
	if len(evs) > 1 {
		s.batch = len(seqs) / 2
		s.Logger.Warn("daemon refused a batch; retrying in halves", "batch", len(evs), "err", err)
		return nil
	}
	if _, aerr := s.Spool.Ack(seqs, 0, 0, 1+undecodable); aerr != nil {
		return aerr
	}
	s.rejected.Add(int64(1 + undecodable))
	s.Logger.Warn("daemon refused an event; dropped it", "id", evs[0].ID, "type", evs[0].Type, "err", err)
	return nil
}

func (s *Sender) attemptTimeout() time.Duration {
	if s.AttemptTimeout > 0 {
		return s.AttemptTimeout
	}
	return DefaultAttemptTimeout
}

// wait backs off after a failure, logging each distinct error once.
func (s *Sender) wait(ctx context.Context, err error) {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return
	}
	s.failed.Add(1)
	s.failures++
	if s.failures == 1 {
		s.since = time.Now()
	}
	d := s.Backoff.Delay(s.failures, retryAfter(err))
	if class := errorClass(err); class != s.lastErr {
		s.lastErr = class
		s.Logger.Warn("upload failed; will retry", "err", err, "attempt", s.failures, logattr.Seconds("retry_in_s", d))
	} else {
		s.Logger.Debug("upload failed again", "attempt", s.failures, logattr.Seconds("retry_in_s", d))
	}
	sleep(ctx, d)
}
