package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// compactTxBytes is how many bytes of keys and values Compact writes per
// transaction: bounded memory for a file of any size.
const compactTxBytes = 1 << 20

// Compact copies the live data of the bbolt file at src into a new file at
// dst (which must not exist), leaving out the bytes of deleted records
// that src may still hold in free pages, with every page filled. src must
// not be open. Store and program records of older encodings are written in
// the current ones (a file of schema version 2 becomes version 3), so that
// compacting an old file also brings it down to the current size;
// records are otherwise rewritten only when they change.
func Compact(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("store: compact: %s exists", dst)
	}
	from, err := bolt.Open(src, 0o600, &bolt.Options{Timeout: DefaultTimeout, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: compact: open %s: %w", src, err)
	}
	defer from.Close()
	to, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: DefaultTimeout})
	if err != nil {
		return fmt.Errorf("store: compact: create %s: %w", dst, err)
	}
	if err := compact(ctx, to, from, compactTxBytes); err != nil {
		to.Close()
		return fmt.Errorf("store: compact: %w", err)
	}
	if err := to.Close(); err != nil {
		return fmt.Errorf("store: compact: close %s: %w", dst, err)
	}
	return nil
}

// compactor is bolt.Compact's copy (commit every max bytes, pages filled)
// with a rewrite of the records of older encodings.
type compactor struct {
	ctx       context.Context
	dst       *bolt.DB
	tx        *bolt.Tx
	size, max int
}

func compact(ctx context.Context, dst, src *bolt.DB, max int) error {
	c := &compactor{ctx: ctx, dst: dst, max: max}
	var err error
	if c.tx, err = dst.Begin(true); err != nil {
		return err
	}
	defer func() { c.tx.Rollback() }() // a no-op once committed
	err = src.View(func(stx *bolt.Tx) error {
		// Records are re-encoded only from files of schema version 2 and
		// this build's: a version 1 file's JSON programs still list their
		// stores, which Open moves into links (it migrates the copy); a
		// newer file is not this build's to rewrite.
		version := uint32(0)
		if meta := stx.Bucket(bucketMeta); meta != nil {
			if v := meta.Get(keySchemaVersion); len(v) == 4 {
				version = binary.BigEndian.Uint32(v)
			}
		}
		rewrite := version >= 2 && version <= SchemaVersion
		err := stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if err := c.room(len(name)); err != nil {
				return err
			}
			nb, err := c.tx.CreateBucket(name)
			if err != nil {
				return err
			}
			if err := nb.SetSequence(b.Sequence()); err != nil {
				return err
			}
			var conv func(k, v []byte) []byte
			if rewrite {
				conv = converter(name)
			}
			return c.copy(b, [][]byte{name}, conv)
		})
		if err != nil || !rewrite {
			return err
		}
		return c.tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint32(nil, SchemaVersion))
	})
	if err != nil {
		return err
	}
	return c.tx.Commit()
}

// converter returns the rewrite of bucket name's records of older
// encodings, nil for buckets it leaves as they are. A record that does
// not decode is copied as it is: compaction is not where it should fail.
func converter(name []byte) func(k, v []byte) []byte {
	switch string(name) {
	case string(bucketStores):
		return func(k, v []byte) []byte {
			if len(v) == 0 || v[0] == storeRecordV2 {
				return v
			}
			s, err := decodeStore(k, v)
			if err != nil {
				return v
			}
			return encodeStore(nil, s)
		}
	case string(bucketPrograms):
		return func(k, v []byte) []byte {
			if len(v) == 0 || v[0] == programRecordV2 {
				return v
			}
			p, err := decodeProgram(k, v)
			if err != nil {
				return v
			}
			return encodeProgram(nil, p)
		}
	}
	return nil
}

// room commits the transaction when n more bytes would take it past max.
func (c *compactor) room(n int) error {
	if c.size > 0 && c.size+n > c.max {
		if err := c.tx.Commit(); err != nil {
			return err
		}
		if err := ctxErr(c.ctx); err != nil {
			return err
		}
		tx, err := c.dst.Begin(true)
		if err != nil {
			return err
		}
		c.tx, c.size = tx, 0
	}
	c.size += n
	return nil
}

// bucket is the bucket at path in the current transaction.
func (c *compactor) bucket(path [][]byte) *bolt.Bucket {
	b := c.tx.Bucket(path[0])
	for _, k := range path[1:] {
		b = b.Bucket(k)
	}
	b.FillPercent = 1 // keys arrive in order and nothing is inserted later in this file
	return b
}

// copy copies src's keys (and nested buckets) into the bucket at path,
// values through conv when it is set. Values may point into src's mmap:
// the read transaction outlives every commit.
func (c *compactor) copy(src *bolt.Bucket, path [][]byte, conv func(k, v []byte) []byte) error {
	cur := src.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if v == nil {
			child := src.Bucket(k)
			if err := c.room(len(k)); err != nil {
				return err
			}
			nb, err := c.bucket(path).CreateBucket(k)
			if err != nil {
				return err
			}
			if err := nb.SetSequence(child.Sequence()); err != nil {
				return err
			}
			if err := c.copy(child, append(path[:len(path):len(path)], k), nil); err != nil {
				return err
			}
			continue
		}
		if conv != nil {
			v = conv(k, v)
		}
		if err := c.room(len(k) + len(v)); err != nil {
			return err
		}
		if err := c.bucket(path).Put(k, v); err != nil {
			return err
		}
	}
	return nil
}
