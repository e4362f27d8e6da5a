package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// keyAppliedSeq is the meta key holding the sequence number of the last
// replicated-log entry applied to this file.
var keyAppliedSeq = []byte("applied_seq")

// Applied describes the replicated-log entry a write applies. A replica
// passes it in the context (WithApplied) so that every replica writes the
// same timestamps and records the entry's sequence in the same bbolt
// transaction as its effect: replay after a crash then starts after the
// last entry whose effect is durable, and nothing is applied twice.
type Applied struct {
	// Seq is the entry's sequence in the log (0: not recorded).
	Seq uint64
	// At is the time the entry was submitted; the write stamps CreatedAt,
	// UpdatedAt and pruning cut-offs with it instead of the local clock
	// (zero: the local clock).
	At time.Time
}

type appliedKey struct{}

// WithApplied returns ctx carrying a, which every write method of DB
// honours.
func WithApplied(ctx context.Context, a Applied) context.Context {
	return context.WithValue(ctx, appliedKey{}, a)
}

func appliedOf(ctx context.Context) (Applied, bool) {
	a, ok := ctx.Value(appliedKey{}).(Applied)
	return a, ok
}

// AppliedSeq returns the sequence of the last log entry applied (0: none).
func (db *DB) AppliedSeq(ctx context.Context) (uint64, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	var seq uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		seq = appliedSeq(tx)
		return nil
	})
	return seq, err
}

// SetAppliedSeq records that log entry seq has been applied without a
// write of its own: an entry whose command failed (its failure is decided
// by the state, so a replay fails it again) or that the replica skips. It
// never moves the sequence backwards.
func (db *DB) SetAppliedSeq(ctx context.Context, seq uint64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return putAppliedSeq(tx, seq) })
}

// SetProximityUUID replaces the deployment's proximity UUID, under which
// identities are allocated from now on. A cluster replicates one UUID to
// every replica so that they all allocate the same identities (the one
// made at the first Open is per file). With WithApplied in ctx it records
// the entry's sequence in the same transaction.
func (db *DB) SetProximityUUID(ctx context.Context, u nearby.UUID) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if u.IsZero() {
		return nearby.Invalid("proximity_uuid", "is zero")
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyProximityUUID, append([]byte(nil), u[:]...)); err != nil {
			return fmt.Errorf("store: write proximity uuid: %w", err)
		}
		return nil
	})
}

func appliedSeq(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keyAppliedSeq); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func putAppliedSeq(tx *bolt.Tx, seq uint64) error {
	if seq == 0 || seq <= appliedSeq(tx) {
		return nil
	}
	if err := tx.Bucket(bucketMeta).Put(keyAppliedSeq, u64(seq)); err != nil {
		return fmt.Errorf("store: write applied sequence: %w", err)
	}
	return nil
}

// update runs fn in a read-write transaction that also records the applied
// log entry carried by ctx, if any.
func (db *DB) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	return db.bolt.Update(db.recording(ctx, fn))
}

// batch is update through DB.Batch (shared commits; fn may run again).
func (db *DB) batch(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	return db.bolt.Batch(db.recording(ctx, fn))
}

func (db *DB) recording(ctx context.Context, fn func(tx *bolt.Tx) error) func(tx *bolt.Tx) error {
	a, ok := appliedOf(ctx)
	if !ok || a.Seq == 0 {
		return fn
	}
	return func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return putAppliedSeq(tx, a.Seq)
	}
}

// stamp is the time written into CreatedAt/UpdatedAt: the applied log
// entry's time if ctx carries one, else the clock; UTC, no monotonic
// reading, so that a value read back compares Equal and ==.
func (db *DB) stamp(ctx context.Context) time.Time {
	if a, ok := appliedOf(ctx); ok && !a.At.IsZero() {
		return a.At.UTC().Round(0)
	}
	return db.now().UTC().Round(0)
}
