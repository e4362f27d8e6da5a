package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// Alert buckets, created by the first write that needs them so that a
// file written before alerts existed opens unchanged.
var (
	bucketAlerts         = []byte("alerts")          // alertID -> JSON
	bucketMerchantAlerts = []byte("merchant_alerts") // merchantID|alertID
	bucketOpenAlerts     = []byte("open_alerts")     // merchantID|beaconID|kind -> alertID
)

func openAlertKey(merchantID, beaconID uint64, kind nearby.AlertKind) []byte {
	k := make([]byte, 0, 16+len(kind))
	k = binary.BigEndian.AppendUint64(k, merchantID)
	k = binary.BigEndian.AppendUint64(k, beaconID)
	return append(k, kind...)
}

func alertBuckets(tx *bolt.Tx) (alerts, byMerchant, open *bolt.Bucket, err error) {
	for _, p := range []struct {
		b    **bolt.Bucket
		name []byte
	}{{&alerts, bucketAlerts}, {&byMerchant, bucketMerchantAlerts}, {&open, bucketOpenAlerts}} {
		if *p.b, err = tx.CreateBucketIfNotExists(p.name); err != nil {
			return nil, nil, nil, fmt.Errorf("store: alert bucket: %w", err)
		}
	}
	return alerts, byMerchant, open, nil
}

// RaiseAlert opens a.Kind for a.BeaconID of a.MerchantID, or, when that
// alert is open already, updates its LastAt and Evidence. *a becomes the
// alert as committed (a new one gets its ID, State open and Since as
// given). It is deterministic: replicas applying the same raises in the
// same order allocate the same ids.
func (db *DB) RaiseAlert(ctx context.Context, a *nearby.Alert) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	var rec nearby.Alert
	err := db.update(ctx, func(tx *bolt.Tx) error {
		alerts, byMerchant, open, err := alertBuckets(tx)
		if err != nil {
			return err
		}
		key := openAlertKey(a.MerchantID, a.BeaconID, a.Kind)
		if v := open.Get(key); len(v) == 8 {
			if err := decodeJSON(alerts.Get(v), &rec); err != nil {
				return err
			}
			rec.LastAt, rec.Evidence = a.LastAt, a.Evidence
			return putJSON(alerts, rec.ID, &rec) // still open: nothing new to tell
		}
		rec = *a
		if rec.ID, err = alerts.NextSequence(); err != nil {
			return fmt.Errorf("store: alert sequence: %w", err)
		}
		rec.State, rec.ResolvedAt = nearby.AlertOpen, nil
		if err := putJSON(alerts, rec.ID, &rec); err != nil {
			return err
		}
		if err := byMerchant.Put(pair(rec.MerchantID, rec.ID), nil); err != nil {
			return fmt.Errorf("store: put merchant alert: %w", err)
		}
		if err := db.appendStream(tx, rec.MerchantID, nearby.StreamAlert, alertOf(&rec)); err != nil {
			return err
		}
		return open.Put(key, u64(rec.ID))
	})
	if err != nil {
		return err
	}
	*a = rec
	return nil
}

// ResolveAlert resolves the open alert of kind for beaconID of merchantID
// at at, and returns it; nil when none is open.
func (db *DB) ResolveAlert(ctx context.Context, merchantID, beaconID uint64, kind nearby.AlertKind, at time.Time) (*nearby.Alert, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out *nearby.Alert
	err := db.update(ctx, func(tx *bolt.Tx) error {
		alerts, _, open, err := alertBuckets(tx)
		if err != nil {
			return err
		}
		key := openAlertKey(merchantID, beaconID, kind)
		v := open.Get(key)
		if len(v) != 8 {
			return nil
		}
		var rec nearby.Alert
		if err := decodeJSON(alerts.Get(v), &rec); err != nil {
			return err
		}
		rec.State, rec.ResolvedAt = nearby.AlertResolved, &at
		if err := putJSON(alerts, rec.ID, &rec); err != nil {
			return err
		}
		out = &rec
		if err := db.appendStream(tx, rec.MerchantID, nearby.StreamAlert, alertOf(&rec)); err != nil {
			return err
		}
		return open.Delete(key)
	})
	return out, err
}

// ListAlerts returns up to limit of merchantID's alerts matching f with
// ids greater than afterID, ascending.
func (db *DB) ListAlerts(ctx context.Context, merchantID, afterID uint64, limit int, f nearby.AlertFilter) ([]*nearby.Alert, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	out := []*nearby.Alert{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		alerts, byMerchant := tx.Bucket(bucketAlerts), tx.Bucket(bucketMerchantAlerts)
		if alerts == nil || byMerchant == nil || afterID == ^uint64(0) {
			return nil
		}
		c := byMerchant.Cursor()
		for k, _ := c.Seek(pair(merchantID, afterID+1)); len(k) == 16 && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
			if binary.BigEndian.Uint64(k) != merchantID {
				break
			}
			var a nearby.Alert
			if err := decodeJSON(alerts.Get(k[8:]), &a); err != nil {
				return err
			}
			if (f.State == "" || a.State == f.State) && (f.Kind == "" || a.Kind == f.Kind) {
				out = append(out, &a)
			}
		}
		return nil
	})
	return out, err
}

// OpenAlerts calls fn with every open alert of merchantID (0: all) and
// beaconID (0: all of the merchant's), ordered by merchant, beacon, kind.
func (db *DB) OpenAlerts(ctx context.Context, merchantID, beaconID uint64, fn func(*nearby.Alert) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		alerts, open := tx.Bucket(bucketAlerts), tx.Bucket(bucketOpenAlerts)
		if alerts == nil || open == nil {
			return nil
		}
		var prefix []byte
		if merchantID != 0 {
			prefix = binary.BigEndian.AppendUint64(prefix, merchantID)
			if beaconID != 0 {
				prefix = binary.BigEndian.AppendUint64(prefix, beaconID)
			}
		}
		c := open.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := ctxErr(ctx); err != nil {
				return err
			}
			var a nearby.Alert
			if err := decodeJSON(alerts.Get(v), &a); err != nil {
				return err
			}
			if err := fn(&a); err != nil {
				return err
			}
		}
		return nil
	})
}
