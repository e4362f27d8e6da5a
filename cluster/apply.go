package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/store"
)

// run is the apply loop: an ordered consumer from the entry after the
// applied one, each entry applied in stream order. When the consumer
// breaks (leader change, lost quorum, a failed apply) it is recreated
// from the applied sequence, so an entry is applied once and none is
// skipped.
func (n *Node) run(ctx context.Context) {
	defer close(n.done)
	log := n.cfg.Logger
	n.checkCaughtUp()
	var lastErr string // a consumer that cannot be created (no quorum) is logged once per error
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff(attempt)):
			}
		}
		from := n.Applied() + 1
		// Bounded: a JetStream API request sent while the stream's or the
		// cluster's leader moves may never be answered, and would hold the
		// apply loop for ever (seen at a 3-process start-up).
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		cons, err := n.js.OrderedConsumer(cctx, n.cfg.Stream, jetstream.OrderedConsumerConfig{
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from,
		})
		cancel()
		if err != nil {
			if err.Error() != lastErr {
				log.Warn("apply: consumer", slog.Uint64("from", from), slog.Any("err", err))
				lastErr = err.Error()
			}
			continue
		}
		lastErr = ""
		// Short pull expiry and heartbeat: a consumer whose stream leader
		// moved notices within seconds (the defaults, 30 s and 15 s, stall
		// the apply loop that long after a failover) and is recreated.
		it, err := cons.Messages(jetstream.PullExpiry(3*time.Second), jetstream.PullHeartbeat(time.Second))
		if err != nil {
			log.Warn("apply: messages", slog.Any("err", err))
			continue
		}
		stop := context.AfterFunc(ctx, it.Stop)
		wctx, wcancel := context.WithCancel(ctx)
		go n.watchdog(wctx, it)
		for {
			msg, err := it.Next()
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("apply: consumer stopped", slog.Any("err", err))
				}
				break
			}
			if err := n.handle(ctx, msg); err != nil {
				if ctx.Err() == nil {
					log.Error("apply failed; retrying from the applied sequence", slog.Any("err", err))
				}
				break
			}
			attempt = 0
		}
		wcancel()
		stop()
		it.Stop()
	}
}

// stallAfter is how long the apply loop may see no entry while the stream
// has entries it has not applied before the watchdog restarts its
// consumer.
const stallAfter = 3 * time.Second

// watchdog stops the consumer's iterator (so that run recreates the
// consumer from the applied sequence) when the apply loop is stalled: the
// stream holds entries past the applied one, yet none arrived for
// stallAfter. A consumer can stop delivering without missing a heartbeat,
// e.g. when its replica of the stream rejoined after the log was trimmed.
func (n *Node) watchdog(ctx context.Context, it jetstream.MessagesContext) {
	t := time.NewTicker(stallAfter)
	defer t.Stop()
	last := n.Applied()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		applied := n.Applied()
		if applied != last {
			last = applied
			continue
		}
		ictx, cancel := context.WithTimeout(ctx, time.Second)
		st, err := n.js.Stream(ictx, n.cfg.Stream)
		var info *jetstream.StreamInfo
		if err == nil {
			info, err = st.Info(ictx)
		}
		cancel()
		if err == nil && info.State.LastSeq > applied {
			n.cfg.Logger.Warn("apply loop stalled; restarting its consumer",
				slog.Uint64("applied_seq", applied), slog.Uint64("stream_last_seq", info.State.LastSeq))
			it.Stop()
			return
		}
	}
}

// handle applies one entry, unless it is at or before the applied
// sequence (a replay after a consumer reset).
func (n *Node) handle(ctx context.Context, msg jetstream.Msg) error {
	meta, err := msg.Metadata()
	if err != nil {
		return fmt.Errorf("cluster: entry metadata: %w", err)
	}
	seq := meta.Sequence.Stream
	if applied := n.Applied(); seq <= applied {
		return nil
	} else if seq != applied+1 {
		// The log was trimmed past this node while it was behind: applying
		// on would fork its state. A restart restores the snapshot.
		n.cfg.Logger.Error("the log was trimmed past this node's applied sequence; restart it to restore the snapshot",
			slog.Uint64("applied_seq", applied), slog.Uint64("next_seq", seq))
		return fmt.Errorf("cluster: gap in the log: entry %d after %d", seq, applied)
	}
	var res result
	switch msg.Subject() {
	case subjectInit:
		u, err := nearby.ParseUUID(string(msg.Data()))
		if err != nil {
			return fmt.Errorf("cluster: init entry %d: %w", seq, err)
		}
		if err := n.reg.SetProximityUUID(store.WithApplied(ctx, store.Applied{Seq: seq}), u); err != nil {
			return err
		}
	case subjectCmd:
		var cmd discovery.Command
		if err := json.Unmarshal(msg.Data(), &cmd); err != nil {
			// Not a command this build can read: skipping it would fork
			// the replicas' state, so stop here and say why.
			return fmt.Errorf("cluster: entry %d: %w", seq, err)
		}
		for i := range cmd.Events {
			cmd.Events[i].BeaconID = cmd.ID // not in the JSON
		}
		start := time.Now()
		res.out, res.err = n.apply(store.WithApplied(ctx, store.Applied{Seq: seq, At: cmd.At}), &cmd)
		n.stats.applyDone(time.Since(start))
		if res.err != nil && !decided(res.err) {
			return fmt.Errorf("cluster: apply entry %d (%s): %w", seq, cmd.Op, res.err)
		}
	}
	// A command that failed (or wrote nothing) committed no sequence of
	// its own: record it now. Its failure is decided by the state, so if
	// this is lost in a crash the replay fails it again, the same way.
	if cur, err := n.reg.AppliedSeq(ctx); err != nil {
		return err
	} else if cur < seq {
		if err := n.reg.SetAppliedSeq(ctx, seq); err != nil {
			return err
		}
	}
	if id := msg.Headers().Get(headerOrigin); id != "" {
		n.mu.Lock()
		w := n.waiters[id]
		delete(n.waiters, id)
		n.mu.Unlock()
		if w != nil {
			w <- res
		}
	}
	n.mu.Lock()
	n.applied, n.lastTime = seq, meta.Timestamp
	close(n.advanced)
	n.advanced = make(chan struct{})
	n.mu.Unlock()
	n.checkCaughtUp()
	n.maybeSnapshot(seq)
	return nil
}

// decided reports whether an apply's error is the command's answer
// (validation, not found, conflict: every replica decides the same) rather
// than a local failure (I/O, shutdown) after which the entry must be
// applied again.
func decided(err error) bool {
	var ne *nearby.Error
	return errors.As(err, &ne) && ne.Code != nearby.EUNAVAILABLE && !errors.Is(err, context.Canceled) &&
		!errors.Is(err, context.DeadlineExceeded)
}

func (n *Node) checkCaughtUp() {
	if n.caughtUp.Load() {
		return
	}
	n.mu.Lock()
	ok := n.applied >= n.target
	applied := n.applied
	n.mu.Unlock()
	if ok && n.caughtUp.CompareAndSwap(false, true) {
		n.cfg.Logger.Info("caught up", slog.Uint64("applied_seq", applied))
	}
}
