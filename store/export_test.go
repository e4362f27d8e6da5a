package store

import (
	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// WriteLegacyKeysForTest rewrites merchant id as an older version wrote
// it: one key hash, no key list, and not yet migrated.
func WriteLegacyKeysForTest(db *DB, id uint64, hash []byte) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMerchants)
		var m nearby.Merchant
		if err := decodeJSON(b.Get(u64(id)), &m); err != nil {
			return err
		}
		m.APIKeyHash, m.Keys = hash, nil
		if err := putJSON(b, id, &m); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete(keyKeysMigrated)
	})
}
