package cluster

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
)

// Registry is what the node needs of the replica's registry besides the
// applier: the applied sequence and the cluster-wide proximity UUID.
// *store.DB satisfies it.
type Registry interface {
	AppliedSeq(ctx context.Context) (uint64, error)
	SetAppliedSeq(ctx context.Context, seq uint64) error
	SetProximityUUID(ctx context.Context, u nearby.UUID) error
	// WriteSnapshot and Restore copy the whole registry, with its applied
	// sequence, out and in.
	WriteSnapshot(ctx context.Context, w io.Writer) (seq uint64, err error)
	Restore(ctx context.Context, r io.Reader) (seq uint64, err error)
}

// Subjects of the stream: commands, and the one init entry that carries
// the cluster's proximity UUID.
const (
	subjectPrefix = "nearby.log."
	subjectCmd    = subjectPrefix + "cmd"
	subjectInit   = subjectPrefix + "init"
	// headerOrigin names the submit an entry came from, so that the node
	// that submitted it can hand the apply's outcome to the waiting write.
	headerOrigin = "Nearby-Origin"
)

// Node is one replica: it submits this node's commands to the stream and
// applies the stream, in order, to the local registry and catalog. Create
// it with New, pass Node.Wrap as discovery.Options.Submit, then Start.
type Node struct {
	cfg Config
	reg Registry

	apply discovery.Applier // the local Service.Apply

	srv *server.Server // nil with Config.URL
	nc  *nats.Conn
	js  jetstream.JetStream

	origin string        // this node's prefix of submit ids
	nextID atomic.Uint64 // submit counter

	mu       sync.Mutex
	applied  uint64                   // last applied stream sequence
	advanced chan struct{}            // closed and replaced when applied grows
	waiters  map[string]chan<- result // submit id -> the waiting write
	target   uint64                   // stream's last sequence at start: caught up at or past it
	lastTime time.Time                // stream time of the last applied entry

	firstSeq     uint64        // stream's first sequence at start (the log is trimmed before it)
	lastSnap     atomic.Uint64 // applied sequence of the last snapshot this node took
	snapshotting atomic.Bool

	started  atomic.Bool
	caughtUp atomic.Bool
	cancel   context.CancelFunc
	done     chan struct{}

	stats stats
}

type result struct {
	out discovery.Outcome
	err error
}

// New returns a node over the replica's registry; it does not connect yet.
func New(cfg Config, reg Registry) (*Node, error) {
	if reg == nil {
		return nil, errors.New("cluster: registry is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.fillDefaults()
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return &Node{cfg: cfg, reg: reg, origin: fmt.Sprintf("%x", r), advanced: make(chan struct{}),
		waiters: map[string]chan<- result{}, done: make(chan struct{})}, nil
}

// Wrap is the discovery.Options.Submit hook: it keeps apply (the local
// Service.Apply) for the apply loop and returns the node's submit.
func (n *Node) Wrap(apply discovery.Applier) discovery.Applier {
	n.apply = apply
	return n.submit
}

// Start starts the embedded server (or connects to Config.URL), creates
// the stream if needed and makes sure it begins with the cluster's init
// entry, and restores the newest snapshot into the registry if the log was
// trimmed past the registry's applied sequence. It waits for the stream (a
// quorum of the cluster) as long as ctx allows. Follow then starts the
// apply loop; WaitCaughtUp waits for the replay of the tail.
func (n *Node) Start(ctx context.Context) error {
	if n.apply == nil {
		return errors.New("cluster: Wrap was not passed to the service")
	}
	log := n.cfg.Logger
	var err error
	if n.cfg.URL == "" {
		if n.srv, err = startServer(&n.cfg); err != nil {
			return err
		}
		n.origin = n.srv.Name() + "-" + n.origin
		log.Info("nats server started", slog.String("server", n.srv.Name()),
			slog.String("cluster", n.cfg.Name), slog.Any("cluster_addr", n.srv.ClusterAddr()), slog.Any("peers", n.cfg.Peers))
	}
	opts := []nats.Option{nats.Name("discoveryd " + n.origin), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", slog.Any("err", err))
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("nats reconnected") })}
	url := n.cfg.URL
	if n.srv != nil {
		opts, url = append(opts, nats.InProcessServer(n.srv)), ""
	}
	if n.nc, err = nats.Connect(url, opts...); err != nil {
		n.shutdownServer()
		return fmt.Errorf("cluster: connect: %w", err)
	}
	if n.js, err = jetstream.New(n.nc); err != nil {
		n.close()
		return fmt.Errorf("cluster: %w", err)
	}
	applied, err := n.reg.AppliedSeq(ctx)
	if err != nil {
		n.close()
		return fmt.Errorf("cluster: %w", err)
	}
	if err := n.ensureStream(ctx); err != nil {
		n.close()
		return err
	}
	if applied, err = n.restoreIfBehind(ctx, applied, n.firstSeq); err != nil {
		n.close()
		return err
	}
	n.mu.Lock()
	n.applied = applied
	n.mu.Unlock()
	n.lastSnap.Store(applied)
	log.Info("cluster node started", slog.String("stream", n.cfg.Stream), slog.Uint64("applied_seq", applied),
		slog.Uint64("stream_first_seq", n.firstSeq), slog.Uint64("stream_last_seq", n.target))
	return nil
}

// Follow starts the apply loop, from the entry after the applied one.
// Call it after Start, once the catalog is loaded from the registry (a
// snapshot restored by Start is in the registry, not yet in the catalog).
func (n *Node) Follow() {
	runCtx, cancel := context.WithCancel(context.Background())
	n.mu.Lock()
	n.cancel = cancel
	n.mu.Unlock()
	n.started.Store(true)
	go n.run(runCtx)
}

// ensureStream creates the stream (idempotent: every node does it) and
// its init entry, retrying while the cluster has no JetStream quorum, and
// notes the stream's last sequence as the catch-up target.
func (n *Node) ensureStream(ctx context.Context) error {
	sc := jetstream.StreamConfig{
		Name:       n.cfg.Stream,
		Subjects:   []string{subjectPrefix + ">"},
		Storage:    jetstream.FileStorage,
		Replicas:   n.cfg.Replicas,
		Retention:  jetstream.LimitsPolicy,
		Discard:    jetstream.DiscardOld,
		Duplicates: 2 * time.Minute,
	}
	var last error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("cluster: stream %s: %w (last error: %v)", n.cfg.Stream, ctx.Err(), last)
			case <-time.After(backoff(attempt)):
			}
		}
		actx, cancel := context.WithTimeout(ctx, time.Second)
		st, err := n.js.CreateOrUpdateStream(actx, sc)
		if err == nil {
			err = n.ensureInit(actx, st)
		}
		var info *jetstream.StreamInfo
		if err == nil {
			info, err = st.Info(actx)
		}
		cancel()
		if err != nil {
			if last == nil || err.Error() != last.Error() {
				n.cfg.Logger.Info("waiting for the cluster's stream", slog.Any("err", err))
			}
			last = err
			continue
		}
		n.mu.Lock()
		n.target, n.firstSeq = info.State.LastSeq, info.State.FirstSeq
		n.mu.Unlock()
		return nil
	}
}

// ensureInit publishes the init entry if the stream is empty: only a
// publish expecting last sequence 0 can succeed, so of nodes starting
// together exactly one writes it, and every replica applies the same UUID
// before any command.
func (n *Node) ensureInit(ctx context.Context, st jetstream.Stream) error {
	info, err := st.Info(ctx)
	if err != nil {
		return err
	}
	if info.State.FirstSeq > 1 {
		return nil // trimmed behind a snapshot, which holds the init entry's effect
	}
	if m, err := st.GetMsg(ctx, 1); err == nil {
		if m.Subject != subjectInit {
			return fmt.Errorf("cluster: stream %s does not start with discoveryd's init entry", n.cfg.Stream)
		}
		return nil
	} else if !errors.Is(err, jetstream.ErrMsgNotFound) {
		return err
	}
	var u nearby.UUID
	if _, err := rand.Read(u[:]); err != nil {
		return fmt.Errorf("cluster: proximity uuid: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40 // RFC 4122 version 4
	u[8] = u[8]&0x3f | 0x80
	ack, err := n.js.Publish(ctx, subjectInit, []byte(u.String()), jetstream.WithExpectLastSequence(0), jetstream.WithMsgID("nearby-init"))
	if err == nil && ack.Duplicate {
		return nil // another node's init entry (same message id) came first
	}
	if err != nil {
		if m, gerr := st.GetMsg(ctx, 1); gerr == nil && m.Subject == subjectInit {
			return nil // another node won
		}
		return fmt.Errorf("cluster: init entry: %w", err)
	}
	n.cfg.Logger.Info("cluster initialised", slog.String("proximity_uuid", u.String()))
	return nil
}

// backoff is the wait before retry attempt (1, 2, ...): 100 ms doubling
// up to a second.
func backoff(attempt int) time.Duration {
	return min(50*time.Millisecond<<min(attempt, 5), time.Second)
}

// Ready reports whether the node has applied the stream up to where it
// stood at Start (the catch-up after a restart is done).
func (n *Node) Ready() bool { return n.caughtUp.Load() }

// WaitCaughtUp waits until Ready or ctx is done.
func (n *Node) WaitCaughtUp(ctx context.Context) error {
	n.mu.Lock()
	target := n.target
	n.mu.Unlock()
	if err := n.waitApplied(ctx, target); err != nil {
		return fmt.Errorf("cluster: catching up to %d: %w", target, err)
	}
	return nil
}

// Applied is the last stream sequence this node applied.
func (n *Node) Applied() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.applied
}

// Server is the embedded NATS server (nil with Config.URL), for tests and
// operations.
func (n *Node) Server() *server.Server { return n.srv }

// waitApplied waits until the apply loop has applied seq.
func (n *Node) waitApplied(ctx context.Context, seq uint64) error {
	for {
		n.mu.Lock()
		applied, ch := n.applied, n.advanced
		n.mu.Unlock()
		if applied >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-n.done:
			return errors.New("cluster: node stopped")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close stops the apply loop, the connection and the embedded server. The
// registry stays open: close it after.
func (n *Node) Close() error {
	n.mu.Lock()
	cancel := n.cancel
	n.mu.Unlock()
	if cancel != nil {
		cancel()
		<-n.done
	}
	n.close()
	return nil
}

func (n *Node) close() {
	if n.nc != nil {
		n.nc.Close()
	}
	n.shutdownServer()
}

func (n *Node) shutdownServer() {
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
}

// Leads reports whether this node's embedded server leads the command
// stream: the one node of the cluster that runs the service's background
// work (alert sweeps, webhook deliveries), so that a webhook is delivered
// by one node rather than by each. It asks the local server, no request;
// always false with Config.URL, where there is no embedded server.
func (n *Node) Leads() bool {
	return n.srv != nil && n.started.Load() && n.srv.JetStreamIsStreamLeader("$G", n.cfg.Stream)
}

// Embedded reports whether the node runs its own nats-server (not
// Config.URL).
func (n *Node) Embedded() bool { return n.srv != nil }
