package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// WriteSnapshot writes a consistent copy of the whole file to w (one read
// transaction: writers go on meanwhile) and returns the applied log
// sequence it contains, so that a replica restored from it follows the log
// from the entry after.
func (db *DB) WriteSnapshot(ctx context.Context, w io.Writer) (seq uint64, err error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		seq = appliedSeq(tx)
		if _, err := tx.WriteTo(w); err != nil {
			return fmt.Errorf("store: write snapshot: %w", err)
		}
		return nil
	})
	return seq, err
}

// Restore replaces the whole content of the file by a snapshot that
// WriteSnapshot made (read from r), in one transaction, and returns the
// applied sequence it holds. A replica restores before it loads its
// catalog: readers of db during the call see the old or the new content.
func (db *DB) Restore(ctx context.Context, r io.Reader) (seq uint64, err error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(db.bolt.Path()), "restore-*.db")
	if err != nil {
		return 0, fmt.Errorf("store: restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("store: restore: read snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("store: restore: %w", err)
	}
	src, err := bolt.Open(tmp.Name(), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return 0, fmt.Errorf("store: restore: open snapshot: %w", err)
	}
	defer src.Close()
	err = src.View(func(stx *bolt.Tx) error {
		meta := stx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("store: restore: the snapshot has no meta bucket")
		}
		if v := meta.Get(keySchemaVersion); len(v) != 4 || binary.BigEndian.Uint32(v) > SchemaVersion {
			return errors.New("store: restore: the snapshot's schema version is missing or newer than this build's")
		}
		seq = appliedSeq(stx)
		return db.bolt.Update(func(tx *bolt.Tx) error {
			var names [][]byte
			if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				names = append(names, append([]byte(nil), name...))
				return nil
			}); err != nil {
				return err
			}
			for _, name := range names {
				if err := tx.DeleteBucket(name); err != nil {
					return fmt.Errorf("store: restore: drop %s: %w", name, err)
				}
			}
			return stx.ForEach(func(name []byte, b *bolt.Bucket) error {
				dst, err := tx.CreateBucket(name)
				if err != nil {
					return fmt.Errorf("store: restore: create %s: %w", name, err)
				}
				return copyBucket(dst, b)
			})
		})
	})
	return seq, err
}

// copyBucket copies every key of src, and its nested buckets, into dst,
// and its sequence: ids are allocated from it (NextSequence), so a replica
// restored without it would allocate ids the others have used.
func copyBucket(dst, src *bolt.Bucket) error {
	dst.FillPercent = 0.95 // keys arrive in order
	if err := dst.SetSequence(src.Sequence()); err != nil {
		return fmt.Errorf("store: restore: sequence: %w", err)
	}
	return src.ForEach(func(k, v []byte) error {
		if v == nil {
			nested, err := dst.CreateBucket(k)
			if err != nil {
				return fmt.Errorf("store: restore: nested bucket: %w", err)
			}
			return copyBucket(nested, src.Bucket(k))
		}
		return dst.Put(append([]byte(nil), k...), append([]byte(nil), v...))
	})
}
