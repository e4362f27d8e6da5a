package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
)

// result is one run's outcome.
type result struct {
	events, duplicates, rejected, requests int64
	elapsed                                time.Duration
}

func (r result) rate() float64 { return float64(r.events) / r.elapsed.Seconds() }

// newBatch returns n fresh, valid events of rotating types.
func newBatch(n int, now time.Time) []nearby.Event {
	evs := make([]nearby.Event, n)
	for i := range evs {
		typ := nearby.EventTypes[i%len(nearby.EventTypes)]
		rssi, dist := -60-i%20, 1.5
		evs[i] = nearby.Event{ID: uuid.NewString(), Type: typ, At: now.Add(-time.Duration(i) * time.Second),
			DeviceID: fmt.Sprintf("bench-%d", i%37), RSSI: &rssi, DistanceM: &dist}
		if typ == nearby.EventDwell {
			ms := int64(1000 * (i + 1))
			evs[i].DwellMS = &ms
		}
	}
	return evs
}

// postLoad runs one agent per token for d, each posting batches back to
// back through its own client and connection, as real agents do, and
// counts the events the daemon accepted (durably: a 2xx comes after the
// commit).
func postLoad(ctx context.Context, server string, tokens []string, batch int, d time.Duration) (result, error) {
	var accepted, dups, rejected, requests atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(tokens))
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for _, tok := range tokens {
		c := client.New(server, tok, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}})
		wg.Go(func() {
			defer c.HTTP.CloseIdleConnections()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				evs := newBatch(batch, time.Now())
				acc, dup, err := c.PostEvents(ctx, evs)
				if err != nil {
					errc <- err
					cancel()
					return
				}
				requests.Add(1)
				accepted.Add(int64(acc))
				dups.Add(int64(dup))
				rejected.Add(int64(len(evs) - acc - dup))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errc:
		return result{}, err
	default:
	}
	return result{events: accepted.Load(), duplicates: dups.Load(), rejected: rejected.Load(),
		requests: requests.Load(), elapsed: elapsed}, nil
}

// boltLoad writes batches of the same events straight into a fresh bbolt
// file for d with n writers: each batch is keyed by event id with its JSON
// as value and committed (fsynced) in one transaction, either its own
// (Update) or coalesced with other writers' (DB.Batch, bbolt's group
// commit, which the daemon's store uses).
func boltLoad(ctx context.Context, path string, n, batch int, d time.Duration, group bool) (result, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	bucket := []byte("events")
	if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucket); return err }); err != nil {
		return result{}, err
	}
	var written atomic.Int64
	errc := make(chan error, n)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				evs := newBatch(batch, time.Now())
				vals := make([][]byte, len(evs))
				for i := range evs {
					vals[i], _ = json.Marshal(&evs[i])
				}
				put := func(tx *bbolt.Tx) error {
					b := tx.Bucket(bucket)
					for i := range evs {
						id, _ := uuid.Parse(evs[i].ID)
						if err := b.Put(id[:], vals[i]); err != nil {
							return err
						}
					}
					return nil
				}
				var err error
				if group {
					err = db.Batch(put)
				} else {
					err = db.Update(put)
				}
				if err != nil {
					errc <- err
					return
				}
				written.Add(int64(len(evs)))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errc:
		return result{}, err
	default:
	}
	return result{events: written.Load(), elapsed: elapsed}, nil
}
