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
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff(attempt)):
			}
		}
		from := n.Applied() + 1
		cons, err := n.js.OrderedConsumer(ctx, n.cfg.Stream, jetstream.OrderedConsumerConfig{
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from,
		})
		if err != nil {
			log.Warn("apply: consumer", slog.Uint64("from", from), slog.Any("err", err))
			continue
		}
		it, err := cons.Messages()
		if err != nil {
			log.Warn("apply: messages", slog.Any("err", err))
			continue
		}
		stop := context.AfterFunc(ctx, it.Stop)
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
		stop()
		it.Stop()
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
	if seq <= n.Applied() {
		return nil
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
