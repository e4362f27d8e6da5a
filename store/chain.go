package store

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// A program is present at any number of its merchant's stores. Each
// presence is a link of two keys (see linkStores), so a chain of 25,000
// stores gains or loses one store by writing two keys, and its record
// never holds the list.

// resolveStores returns the checked ids (first occurrence order, no
// duplicates) followed by the merchant's stores sel selects that are not
// among them.
func resolveStores(tx *bolt.Tx, merchantID uint64, ids []uint64, sel *nearby.StoreSelection) ([]uint64, error) {
	out, err := checkStoreIDs(tx, merchantID, ids)
	if err != nil || sel == nil {
		return out, err
	}
	seen := make(map[uint64]bool, len(out))
	for _, id := range out {
		seen[id] = true
	}
	err = selectStores(tx, merchantID, sel, func(id uint64) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	})
	return out, err
}

// selectStores calls fn with each of the merchant's stores sel selects, in
// id order.
func selectStores(tx *bolt.Tx, merchantID uint64, sel *nearby.StoreSelection, fn func(id uint64)) error {
	stores := tx.Bucket(bucketStores)
	c := tx.Bucket(bucketMerchantStores).Cursor()
	var st nearby.Store
	for k, _ := c.Seek(u64(merchantID)); len(k) == 16 && binary.BigEndian.Uint64(k) == merchantID; k, _ = c.Next() {
		id := binary.BigEndian.Uint64(k[8:])
		if !sel.All {
			v := stores.Get(u64(id))
			if v == nil {
				continue
			}
			if err := decodeStoreInto(&st, u64(id), v); err != nil {
				return err
			}
			if !sel.Selects(&st) {
				continue
			}
		}
		fn(id)
	}
	return nil
}

// LinkStores adds stores to program programID of merchantID (0: any): the
// ids, which must be the program's merchant's stores (EINVALID
// "store_ids[i]"), and those sel selects. It returns the stores that were
// not linked yet, in the order given; linking a linked store is a no-op.
func (db *DB) LinkStores(ctx context.Context, merchantID, programID uint64, ids []uint64, sel *nearby.StoreSelection) ([]uint64, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var added []uint64
	err := db.update(ctx, func(tx *bolt.Tx) error {
		p, err := programRecord(tx, merchantID, programID)
		if err != nil {
			return err
		}
		want, err := resolveStores(tx, p.MerchantID, ids, sel)
		if err != nil {
			return err
		}
		links := tx.Bucket(bucketProgramStores)
		for _, sid := range want {
			if links.Get(pair(programID, sid)) != nil {
				continue
			}
			if err := link(tx, programID, sid); err != nil {
				return err
			}
			added = append(added, sid)
		}
		if len(added) == 0 {
			return nil
		}
		p.UpdatedAt = db.stamp(ctx)
		return putProgram(tx.Bucket(bucketPrograms), p)
	})
	return added, err
}

// UnlinkStore removes store storeID from program programID of merchantID
// (0: any); ENOTFOUND when the program does not list it.
func (db *DB) UnlinkStore(ctx context.Context, merchantID, programID, storeID uint64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		p, err := programRecord(tx, merchantID, programID)
		if err != nil {
			return err
		}
		if tx.Bucket(bucketProgramStores).Get(pair(programID, storeID)) == nil {
			return notFound("store of the program")
		}
		if err := unlink(tx, programID, storeID); err != nil {
			return err
		}
		p.UpdatedAt = db.stamp(ctx)
		return putProgram(tx.Bucket(bucketPrograms), p)
	})
}

// programRecord is getProgram without the stores.
func programRecord(tx *bolt.Tx, merchantID, id uint64) (*nearby.Program, error) {
	v := tx.Bucket(bucketPrograms).Get(u64(id))
	if v == nil {
		return nil, notFound("program")
	}
	p, err := decodeProgram(u64(id), v)
	if err != nil {
		return nil, err
	}
	if merchantID != 0 && p.MerchantID != merchantID {
		return nil, notFound("program")
	}
	return p, nil
}

// migrateProgramStores moves the store lists of version 1 program records
// into links.
func migrateProgramStores(tx *bolt.Tx) error {
	b := tx.Bucket(bucketPrograms)
	var moved []*nearby.Program
	err := b.ForEach(func(_, v []byte) error {
		// Version 1 records are JSON and may list their stores (which
		// decodeProgram drops: they are links now).
		var p nearby.Program
		if err := decodeJSON(v, &p); err != nil {
			return err
		}
		if len(p.StoreIDs) > 0 {
			moved = append(moved, &p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: migrate program stores: %w", err)
	}
	for _, p := range moved {
		if err := linkStores(tx, p.ID, nil, p.StoreIDs); err != nil {
			return err
		}
		if err := putProgram(b, p); err != nil {
			return err
		}
	}
	return nil
}
