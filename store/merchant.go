package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// CreateMerchant stores m and sets its ID and CreatedAt; m.APIKeyHash, if
// set, becomes its first key (m.Keys[0]).
func (db *DB) CreateMerchant(ctx context.Context, m *nearby.Merchant) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	rec := *m
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMerchants)
		id, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("store: merchant sequence: %w", err)
		}
		rec.ID, rec.CreatedAt = id, db.stamp(ctx)
		rec.Keys = slices.Clone(rec.Keys)
		if err := db.firstKey(ctx, tx, &rec.APIKeyHash, &rec.Keys); err != nil {
			return err
		}
		return putJSON(b, id, &rec)
	})
	if err != nil {
		return err
	}
	m.ID, m.CreatedAt, m.APIKeyHash, m.Keys = rec.ID, rec.CreatedAt, nil, rec.Keys
	return nil
}

// GetMerchant returns merchant id, ENOTFOUND when there is none.
func (db *DB) GetMerchant(ctx context.Context, id uint64) (*nearby.Merchant, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var m nearby.Merchant
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMerchants).Get(u64(id))
		if v == nil {
			return notFound("merchant")
		}
		return decodeJSON(v, &m)
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// UpdateMerchant replaces merchant m.ID's name; CreatedAt and the keys
// are kept (keys change only by AddMerchantKey and RevokeMerchantKey).
func (db *DB) UpdateMerchant(ctx context.Context, m *nearby.Merchant) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	var rec nearby.Merchant
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMerchants)
		v := b.Get(u64(m.ID))
		if v == nil {
			return notFound("merchant")
		}
		if err := decodeJSON(v, &rec); err != nil {
			return err
		}
		rec.Name = m.Name
		return putJSON(b, rec.ID, &rec)
	})
	if err != nil {
		return err
	}
	m.CreatedAt, m.APIKeyHash, m.Keys = rec.CreatedAt, nil, rec.Keys
	return nil
}

// ForEachMerchant calls fn for every merchant in id order.
func (db *DB) ForEachMerchant(ctx context.Context, fn func(*nearby.Merchant) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMerchants).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctxErr(ctx); err != nil {
				return err
			}
			var m nearby.Merchant
			if err := decodeJSON(v, &m); err != nil {
				return err
			}
			if err := fn(&m); err != nil {
				return err
			}
		}
		return nil
	})
}

func putJSON(b *bolt.Bucket, id uint64, v any) error {
	enc, err := encodeJSON(v)
	if err != nil {
		return err
	}
	if err := b.Put(u64(id), enc); err != nil {
		return fmt.Errorf("store: put: %w", err)
	}
	return nil
}

// merchantExists reports whether merchant id exists; merchantID 0 ("any")
// is not a merchant.
func merchantExists(tx *bolt.Tx, id uint64) bool {
	return id != 0 && tx.Bucket(bucketMerchants).Get(u64(id)) != nil
}
