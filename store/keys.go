package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// Keys of merchants (API keys) and of beacons' agents (agent tokens) live
// in their owner's record; their ids come from one sequence, so an id names
// one key for ever, even after it is revoked.

var (
	bucketKeys        = []byte("keys") // only its sequence: key ids
	keyKeysMigrated   = []byte("keys_migrated")
	errTooManyKeys    = conflict("keys", "already holds %d active keys; revoke one first", nearby.MaxKeys)
	errKeyNotFound    = nearby.Errorf(nearby.ENOTFOUND, "key not found")
	errNoSuchMerchant = notFound("merchant")
)

// newKey allocates the id of k and stamps its creation.
func (db *DB) newKey(ctx context.Context, tx *bolt.Tx, k *nearby.Key) error {
	id, err := tx.Bucket(bucketKeys).NextSequence()
	if err != nil {
		return fmt.Errorf("store: key sequence: %w", err)
	}
	k.ID, k.CreatedAt = id, db.stamp(ctx)
	return nil
}

// firstKey turns the hash given at creation into the owner's first key.
func (db *DB) firstKey(ctx context.Context, tx *bolt.Tx, hash *[]byte, keys *[]nearby.Key) error {
	if *hash == nil {
		return nil
	}
	k := nearby.Key{Hash: *hash}
	if err := db.newKey(ctx, tx, &k); err != nil {
		return err
	}
	*keys, *hash = append(*keys, k), nil
	return nil
}

// addKey adds k to keys, dropping expired ones; ECONFLICT "keys" when
// MaxKeys are active.
func (db *DB) addKey(ctx context.Context, tx *bolt.Tx, keys []nearby.Key, k *nearby.Key) ([]nearby.Key, error) {
	now := db.now()
	keys = slices.DeleteFunc(keys, func(k nearby.Key) bool { return !k.Active(now) })
	if len(keys) >= nearby.MaxKeys {
		return nil, errTooManyKeys
	}
	if err := db.newKey(ctx, tx, k); err != nil {
		return nil, err
	}
	return append(keys, *k), nil
}

func revokeKey(keys []nearby.Key, id uint64) ([]nearby.Key, error) {
	i := slices.IndexFunc(keys, func(k nearby.Key) bool { return k.ID == id })
	if i < 0 {
		return nil, errKeyNotFound
	}
	return slices.Delete(keys, i, i+1), nil
}

func touchKey(keys []nearby.Key, id uint64, at time.Time) bool {
	for i := range keys {
		if keys[i].ID == id {
			at := at.UTC().Round(0)
			keys[i].LastUsedAt = &at
			return true
		}
	}
	return false
}

// editMerchant rewrites merchant id by fn.
func (db *DB) editMerchant(ctx context.Context, id uint64, fn func(tx *bolt.Tx, m *nearby.Merchant) error) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMerchants)
		v := b.Get(u64(id))
		if v == nil {
			return errNoSuchMerchant
		}
		var m nearby.Merchant
		if err := decodeJSON(v, &m); err != nil {
			return err
		}
		if err := fn(tx, &m); err != nil {
			return err
		}
		return putJSON(b, id, &m)
	})
}

// editBeacon rewrites beacon id of merchantID (0: any) by fn.
func (db *DB) editBeacon(ctx context.Context, merchantID, id uint64, fn func(tx *bolt.Tx, b *nearby.Beacon) error) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		b, err := getBeacon(tx, merchantID, id)
		if err != nil {
			return err
		}
		if err := fn(tx, b); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketBeacons), id, b)
	})
}

// AddMerchantKey adds k (its Hash and ExpiresAt) to the merchant's keys and
// sets k.ID and k.CreatedAt. Expired keys are dropped; ECONFLICT "keys"
// when MaxKeys are active.
func (db *DB) AddMerchantKey(ctx context.Context, merchantID uint64, k *nearby.Key) error {
	return db.editMerchant(ctx, merchantID, func(tx *bolt.Tx, m *nearby.Merchant) (err error) {
		m.Keys, err = db.addKey(ctx, tx, m.Keys, k)
		return err
	})
}

// RevokeMerchantKey deletes one of the merchant's keys; ENOTFOUND "key"
// when it has none of that id.
func (db *DB) RevokeMerchantKey(ctx context.Context, merchantID, keyID uint64) error {
	return db.editMerchant(ctx, merchantID, func(_ *bolt.Tx, m *nearby.Merchant) (err error) {
		m.Keys, err = revokeKey(m.Keys, keyID)
		return err
	})
}

// TouchMerchantKey stamps the key's LastUsedAt; a key revoked since is no
// error.
func (db *DB) TouchMerchantKey(ctx context.Context, merchantID, keyID uint64, at time.Time) error {
	return db.editMerchant(ctx, merchantID, func(_ *bolt.Tx, m *nearby.Merchant) error {
		touchKey(m.Keys, keyID, at)
		return nil
	})
}

// AddAgentToken adds k to the agent tokens of beacon beaconID of
// merchantID (0: any), as AddMerchantKey.
func (db *DB) AddAgentToken(ctx context.Context, merchantID, beaconID uint64, k *nearby.Key) error {
	return db.editBeacon(ctx, merchantID, beaconID, func(tx *bolt.Tx, b *nearby.Beacon) (err error) {
		b.AgentTokens, err = db.addKey(ctx, tx, b.AgentTokens, k)
		return err
	})
}

// RevokeAgentToken deletes one of the beacon's agent tokens.
func (db *DB) RevokeAgentToken(ctx context.Context, merchantID, beaconID, keyID uint64) error {
	return db.editBeacon(ctx, merchantID, beaconID, func(_ *bolt.Tx, b *nearby.Beacon) (err error) {
		b.AgentTokens, err = revokeKey(b.AgentTokens, keyID)
		return err
	})
}

// TouchAgentToken stamps the agent token's LastUsedAt.
func (db *DB) TouchAgentToken(ctx context.Context, beaconID, keyID uint64, at time.Time) error {
	return db.editBeacon(ctx, 0, beaconID, func(_ *bolt.Tx, b *nearby.Beacon) error {
		touchKey(b.AgentTokens, keyID, at)
		return nil
	})
}

// ListMerchants returns up to limit merchants (<= 0: all) with ids greater
// than afterID, ascending.
func (db *DB) ListMerchants(ctx context.Context, afterID uint64, limit int) ([]*nearby.Merchant, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []*nearby.Merchant
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMerchants).Cursor()
		for k, v := c.Seek(u64(afterID + 1)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			var m nearby.Merchant
			if err := decodeJSON(v, &m); err != nil {
				return err
			}
			out = append(out, &m)
		}
		return nil
	})
	return out, err
}

// migrateKeys moves the single key hash of records written before keys
// were lists into their key lists, once.
func (db *DB) migrateKeys(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta.Get(keyKeysMigrated) != nil {
		return nil
	}
	for _, bk := range []struct {
		bucket []byte
		rec    func() (hash *[]byte, keys *[]nearby.Key, v any)
	}{
		{bucketMerchants, func() (*[]byte, *[]nearby.Key, any) {
			m := &nearby.Merchant{}
			return &m.APIKeyHash, &m.Keys, m
		}},
		{bucketBeacons, func() (*[]byte, *[]nearby.Key, any) {
			b := &nearby.Beacon{}
			return &b.AgentTokenHash, &b.AgentTokens, b
		}},
	} {
		b := tx.Bucket(bk.bucket)
		var todo [][]byte
		err := b.ForEach(func(k, v []byte) error {
			hash, _, rec := bk.rec()
			if err := decodeJSON(v, rec); err != nil {
				return err
			}
			if *hash != nil {
				todo = append(todo, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range todo {
			hash, keys, rec := bk.rec()
			if err := decodeJSON(b.Get(k), rec); err != nil {
				return err
			}
			// At Open: a migration, not a replicated write.
			if err := db.firstKey(context.Background(), tx, hash, keys); err != nil {
				return err
			}
			enc, err := encodeJSON(rec)
			if err != nil {
				return err
			}
			if err := b.Put(k, enc); err != nil {
				return fmt.Errorf("store: migrate keys: %w", err)
			}
		}
	}
	return meta.Put(keyKeysMigrated, []byte{1})
}
