package store

import (
	"context"
	"fmt"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// Webhook buckets, created on first use.
var (
	bucketWebhooks         = []byte("webhooks")          // webhookID -> JSON
	bucketMerchantWebhooks = []byte("merchant_webhooks") // merchantID|webhookID
)

func webhookBuckets(tx *bolt.Tx) (hooks, byMerchant *bolt.Bucket, err error) {
	if hooks, err = tx.CreateBucketIfNotExists(bucketWebhooks); err != nil {
		return nil, nil, fmt.Errorf("store: webhook bucket: %w", err)
	}
	if byMerchant, err = tx.CreateBucketIfNotExists(bucketMerchantWebhooks); err != nil {
		return nil, nil, fmt.Errorf("store: webhook bucket: %w", err)
	}
	return hooks, byMerchant, nil
}

// CreateWebhook stores w for w.MerchantID and sets its ID, CreatedAt and
// Delivery.Cursor: the stream's head, so that it is told of events from
// now on. A merchant has at most nearby.MaxWebhooks (ECONFLICT).
func (db *DB) CreateWebhook(ctx context.Context, w *nearby.Webhook) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	rec := *w
	err := db.update(ctx, func(tx *bolt.Tx) error {
		if !merchantExists(tx, w.MerchantID) {
			return nearby.Invalid("merchant_id", "is not a merchant")
		}
		hooks, byMerchant, err := webhookBuckets(tx)
		if err != nil {
			return err
		}
		if n := len(listIDs(byMerchant, hooks, w.MerchantID, 0, nearby.MaxWebhooks)); n >= nearby.MaxWebhooks {
			return conflict("url", "is one endpoint too many: a merchant has at most %d", nearby.MaxWebhooks)
		}
		if rec.ID, err = hooks.NextSequence(); err != nil {
			return fmt.Errorf("store: webhook sequence: %w", err)
		}
		rec.CreatedAt = db.stamp(ctx)
		rec.Delivery = nearby.WebhookDelivery{}
		if s := tx.Bucket(bucketStream); s != nil {
			rec.Delivery.Cursor = s.Sequence()
		}
		if err := putJSON(hooks, rec.ID, &rec); err != nil {
			return err
		}
		if err := byMerchant.Put(pair(rec.MerchantID, rec.ID), nil); err != nil {
			return fmt.Errorf("store: put merchant webhook: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*w = rec
	return nil
}

func getWebhook(tx *bolt.Tx, merchantID, id uint64) (*nearby.Webhook, error) {
	hooks := tx.Bucket(bucketWebhooks)
	if hooks == nil {
		return nil, notFound("webhook")
	}
	v := hooks.Get(u64(id))
	if v == nil {
		return nil, notFound("webhook")
	}
	var w nearby.Webhook
	if err := decodeJSON(v, &w); err != nil {
		return nil, err
	}
	if merchantID != 0 && w.MerchantID != merchantID {
		return nil, notFound("webhook")
	}
	return &w, nil
}

// GetWebhook returns endpoint id of merchantID (0: any).
func (db *DB) GetWebhook(ctx context.Context, merchantID, id uint64) (*nearby.Webhook, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var w *nearby.Webhook
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		w, err = getWebhook(tx, merchantID, id)
		return err
	})
	return w, err
}

// ListWebhooks returns merchantID's endpoints (0: every merchant's), by id.
func (db *DB) ListWebhooks(ctx context.Context, merchantID uint64) ([]*nearby.Webhook, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	out := []*nearby.Webhook{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		hooks, byMerchant := tx.Bucket(bucketWebhooks), tx.Bucket(bucketMerchantWebhooks)
		if hooks == nil || byMerchant == nil {
			return nil
		}
		for _, id := range listIDs(byMerchant, hooks, merchantID, 0, 0) {
			w, err := getWebhook(tx, 0, id)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	return out, err
}

// DeleteWebhook deletes endpoint id of merchantID (0: any).
func (db *DB) DeleteWebhook(ctx context.Context, merchantID, id uint64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		w, err := getWebhook(tx, merchantID, id)
		if err != nil {
			return err
		}
		hooks, byMerchant, err := webhookBuckets(tx)
		if err != nil {
			return err
		}
		if err := byMerchant.Delete(pair(w.MerchantID, id)); err != nil {
			return fmt.Errorf("store: delete webhook: %w", err)
		}
		return hooks.Delete(u64(id))
	})
}

// SetWebhookDelivery records where endpoint id's deliveries stand and
// whether it is disabled. A cursor never moves back: a late write of an
// older state (two deliverers racing) is ignored. ENOTFOUND once deleted.
func (db *DB) SetWebhookDelivery(ctx context.Context, id uint64, d nearby.WebhookDelivery, disabled bool) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		w, err := getWebhook(tx, 0, id)
		if err != nil {
			return err
		}
		if d.Cursor < w.Delivery.Cursor {
			return nil
		}
		w.Delivery, w.Disabled = d, disabled
		return putJSON(tx.Bucket(bucketWebhooks), id, w)
	})
}
