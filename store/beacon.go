package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// CreateBeacon stores b for b.MerchantID and sets ID, CreatedAt, UpdatedAt,
// and Status active when empty (TxPower is kept as given). When
// b.Identity.UUID is zero it allocates a unique identity (the deployment's
// proximity UUID with the next free major/minor); otherwise the given
// identity must be free (ECONFLICT "uuid"). b.StoreID must be one of the
// merchant's stores (EINVALID "store_id"), b.Page.ProgramID one of its
// programs (EINVALID "page.program_id").
func (db *DB) CreateBeacon(ctx context.Context, b *nearby.Beacon) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	rec := *b
	err := db.update(ctx, func(tx *bolt.Tx) error {
		if !merchantExists(tx, b.MerchantID) {
			return nearby.Invalid("merchant_id", "is not a merchant")
		}
		if err := checkBeaconRefs(tx, &rec); err != nil {
			return err
		}
		bk := tx.Bucket(bucketBeacons)
		id, err := bk.NextSequence()
		if err != nil {
			return fmt.Errorf("store: beacon sequence: %w", err)
		}
		rec.ID = id
		if rec.Identity.UUID.IsZero() {
			if rec.Identity, err = db.allocateIdentity(tx); err != nil {
				return err
			}
		}
		if err := claimIdentity(tx, rec.Identity, id); err != nil {
			return err
		}
		if rec.Status == "" {
			rec.Status = nearby.BeaconActive
		}
		now := db.stamp(ctx)
		rec.CreatedAt, rec.UpdatedAt = now, now
		rec.AgentTokens = slices.Clone(rec.AgentTokens)
		if err := db.firstKey(ctx, tx, &rec.AgentTokenHash, &rec.AgentTokens); err != nil {
			return err
		}
		if err := putJSON(bk, id, &rec); err != nil {
			return err
		}
		return linkBeacon(tx, nil, &rec)
	})
	if err != nil {
		return err
	}
	*b = rec
	return nil
}

// GetBeacon returns beacon id of merchantID (0: any merchant).
func (db *DB) GetBeacon(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var b *nearby.Beacon
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		b, err = getBeacon(tx, merchantID, id)
		return err
	})
	return b, err
}

func getBeacon(tx *bolt.Tx, merchantID, id uint64) (*nearby.Beacon, error) {
	v := tx.Bucket(bucketBeacons).Get(u64(id))
	if v == nil {
		return nil, notFound("beacon")
	}
	var b nearby.Beacon
	if err := decodeJSON(v, &b); err != nil {
		return nil, err
	}
	if merchantID != 0 && b.MerchantID != merchantID {
		return nil, notFound("beacon")
	}
	return &b, nil
}

// UpdateBeacon replaces beacon b.ID of b.MerchantID (0: any, the owner is
// kept). CreatedAt and LastHeartbeat are kept; so are the identity when
// b.Identity.UUID is zero, the status when b.Status is empty, and always
// the agent tokens. A new identity must be free
// (ECONFLICT "uuid"); references are checked as in CreateBeacon.
func (db *DB) UpdateBeacon(ctx context.Context, b *nearby.Beacon) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	var rec nearby.Beacon
	err := db.update(ctx, func(tx *bolt.Tx) error {
		old, err := getBeacon(tx, b.MerchantID, b.ID)
		if err != nil {
			return err
		}
		rec = *b
		rec.MerchantID, rec.CreatedAt, rec.LastHeartbeat = old.MerchantID, old.CreatedAt, old.LastHeartbeat
		if rec.Identity.UUID.IsZero() {
			rec.Identity = old.Identity
		}
		if rec.Status == "" {
			rec.Status = old.Status
		}
		// Agent tokens change only by AddAgentToken and RevokeAgentToken.
		rec.AgentTokenHash, rec.AgentTokens = nil, old.AgentTokens
		if err := checkBeaconRefs(tx, &rec); err != nil {
			return err
		}
		if rec.Identity != old.Identity {
			if err := claimIdentity(tx, rec.Identity, rec.ID); err != nil {
				return err
			}
			if err := tx.Bucket(bucketIdentities).Delete(identityKey(old.Identity)); err != nil {
				return fmt.Errorf("store: delete identity: %w", err)
			}
		}
		rec.UpdatedAt = db.stamp(ctx)
		if err := putJSON(tx.Bucket(bucketBeacons), rec.ID, &rec); err != nil {
			return err
		}
		return linkBeacon(tx, old, &rec)
	})
	if err != nil {
		return err
	}
	*b = rec
	return nil
}

// DeleteBeacon deletes beacon id of merchantID (0: any) and frees its
// identity. Its statistics stay (ids are never reused).
func (db *DB) DeleteBeacon(ctx context.Context, merchantID, id uint64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		b, err := getBeacon(tx, merchantID, id)
		if err != nil {
			return err
		}
		if err := linkBeacon(tx, b, nil); err != nil {
			return err
		}
		if err := tx.Bucket(bucketIdentities).Delete(identityKey(b.Identity)); err != nil {
			return fmt.Errorf("store: delete identity: %w", err)
		}
		if err := tx.Bucket(bucketBeacons).Delete(u64(id)); err != nil {
			return fmt.Errorf("store: delete beacon: %w", err)
		}
		return nil
	})
}

// ListBeacons returns up to limit (<= 0: all) beacons of merchantID (0:
// all) with ids greater than afterID, ascending.
func (db *DB) ListBeacons(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []*nearby.Beacon
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, id := range listIDs(tx.Bucket(bucketMerchantBeacons), tx.Bucket(bucketBeacons), merchantID, afterID, limit) {
			b, err := getBeacon(tx, 0, id)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

// ForEachBeacon calls fn with every beacon in id order inside one read
// transaction; fn must not write to db.
func (db *DB) ForEachBeacon(ctx context.Context, fn func(*nearby.Beacon) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBeacons).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctxErr(ctx); err != nil {
				return err
			}
			var b nearby.Beacon
			if err := decodeJSON(v, &b); err != nil {
				return err
			}
			if err := fn(&b); err != nil {
				return err
			}
		}
		return nil
	})
}

// BeaconByIdentity returns the beacon advertising id (any status),
// ENOTFOUND when none does.
func (db *DB) BeaconByIdentity(ctx context.Context, id nearby.Identity) (*nearby.Beacon, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var b *nearby.Beacon
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdentities).Get(identityKey(id))
		if len(v) != 8 {
			return notFound("beacon")
		}
		var err error
		b, err = getBeacon(tx, 0, binary.BigEndian.Uint64(v))
		return err
	})
	return b, err
}

// RecordHeartbeat stores h as beacon beaconID's latest heartbeat. Agents
// report often, so concurrent calls share commits (DB.Batch).
func (db *DB) RecordHeartbeat(ctx context.Context, beaconID uint64, h *nearby.Heartbeat) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	hb := *h
	if hb.At.IsZero() {
		hb.At = db.stamp(ctx)
	}
	return db.batch(ctx, func(tx *bolt.Tx) error {
		b, err := getBeacon(tx, 0, beaconID)
		if err != nil {
			return err
		}
		b.LastHeartbeat = &hb
		return putJSON(tx.Bucket(bucketBeacons), beaconID, b)
	})
}

// checkBeaconRefs checks that b's store and page program are its merchant's.
func checkBeaconRefs(tx *bolt.Tx, b *nearby.Beacon) error {
	var p nearby.Problems
	v := tx.Bucket(bucketStores).Get(u64(b.StoreID))
	if v == nil || storeMerchant(v) != b.MerchantID {
		p.Addf("store_id", "is not one of your stores")
	}
	if b.Page != nil {
		pg, err := getProgram(tx, b.MerchantID, b.Page.ProgramID)
		if err != nil && nearby.ErrorCode(err) != nearby.ENOTFOUND {
			return err
		}
		if pg == nil {
			p.Addf("page.program_id", "is not one of your programs")
		}
	}
	return p.Err()
}

// linkBeacon moves b's index entries from old to now (either may be nil).
func linkBeacon(tx *bolt.Tx, old, now *nearby.Beacon) error {
	type link struct {
		bucket []byte
		a, b   uint64
	}
	links := func(b *nearby.Beacon) []link {
		if b == nil {
			return nil
		}
		l := []link{{bucketMerchantBeacons, b.MerchantID, b.ID}, {bucketStoreBeacons, b.StoreID, b.ID}}
		if b.Page != nil {
			l = append(l, link{bucketProgramBeacons, b.Page.ProgramID, b.ID})
		}
		return l
	}
	for _, l := range links(old) {
		if err := tx.Bucket(l.bucket).Delete(pair(l.a, l.b)); err != nil {
			return fmt.Errorf("store: delete beacon link: %w", err)
		}
	}
	for _, l := range links(now) {
		if err := tx.Bucket(l.bucket).Put(pair(l.a, l.b), nil); err != nil {
			return fmt.Errorf("store: put beacon link: %w", err)
		}
	}
	return nil
}

// identityKey is uuid(16)|major|minor.
func identityKey(id nearby.Identity) []byte {
	k := make([]byte, 0, 20)
	k = append(k, id.UUID[:]...)
	k = binary.BigEndian.AppendUint16(k, id.Major)
	return binary.BigEndian.AppendUint16(k, id.Minor)
}

// claimIdentity records id as beacon's, or returns ECONFLICT "uuid" when
// another beacon has it.
func claimIdentity(tx *bolt.Tx, id nearby.Identity, beacon uint64) error {
	b := tx.Bucket(bucketIdentities)
	k := identityKey(id)
	if v := b.Get(k); v != nil && binary.BigEndian.Uint64(v) != beacon {
		return conflict("uuid", "uuid/major/minor %s is already used by another beacon", id)
	}
	if err := b.Put(k, u64(beacon)); err != nil {
		return fmt.Errorf("store: put identity: %w", err)
	}
	return nil
}

// allocateIdentity returns the next free (proximity UUID, major, minor),
// counting major/minor up from 0/1 and skipping identities merchants
// brought themselves.
func (db *DB) allocateIdentity(tx *bolt.Tx) (nearby.Identity, error) {
	meta := tx.Bucket(bucketMeta)
	next := uint64(1)
	if v := meta.Get(keyNextIdentity); len(v) == 8 {
		next = binary.BigEndian.Uint64(v)
	}
	ids, proximity := tx.Bucket(bucketIdentities), proximityUUID(tx)
	for ; next <= 0xffffffff; next++ {
		id := nearby.Identity{UUID: proximity, Major: uint16(next >> 16), Minor: uint16(next)}
		if ids.Get(identityKey(id)) != nil {
			continue
		}
		if err := meta.Put(keyNextIdentity, u64(next+1)); err != nil {
			return id, fmt.Errorf("store: put identity counter: %w", err)
		}
		return id, nil
	}
	return nearby.Identity{}, nearby.Errorf(nearby.ECONFLICT, "all 2^32 beacon identities of this deployment are used")
}
