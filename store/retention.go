package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// Retention of what phones leave behind. A shake's ticket answers for
// TicketTTL after the shake; its record (with the merchant's pseudonym of
// the phone) is purged ShakeRetention after it. bbolt keeps freed pages'
// old bytes in the file until they are reused: Compact copies only live
// data into a new file, so that a purged record's bytes are gone.
const (
	DefaultTicketTTL      = 30 * time.Minute
	DefaultShakeRetention = 30 * 24 * time.Hour
)

var (
	bucketShakesByAt = []byte("shakes_by_at") // at (unix ns)|ticket
	keyShakesIndexed = []byte("shakes_indexed")
)

// shakeAtKey is the time index key of a shake.
func shakeAtKey(at time.Time, ticket string) []byte {
	return append(u64(uint64(at.UnixNano())), ticket...)
}

// pruneShakes deletes up to pruneBatch shake records older than the
// retention.
func (db *DB) pruneShakes(tx *bolt.Tx) error {
	cutoff := uint64(db.now().Add(-db.shakeRetention).UnixNano())
	shakes, c := tx.Bucket(bucketShakes), tx.Bucket(bucketShakesByAt).Cursor()
	n := 0
	for k, _ := c.First(); k != nil && n < pruneBatch; k, _ = c.First() {
		if len(k) < 8 || binary.BigEndian.Uint64(k) >= cutoff {
			break
		}
		if err := shakes.Delete(k[8:]); err != nil {
			return fmt.Errorf("store: prune shake: %w", err)
		}
		if err := c.Delete(); err != nil {
			return fmt.Errorf("store: prune shake time: %w", err)
		}
		n++
	}
	return nil
}

// PurgeExpired deletes every shake record past the retention and seals
// every day due (see seal.go); writes also do a bounded amount each, so
// this is for maintenance and tests.
func (db *DB) PurgeExpired(ctx context.Context) error {
	for {
		if err := ctxErr(ctx); err != nil {
			return err
		}
		more := false
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if err := db.pruneShakes(tx); err != nil {
				return err
			}
			if err := db.prune(ctx, tx); err != nil {
				return err
			}
			var err error
			if more, err = db.seal(tx); err != nil {
				return err
			}
			streamMore, err := db.pruneStreamExpired(tx)
			if err != nil {
				return err
			}
			cutoff := uint64(db.now().Add(-db.shakeRetention).UnixNano())
			k, _ := tx.Bucket(bucketShakesByAt).Cursor().First()
			more = more || streamMore || len(k) >= 8 && binary.BigEndian.Uint64(k) < cutoff
			return nil
		})
		if err != nil || !more {
			return err
		}
	}
}

// indexShakes builds the time index of shakes recorded before it existed,
// once.
func indexShakes(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta.Get(keyShakesIndexed) != nil {
		return nil
	}
	idx := tx.Bucket(bucketShakesByAt)
	err := tx.Bucket(bucketShakes).ForEach(func(k, v []byte) error {
		var s nearby.Shake
		if err := decodeJSON(v, &s); err != nil {
			return err
		}
		return idx.Put(shakeAtKey(s.At, string(k)), nil)
	})
	if err != nil {
		return fmt.Errorf("store: index shakes: %w", err)
	}
	return meta.Put(keyShakesIndexed, []byte{1})
}

// streamRetention is how long the merchants' event stream (the webhook
// outbox and the SSE feed) keeps an entry: StreamRetention, but never
// longer than the shake records it repeats.
func (db *DB) streamRetention() time.Duration { return min(StreamRetention, db.shakeRetention) }

// pruneStreamExpired prunes a batch of expired stream entries and reports
// whether more remain: the stream repeats shakes' tickets and pseudonyms,
// so it is purged with them even when no write comes to prune it.
func (db *DB) pruneStreamExpired(tx *bolt.Tx) (more bool, err error) {
	stream, byMerchant := tx.Bucket(bucketStream), tx.Bucket(bucketMerchantStream)
	if stream == nil || byMerchant == nil {
		return false, nil
	}
	cutoff := db.now().Add(-db.streamRetention())
	if err := pruneStream(stream, byMerchant, cutoff); err != nil {
		return false, err
	}
	k, v := stream.Cursor().First()
	if k == nil {
		return false, nil
	}
	ev, err := decodeStream(k, v)
	return err == nil && ev.At.Before(cutoff), nil
}
