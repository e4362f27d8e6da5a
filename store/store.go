package store

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// CreateStore stores s for s.MerchantID and sets its ID, CreatedAt and
// UpdatedAt. It does not call s.Validate: the caller has.
func (db *DB) CreateStore(ctx context.Context, s *nearby.Store) error {
	return db.CreateStores(ctx, []*nearby.Store{s})
}

// CreateStores stores all of ss in one transaction (one fsync), all or
// nothing; import uses batches of about a thousand.
func (db *DB) CreateStores(ctx context.Context, ss []*nearby.Store) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if len(ss) == 0 {
		return nil
	}
	ids := make([]uint64, len(ss))
	now := db.stamp(ctx)
	err := db.update(ctx, func(tx *bolt.Tx) error {
		// Ids only grow, so new keys land at the end of the bucket (and of
		// the merchant's range in the index): see fillAppend.
		b := appendBucket(tx, bucketStores)
		idx := appendBucket(tx, bucketMerchantStores)
		var buf []byte
		checked := uint64(0)
		for i, s := range ss {
			if s.MerchantID != checked {
				if !merchantExists(tx, s.MerchantID) {
					return nearby.Invalid("merchant_id", "is not a merchant")
				}
				checked = s.MerchantID
			}
			id, err := b.NextSequence()
			if err != nil {
				return fmt.Errorf("store: store sequence: %w", err)
			}
			ids[i] = id
			rec := *s
			rec.ID, rec.CreatedAt, rec.UpdatedAt = id, now, now
			buf = encodeStore(buf[:0], &rec)
			// Put keeps a reference to value until commit: give it its own copy.
			if err := b.Put(u64(id), append([]byte(nil), buf...)); err != nil {
				return fmt.Errorf("store: put store: %w", err)
			}
			if err := idx.Put(pair(s.MerchantID, id), nil); err != nil {
				return fmt.Errorf("store: put store index: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, s := range ss {
		s.ID, s.CreatedAt, s.UpdatedAt = ids[i], now, now
	}
	return nil
}

// GetStore returns store id of merchantID (0: any merchant).
func (db *DB) GetStore(ctx context.Context, merchantID, id uint64) (*nearby.Store, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var s *nearby.Store
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		s, err = getStore(tx, merchantID, id)
		return err
	})
	return s, err
}

func getStore(tx *bolt.Tx, merchantID, id uint64) (*nearby.Store, error) {
	v := tx.Bucket(bucketStores).Get(u64(id))
	if v == nil || (merchantID != 0 && storeMerchant(v) != merchantID) {
		return nil, notFound("store")
	}
	return decodeStore(u64(id), v)
}

// UpdateStore replaces store s.ID of s.MerchantID (0: any merchant, the
// owner is kept). It keeps CreatedAt and sets UpdatedAt.
func (db *DB) UpdateStore(ctx context.Context, s *nearby.Store) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	var rec nearby.Store
	err := db.update(ctx, func(tx *bolt.Tx) error {
		old, err := getStore(tx, s.MerchantID, s.ID)
		if err != nil {
			return err
		}
		rec = *s
		rec.MerchantID, rec.CreatedAt, rec.UpdatedAt = old.MerchantID, old.CreatedAt, db.stamp(ctx)
		if err := tx.Bucket(bucketStores).Put(u64(rec.ID), encodeStore(nil, &rec)); err != nil {
			return fmt.Errorf("store: put store: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.MerchantID, s.CreatedAt, s.UpdatedAt = rec.MerchantID, rec.CreatedAt, rec.UpdatedAt
	return nil
}

// DeleteStore deletes store id of merchantID (0: any). It fails with
// ECONFLICT (field "id") while a beacon is installed there, and removes
// the store from the StoreIDs of every program listing it.
func (db *DB) DeleteStore(ctx context.Context, merchantID, id uint64) error {
	_, err := db.DeleteStoreChanged(ctx, merchantID, id)
	return err
}

// DeleteStoreChanged is DeleteStore that also returns the programs that
// lost the store, in program id order, without their StoreIDs (a chain's
// can be tens of thousands long): a read model unlinks the store from
// just those.
func (db *DB) DeleteStoreChanged(ctx context.Context, merchantID, id uint64) ([]*nearby.Program, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var changed []*nearby.Program
	err := db.update(ctx, func(tx *bolt.Tx) error {
		s, err := getStore(tx, merchantID, id)
		if err != nil {
			return err
		}
		if hasPrefix(tx.Bucket(bucketStoreBeacons), id) {
			return conflict("id", "has beacons: move or delete them first")
		}
		// The links go; the programs' records stay as they are (a chain's
		// stores are links, not a list to rewrite).
		for _, pid := range seconds(tx.Bucket(bucketStorePrograms), id) {
			v := tx.Bucket(bucketPrograms).Get(u64(pid))
			if v == nil {
				return fmt.Errorf("store: store %d links missing program %d: %w", id, pid, errCorrupt)
			}
			p, err := decodeProgram(u64(pid), v)
			if err != nil {
				return err
			}
			if err := unlink(tx, pid, id); err != nil {
				return err
			}
			changed = append(changed, p)
		}
		if err := tx.Bucket(bucketMerchantStores).Delete(pair(s.MerchantID, id)); err != nil {
			return fmt.Errorf("store: delete store index: %w", err)
		}
		if err := tx.Bucket(bucketStores).Delete(u64(id)); err != nil {
			return fmt.Errorf("store: delete store: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// ListStores returns up to limit (<= 0: all) stores of merchantID (0: all
// merchants) with ids greater than afterID, in ascending id order.
func (db *DB) ListStores(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []*nearby.Store
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ids := listIDs(tx.Bucket(bucketMerchantStores), tx.Bucket(bucketStores), merchantID, afterID, limit)
		b := tx.Bucket(bucketStores)
		for _, id := range ids {
			s, err := decodeStore(u64(id), b.Get(u64(id)))
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// ForEachStore calls fn with every store of every merchant in id order. It
// is a start-up read (a million stores), so decoding runs on other
// goroutines inside one read transaction (see scan), ahead of fn, while fn
// runs on the caller's goroutine. fn may keep the *Store (stores are
// allocated in slabs of scanChunk, so keeping one keeps its slab); fn must
// not write to db. An error from fn stops the scan and is returned.
func (db *DB) ForEachStore(ctx context.Context, fn func(*nearby.Store) error) error {
	return db.scan(ctx, true, false, func(j *scanJob) error {
		for i := range j.stores {
			if err := fn(&j.stores[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// listIDs pages through a merchant index (merchantID|id), or through the
// primary bucket when merchantID is 0.
func listIDs(idx, primary *bolt.Bucket, merchantID, afterID uint64, limit int) []uint64 {
	var ids []uint64
	full := func() bool { return limit > 0 && len(ids) >= limit }
	if afterID == ^uint64(0) {
		return nil
	}
	if merchantID == 0 {
		c := primary.Cursor()
		for k, _ := c.Seek(u64(afterID + 1)); k != nil && !full(); k, _ = c.Next() {
			ids = append(ids, binary.BigEndian.Uint64(k))
		}
		return ids
	}
	c := idx.Cursor()
	for k, _ := c.Seek(pair(merchantID, afterID+1)); len(k) == 16 && !full(); k, _ = c.Next() {
		if binary.BigEndian.Uint64(k) != merchantID {
			break
		}
		ids = append(ids, binary.BigEndian.Uint64(k[8:]))
	}
	return ids
}
