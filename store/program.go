package store

import (
	"context"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// CreateProgram stores p for p.MerchantID and sets ID, CreatedAt and
// UpdatedAt. Every StoreIDs entry must be one of the merchant's stores
// (EINVALID "store_ids[i]"); duplicates are removed, and the stores
// p.Selection selects are added (Selection is then cleared). The stores
// are kept as links (see linkStores), not in the program's record.
func (db *DB) CreateProgram(ctx context.Context, p *nearby.Program) error {
	return db.createPrograms(ctx, []*nearby.Program{p}, false)
}

// CreatePrograms is CreateProgram for each of ps in one transaction (one
// fsync), all or nothing: an error names the index of the program it is
// about ("program 3: ...", wrapping CreateProgram's error). Import and
// seeding use batches of about a thousand.
func (db *DB) CreatePrograms(ctx context.Context, ps []*nearby.Program) error {
	return db.createPrograms(ctx, ps, true)
}

func (db *DB) createPrograms(ctx context.Context, ps []*nearby.Program, batch bool) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if len(ps) == 0 {
		return nil
	}
	recs := make([]nearby.Program, len(ps))
	err := db.update(ctx, func(tx *bolt.Tx) error {
		now := db.stamp(ctx)
		for i, p := range ps {
			recs[i] = *p
			if err := createProgram(tx, &recs[i], now); err != nil {
				if batch {
					return fmt.Errorf("program %d: %w", i, err)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, p := range ps {
		r := &recs[i]
		p.ID, p.StoreIDs, p.Selection, p.CreatedAt, p.UpdatedAt = r.ID, r.StoreIDs, nil, r.CreatedAt, r.UpdatedAt
	}
	return nil
}

// createProgram writes the new program rec in tx: the one path of
// CreateProgram and CreatePrograms. It sets rec's ID, times and StoreIDs
// (resolved).
func createProgram(tx *bolt.Tx, rec *nearby.Program, now time.Time) error {
	if !merchantExists(tx, rec.MerchantID) {
		return nearby.Invalid("merchant_id", "is not a merchant")
	}
	ids, err := resolveStores(tx, rec.MerchantID, rec.StoreIDs, rec.Selection)
	if err != nil {
		return err
	}
	b := appendBucket(tx, bucketPrograms)
	id, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("store: program sequence: %w", err)
	}
	rec.ID, rec.CreatedAt, rec.UpdatedAt = id, now, now
	if err := putProgram(b, rec); err != nil {
		return err
	}
	if err := appendBucket(tx, bucketMerchantPrograms).Put(pair(rec.MerchantID, id), nil); err != nil {
		return fmt.Errorf("store: put program index: %w", err)
	}
	rec.StoreIDs, rec.Selection = ids, nil
	return linkStores(tx, id, nil, ids)
}

// GetProgram returns program id of merchantID (0: any merchant).
func (db *DB) GetProgram(ctx context.Context, merchantID, id uint64) (*nearby.Program, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var p *nearby.Program
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		p, err = getProgram(tx, merchantID, id)
		return err
	})
	return p, err
}

func getProgram(tx *bolt.Tx, merchantID, id uint64) (*nearby.Program, error) {
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
	p.StoreIDs = seconds(tx.Bucket(bucketProgramStores), id)
	return p, nil
}

// UpdateProgram replaces program p.ID of p.MerchantID (0: any, the owner is
// kept), keeping CreatedAt; StoreIDs and Selection are resolved as in
// CreateProgram and replace the program's stores.
func (db *DB) UpdateProgram(ctx context.Context, p *nearby.Program) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	var rec nearby.Program
	err := db.update(ctx, func(tx *bolt.Tx) error {
		old, err := getProgram(tx, p.MerchantID, p.ID)
		if err != nil {
			return err
		}
		ids, err := resolveStores(tx, old.MerchantID, p.StoreIDs, p.Selection)
		if err != nil {
			return err
		}
		rec = *p
		rec.MerchantID, rec.CreatedAt, rec.UpdatedAt = old.MerchantID, old.CreatedAt, db.stamp(ctx)
		if err := putProgram(tx.Bucket(bucketPrograms), &rec); err != nil {
			return err
		}
		rec.StoreIDs = ids
		return linkStores(tx, rec.ID, old.StoreIDs, ids)
	})
	if err != nil {
		return err
	}
	p.MerchantID, p.StoreIDs, p.Selection, p.CreatedAt, p.UpdatedAt = rec.MerchantID, rec.StoreIDs, nil, rec.CreatedAt, rec.UpdatedAt
	return nil
}

// DeleteProgram deletes program id of merchantID (0: any). It fails with
// ECONFLICT (field "id") while a beacon's page shows it.
func (db *DB) DeleteProgram(ctx context.Context, merchantID, id uint64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		p, err := getProgram(tx, merchantID, id)
		if err != nil {
			return err
		}
		if hasPrefix(tx.Bucket(bucketProgramBeacons), id) {
			return conflict("id", "is the page of a beacon: change the beacon's page first")
		}
		if err := linkStores(tx, id, p.StoreIDs, nil); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMerchantPrograms).Delete(pair(p.MerchantID, id)); err != nil {
			return fmt.Errorf("store: delete program index: %w", err)
		}
		if err := tx.Bucket(bucketPrograms).Delete(u64(id)); err != nil {
			return fmt.Errorf("store: delete program: %w", err)
		}
		return nil
	})
}

// ListPrograms returns up to limit (<= 0: all) programs of merchantID (0:
// all) with ids greater than afterID, ascending.
func (db *DB) ListPrograms(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []*nearby.Program
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, id := range listIDs(tx.Bucket(bucketMerchantPrograms), tx.Bucket(bucketPrograms), merchantID, afterID, limit) {
			p, err := getProgram(tx, 0, id)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// ForEachProgram calls fn with every program, with its StoreIDs, in id
// order; decoding runs ahead of fn on other goroutines inside one read
// transaction, as in ForEachStore. fn may keep the *Program (allocated in
// slabs of scanChunk); fn must not write to db.
func (db *DB) ForEachProgram(ctx context.Context, fn func(*nearby.Program) error) error {
	return db.scan(ctx, false, true, func(j *scanJob) error {
		for i := range j.progs {
			if err := fn(&j.progs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkStoreIDs returns ids without duplicates (first occurrence order)
// after checking that each is a store of merchantID.
func checkStoreIDs(tx *bolt.Tx, merchantID uint64, ids []uint64) ([]uint64, error) {
	var p nearby.Problems
	stores := tx.Bucket(bucketStores)
	out := make([]uint64, 0, len(ids))
	seen := make(map[uint64]bool, len(ids))
	for i, id := range ids {
		v := stores.Get(u64(id))
		if v == nil || storeMerchant(v) != merchantID {
			p.Addf(fmt.Sprintf("store_ids[%d]", i), "is not one of your stores")
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// linkStores moves program id's store links from old to now. A link is
// two keys, storeID|programID in store_programs and programID|storeID in
// program_stores, so that adding or removing one store of a chain of any
// size writes two keys and never rewrites a list.
func linkStores(tx *bolt.Tx, id uint64, old, now []uint64) error {
	keep := make(map[uint64]bool, len(now))
	for _, sid := range now {
		keep[sid] = true
	}
	for _, sid := range old {
		if !keep[sid] {
			if err := unlink(tx, id, sid); err != nil {
				return err
			}
		}
	}
	for _, sid := range now {
		if err := link(tx, id, sid); err != nil {
			return err
		}
	}
	return nil
}

func link(tx *bolt.Tx, programID, storeID uint64) error {
	if err := tx.Bucket(bucketStorePrograms).Put(pair(storeID, programID), nil); err != nil {
		return fmt.Errorf("store: put link: %w", err)
	}
	if err := appendBucket(tx, bucketProgramStores).Put(pair(programID, storeID), nil); err != nil {
		return fmt.Errorf("store: put link: %w", err)
	}
	return nil
}

func unlink(tx *bolt.Tx, programID, storeID uint64) error {
	if err := tx.Bucket(bucketStorePrograms).Delete(pair(storeID, programID)); err != nil {
		return fmt.Errorf("store: delete link: %w", err)
	}
	if err := tx.Bucket(bucketProgramStores).Delete(pair(programID, storeID)); err != nil {
		return fmt.Errorf("store: delete link: %w", err)
	}
	return nil
}

// putProgram writes a program's record (encodeProgram: without its
// stores, which are links, and without a selection, which is resolved on
// write).
func putProgram(b *bolt.Bucket, p *nearby.Program) error {
	if err := b.Put(u64(p.ID), encodeProgram(nil, p)); err != nil {
		return fmt.Errorf("store: put program: %w", err)
	}
	return nil
}

// fillAppend is the FillPercent of buckets whose keys are appended in
// order (a new id, or a new id under its merchant or program): bbolt's
// default of half splits every full page into two half-empty ones, which
// appends never come back to fill, so such a bucket took twice its size
// on disk (and twice the pages to read at start-up). A key that lands in
// the middle instead (a merchant's new store, before the next merchant's
// keys) splits its page into one nearly full and one nearly empty, which
// that merchant's next keys then fill. store_programs is not such a
// bucket: a new program's stores come in any order.
const fillAppend = 0.95

// appendBucket is tx's bucket name, filled as fillAppend says; for
// buckets whose new keys mostly come in order.
func appendBucket(tx *bolt.Tx, name []byte) *bolt.Bucket {
	b := tx.Bucket(name)
	b.FillPercent = fillAppend
	return b
}
