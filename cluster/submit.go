package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
)

// submit is the applier the service writes through: it stamps cmd,
// appends it to the stream (retrying with the same message id through a
// leader election, so it is stored once), waits until this node's apply
// loop has applied it and returns that apply's outcome: a write is
// answered after the node that took it can read it.
func (n *Node) submit(ctx context.Context, cmd *discovery.Command) (discovery.Outcome, error) {
	if !n.started.Load() {
		return discovery.Outcome{}, nearby.Errorf(nearby.EUNAVAILABLE, "the cluster node is not started")
	}
	if cmd.At.IsZero() {
		cmd.At = n.cfg.Now().UTC().Round(0)
	}
	body, err := json.Marshal(cmd)
	if err != nil {
		return discovery.Outcome{}, nearby.Internal(fmt.Errorf("cluster: encode %s: %w", cmd.Op, err))
	}
	id := n.origin + "-" + strconv.FormatUint(n.nextID.Add(1), 10)
	msgID := id
	if cmd.Op == discovery.OpRecordEvents {
		// An agent's retried batch is stored once (within the stream's
		// duplicate window); the store's own 31-day dedupe by event id
		// keeps the counts exact beyond it.
		msgID = eventsMsgID(cmd)
	}
	w := make(chan result, 1)
	n.mu.Lock()
	n.waiters[id] = w
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.waiters, id)
		n.mu.Unlock()
	}()
	start := time.Now()
	ack, err := n.publish(ctx, id, msgID, body)
	if err != nil {
		n.stats.submitFailed()
		return discovery.Outcome{}, err
	}
	n.stats.published(time.Since(start))
	// Bounded like the publish: an apply loop that cannot follow the
	// stream (this node cut off just after the ack) must not hold the
	// request for ever.
	wctx, cancel := context.WithTimeout(ctx, n.cfg.WriteTimeout)
	defer cancel()
	if err := n.waitApplied(wctx, ack.Sequence); err != nil {
		return discovery.Outcome{}, &nearby.Error{Code: nearby.EUNAVAILABLE,
			Message: "the write is in the log but not yet applied here; read it back later",
			Err:     fmt.Errorf("cluster: wait for entry %d: %w", ack.Sequence, err)}
	}
	select {
	case r := <-w:
		if r.err != nil {
			return discovery.Outcome{}, r.err
		}
		adopt(cmd, &r.out)
		return r.out, nil
	default:
	}
	if ack.Duplicate && cmd.Op == discovery.OpRecordEvents {
		// The same batch was stored before (an agent's retry): every one
		// of its events is already recorded.
		out := discovery.Outcome{Duplicates: make([]string, len(cmd.Events))}
		for i := range cmd.Events {
			out.Duplicates[i] = cmd.Events[i].ID
		}
		return out, nil
	}
	return discovery.Outcome{}, nearby.Internal(fmt.Errorf("cluster: entry %d applied without this submit's outcome", ack.Sequence))
}

// publish appends one command, retrying while the stream has no leader
// (an election) up to the write timeout; then the write is refused as
// unavailable (no quorum). Every attempt carries the same message id, so
// a retry of an entry that was stored after all is not stored again.
func (n *Node) publish(ctx context.Context, origin, msgID string, body []byte) (*jetstream.PubAck, error) {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.WriteTimeout)
	defer cancel()
	var last error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, unavailable(last)
			case <-time.After(min(backoff(attempt), 500*time.Millisecond)):
			}
		}
		msg := nats.NewMsg(subjectCmd)
		msg.Data = body
		msg.Header.Set(headerOrigin, origin)
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		ack, err := n.js.PublishMsg(actx, msg, jetstream.WithMsgID(msgID), jetstream.WithRetryAttempts(0))
		acancel()
		if err == nil {
			return ack, nil
		}
		last = err
		if ctx.Err() != nil {
			return nil, unavailable(last)
		}
	}
}

func unavailable(err error) error {
	return &nearby.Error{Code: nearby.EUNAVAILABLE,
		Message: "the cluster cannot accept writes now (no quorum or no stream leader); reads still work, retry later",
		Err:     fmt.Errorf("cluster: publish: %w", err)}
}

// eventsMsgID is the message id of an event batch: a hash of the beacon
// and the events' ids, so the same batch resubmitted is the same entry.
func eventsMsgID(cmd *discovery.Command) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d", cmd.ID)
	for i := range cmd.Events {
		h.Write([]byte{0})
		h.Write([]byte(cmd.Events[i].ID))
	}
	return "ev-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// adopt copies the records the apply committed (ids, timestamps,
// allocated identities) into the submitter's own records, as the local
// Service.Apply would have set them, and points the outcome at them.
func adopt(dst *discovery.Command, out *discovery.Outcome) {
	if dst.Merchant != nil && out.Merchant != nil {
		*dst.Merchant = *out.Merchant
		out.Merchant = dst.Merchant
	}
	if len(out.Stores) == len(dst.Stores) {
		stores := make([]*nearby.Store, len(out.Stores))
		for i, s := range out.Stores {
			stores[i] = s
			if d := dst.Stores[i]; d != nil && s != nil {
				*d = *s
				stores[i] = d
			}
		}
		out.Stores = stores
	}
	if dst.Program != nil && out.Program != nil {
		*dst.Program = *out.Program
		out.Program = dst.Program
	}
	if dst.Beacon != nil && out.Beacon != nil {
		*dst.Beacon = *out.Beacon
		out.Beacon = dst.Beacon
	}
}
