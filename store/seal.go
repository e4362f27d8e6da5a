package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Sealing. A day's unique counts are HyperLogLog sketches of device
// pseudonyms: they are needed while events of that day may still arrive
// (and be deduplicated), that is for EventRetention. After that, and a
// day's margin for time zones, a day is sealed: its sketches are replaced
// by their estimates, so nothing derived from a device is kept about it.
// Every day record is indexed by date when it is created, so sealing reads
// only the days due.

const (
	dayBeacon byte = 0
	dayStore  byte = 1
)

var (
	statsBuckets     = [2][]byte{dayBeacon: bucketBeaconStats, dayStore: bucketStoreStats}
	bucketDaysToSeal = []byte("days_to_seal") // yyyymmdd|kind|id
	keyDaysIndexed   = []byte("days_indexed")
)

// sealKey is the seal index key of the day record k (id|yyyymmdd) of kind.
func sealKey(kind byte, k []byte) []byte {
	out := make([]byte, 0, 13)
	out = append(out, k[8:12]...)
	out = append(out, kind)
	return append(out, k[:8]...)
}

// sealAfter is how old a day must be to be sealed.
const sealAfter = EventRetention + 48*time.Hour

// seal seals up to pruneBatch days that are due; it reports whether more
// are.
func (db *DB) seal(tx *bolt.Tx) (more bool, err error) {
	cutoff := dayNum(db.now().Add(-sealAfter).UTC())
	c := tx.Bucket(bucketDaysToSeal).Cursor()
	n := 0
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		if len(k) != 13 || binary.BigEndian.Uint32(k) >= cutoff {
			return false, nil
		}
		if n == pruneBatch {
			return true, nil
		}
		if err := sealDay(tx.Bucket(statsBuckets[k[4]&1]), dayKey(binary.BigEndian.Uint64(k[5:]), binary.BigEndian.Uint32(k))); err != nil {
			return false, err
		}
		if err := c.Delete(); err != nil {
			return false, fmt.Errorf("store: seal index: %w", err)
		}
		n++
	}
	return false, nil
}

// sealDay rewrites day record k of b without its sketches.
func sealDay(b *bolt.Bucket, k []byte) error {
	v := b.Get(k)
	if v == nil {
		return nil
	}
	d, err := decodeDay(v)
	if err != nil || d.sealed {
		return err
	}
	d.sealedUV = [2]int64{d.uniques(famShake), d.uniques(famVisit)}
	d.sealed, d.shakeUV, d.visitors = true, nil, nil
	enc, err := d.encode()
	if err != nil {
		return err
	}
	if err := b.Put(k, enc); err != nil {
		return fmt.Errorf("store: seal day: %w", err)
	}
	return nil
}

// indexDays adds the day records written before the seal index existed
// to it, once.
func indexDays(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta.Get(keyDaysIndexed) != nil {
		return nil
	}
	idx := tx.Bucket(bucketDaysToSeal)
	for kind, name := range statsBuckets {
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			if len(k) != 12 || len(v) == 0 || v[0] != dayRecordV1 {
				return nil
			}
			return idx.Put(sealKey(byte(kind), k), nil)
		})
		if err != nil {
			return fmt.Errorf("store: index days: %w", err)
		}
	}
	return meta.Put(keyDaysIndexed, []byte{1})
}
