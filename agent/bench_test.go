package agent_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"
)

// BenchmarkSpool_Append measures durable appends (one fsynced transaction
// each) of 1 and 10 events, next to raw bbolt Puts of the same JSON under
// sequence keys with the same batching: what the spool's counters cost.
func BenchmarkSpool_Append(b *testing.B) {
	for _, n := range []int{1, 10} {
		evs := testEvents(n, t0)
		b.Run(fmt.Sprintf("spool/%d", n), func(b *testing.B) {
			sp := MustOpenSpool(b, nil)
			b.ResetTimer()
			for b.Loop() {
				if _, err := sp.Append(evs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(fmt.Sprintf("raw/%d", n), func(b *testing.B) {
			db, err := bbolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("e")); return err })
			b.ResetTimer()
			for b.Loop() {
				err := db.Update(func(tx *bbolt.Tx) error {
					bk := tx.Bucket([]byte("e"))
					for i := range evs {
						v, _ := json.Marshal(&evs[i])
						seq, _ := bk.NextSequence()
						var k [8]byte
						binary.BigEndian.PutUint64(k[:], seq)
						if err := bk.Put(k[:], v); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
