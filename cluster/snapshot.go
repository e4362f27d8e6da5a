package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// snapshotObject is the name of the newest registry snapshot in the
// snapshot object store (one object, replaced by each new snapshot).
const snapshotObject = "registry"

func (n *Node) snapshotBucket() string { return n.cfg.Stream + "_SNAPSHOTS" }

// ensureSnapshots creates the object store that holds the snapshot.
func (n *Node) ensureSnapshots(ctx context.Context) (jetstream.ObjectStore, error) {
	return n.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: n.snapshotBucket(), Storage: jetstream.FileStorage, Replicas: n.cfg.Replicas,
		Description: "discoveryd registry snapshots (bbolt file with its applied sequence)",
	})
}

// restoreIfBehind loads the newest snapshot into the registry when the
// log no longer holds the entry after the applied one (trimmed behind a
// snapshot): a new empty node, or one that was down for long. It returns
// the applied sequence to follow the log from.
func (n *Node) restoreIfBehind(ctx context.Context, applied, firstSeq uint64) (uint64, error) {
	if firstSeq <= applied+1 {
		return applied, nil
	}
	// Bounded, like every JetStream request here (an unanswered request
	// would otherwise wait for ever); the transfer of a large file may
	// take a while.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	start := time.Now()
	obj, err := n.openSnapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("cluster: the log starts at %d, after this node's %d, and there is no snapshot: %w", firstSeq, applied, err)
	}
	defer obj.Close()
	seq, err := n.reg.Restore(ctx, obj)
	if err != nil {
		return 0, fmt.Errorf("cluster: restore snapshot: %w", err)
	}
	if firstSeq > seq+1 {
		return 0, fmt.Errorf("cluster: the snapshot ends at %d but the log starts at %d", seq, firstSeq)
	}
	n.cfg.Logger.Info("restored from snapshot", slog.Uint64("applied_seq", seq), slog.Uint64("was", applied),
		slog.Duration("took", time.Since(start)))
	return seq, nil
}

// SnapshotOpenRetry bounds how long openSnapshot retries: the log was
// trimmed, so a snapshot exists, but its store may not answer yet (no
// responders while its stream elects a leader, a node just started).
const SnapshotOpenRetry = 30 * time.Second

// openSnapshot opens the newest snapshot, retrying transient failures for
// up to SnapshotOpenRetry.
func (n *Node) openSnapshot(ctx context.Context) (jetstream.ObjectResult, error) {
	deadline := time.Now().Add(SnapshotOpenRetry)
	for {
		obs, err := n.js.ObjectStore(ctx, n.snapshotBucket())
		if err == nil {
			var obj jetstream.ObjectResult
			if obj, err = obs.Get(ctx, snapshotObject); err == nil {
				return obj, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, err
		}
		n.cfg.Logger.Info("snapshot not readable yet; retrying", slog.Any("err", err))
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// maybeSnapshot starts a snapshot when SnapshotEvery entries were applied
// since the last one, on the stream leader only (one node's copy is
// enough), one at a time.
func (n *Node) maybeSnapshot(seq uint64) {
	every := uint64(n.cfg.SnapshotEvery)
	if n.cfg.SnapshotEvery <= 0 || seq < n.lastSnap.Load()+every {
		return
	}
	if n.srv != nil && !n.srv.JetStreamIsStreamLeader("$G", n.cfg.Stream) {
		return
	}
	if !n.snapshotting.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer n.snapshotting.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := n.snapshot(ctx); err != nil {
			n.cfg.Logger.Warn("snapshot failed", slog.Any("err", err))
		}
	}()
}

// snapshot writes the registry to the snapshot store and trims the log
// behind it, keeping SnapshotEvery entries before it for nodes that are a
// little behind.
func (n *Node) snapshot(ctx context.Context) error {
	start := time.Now()
	f, err := os.CreateTemp(n.cfg.Dir, "snapshot-*.db")
	if err != nil {
		return fmt.Errorf("cluster: snapshot: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	seq, err := n.reg.WriteSnapshot(ctx, f)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("cluster: snapshot: %w", err)
	}
	octx, ocancel := context.WithTimeout(ctx, 10*time.Second)
	obs, err := n.ensureSnapshots(octx)
	ocancel()
	if err != nil {
		return fmt.Errorf("cluster: snapshot store: %w", err)
	}
	if _, err := obs.Put(ctx, jetstream.ObjectMeta{Name: snapshotObject,
		Metadata: map[string]string{"applied_seq": strconv.FormatUint(seq, 10)}}, f); err != nil {
		return fmt.Errorf("cluster: put snapshot: %w", err)
	}
	n.lastSnap.Store(seq)
	n.cfg.Logger.Info("snapshot stored", slog.Uint64("applied_seq", seq), slog.Duration("took", time.Since(start)))
	tctx, tcancel := context.WithTimeout(ctx, 10*time.Second)
	defer tcancel()
	return n.trim(tctx, seq)
}

// trim purges the log to the SnapshotEvery entries before the snapshot at
// seq, but only while every replica of the stream is online and current:
// with nats-server 2.15.3 a replica that was down during a purge came back
// with a consumer that delivered nothing more (TestCluster_LeaderFailover
// found it), so the log is trimmed at a later snapshot instead.
func (n *Node) trim(ctx context.Context, seq uint64) error {
	keep := uint64(n.cfg.SnapshotEvery)
	if seq <= keep {
		return nil
	}
	st, err := n.js.Stream(ctx, n.cfg.Stream)
	if err != nil {
		return fmt.Errorf("cluster: trim the log: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return fmt.Errorf("cluster: trim the log: %w", err)
	}
	if cl := info.Cluster; cl != nil {
		if len(cl.Replicas)+1 < info.Config.Replicas {
			n.cfg.Logger.Info("log not trimmed: a replica is missing", slog.Int("replicas", len(cl.Replicas)+1))
			return nil
		}
		for _, p := range cl.Replicas {
			if !p.Current || p.Offline {
				n.cfg.Logger.Info("log not trimmed: a replica is not current", slog.String("replica", p.Name))
				return nil
			}
		}
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSequence(seq-keep+1)); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("cluster: trim the log: %w", err)
	}
	return nil
}
