package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// The merchants' event stream: the outbox webhooks deliver from and GET
// /v1/events/stream serves. Each entry is written in the transaction that
// commits its event, so an event is never committed without it (nor it
// without its event). Buckets are created on first use.
var (
	bucketStream         = []byte("stream")          // seq -> merchant u64 | at i64 | type len u8 | type | data
	bucketMerchantStream = []byte("merchant_stream") // merchantID|seq
)

// StreamRetention is how long stream entries are kept: webhooks retry for
// a day, and a client may resume the stream within the retention.
const StreamRetention = 72 * time.Hour

// streamWriter appends to the stream within one write transaction: the
// buckets are looked up once and expired entries pruned once, at done.
type streamWriter struct {
	db                 *DB
	stream, byMerchant *bolt.Bucket
	now                time.Time
	err                error
}

func (db *DB) streamWriter(tx *bolt.Tx) *streamWriter {
	w := &streamWriter{db: db, now: db.now()}
	if w.stream, w.err = tx.CreateBucketIfNotExists(bucketStream); w.err == nil {
		w.byMerchant, w.err = tx.CreateBucketIfNotExists(bucketMerchantStream)
	}
	if w.err != nil {
		w.err = fmt.Errorf("store: stream bucket: %w", w.err)
	}
	return w
}

// add appends an event of typ for merchantID. The entry's time is when
// it was committed (an agent's event may be days old when it arrives);
// data carries the event's own.
func (w *streamWriter) add(merchantID uint64, typ string, data any) error {
	if w.err != nil || merchantID == 0 {
		return w.err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("store: stream data: %w", err)
	}
	seq, err := w.stream.NextSequence()
	if err != nil {
		return fmt.Errorf("store: stream sequence: %w", err)
	}
	v := make([]byte, 0, 17+len(typ)+len(raw))
	v = binary.BigEndian.AppendUint64(v, merchantID)
	v = binary.BigEndian.AppendUint64(v, uint64(w.now.UnixNano()))
	v = append(append(append(v, byte(len(typ))), typ...), raw...)
	if err := w.stream.Put(u64(seq), v); err != nil {
		return fmt.Errorf("store: put stream: %w", err)
	}
	if err := w.byMerchant.Put(pair(merchantID, seq), nil); err != nil {
		return fmt.Errorf("store: put stream index: %w", err)
	}
	return nil
}

// done prunes a batch of expired entries.
func (w *streamWriter) done() error {
	if w.err != nil {
		return w.err
	}
	return pruneStream(w.stream, w.byMerchant, w.now.Add(-w.db.streamRetention()))
}

// appendStream appends one event to the stream in tx (see streamWriter).
func (db *DB) appendStream(tx *bolt.Tx, merchantID uint64, typ string, data any) error {
	w := db.streamWriter(tx)
	if err := w.add(merchantID, typ, data); err != nil {
		return err
	}
	return w.done()
}

func pruneStream(stream, byMerchant *bolt.Bucket, cutoff time.Time) error {
	c := stream.Cursor()
	for n := 0; n < pruneBatch; n++ {
		k, v := c.First()
		if k == nil {
			return nil
		}
		ev, err := decodeStream(k, v)
		if err != nil || !ev.At.Before(cutoff) {
			return nil
		}
		if err := byMerchant.Delete(pair(ev.MerchantID, ev.Seq)); err != nil {
			return fmt.Errorf("store: prune stream: %w", err)
		}
		if err := c.Delete(); err != nil {
			return fmt.Errorf("store: prune stream: %w", err)
		}
	}
	return nil
}

func decodeStream(k, v []byte) (nearby.StreamEvent, error) {
	if len(k) != 8 || len(v) < 17 || len(v) < 17+int(v[16]) {
		return nearby.StreamEvent{}, errCorrupt
	}
	n := int(v[16])
	return nearby.StreamEvent{
		Seq: binary.BigEndian.Uint64(k), MerchantID: binary.BigEndian.Uint64(v),
		At:   time.Unix(0, int64(binary.BigEndian.Uint64(v[8:]))).UTC(),
		Type: string(v[17 : 17+n]), Data: json.RawMessage(append([]byte(nil), v[17+n:]...)),
	}, nil
}

// ReadStream returns up to limit of merchantID's stream events after seq
// afterSeq, in order.
func (db *DB) ReadStream(ctx context.Context, merchantID, afterSeq uint64, limit int) ([]nearby.StreamEvent, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []nearby.StreamEvent
	err := db.bolt.View(func(tx *bolt.Tx) error {
		stream, byMerchant := tx.Bucket(bucketStream), tx.Bucket(bucketMerchantStream)
		if stream == nil || byMerchant == nil || afterSeq == ^uint64(0) {
			return nil
		}
		c := byMerchant.Cursor()
		for k, _ := c.Seek(pair(merchantID, afterSeq+1)); len(k) == 16 && len(out) < limit; k, _ = c.Next() {
			if binary.BigEndian.Uint64(k) != merchantID {
				break
			}
			ev, err := decodeStream(k[8:], stream.Get(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	return out, err
}

// StreamHead returns the sequence number of the latest stream event of
// any merchant (0 before the first).
func (db *DB) StreamHead(ctx context.Context) (uint64, error) {
	var seq uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketStream); b != nil {
			seq = b.Sequence()
		}
		return nil
	})
	return seq, err
}

// The stream's event data: what a merchant's back end is told, with
// public ids.
type (
	agentEventData struct {
		EventID   string    `json:"event_id"`
		BeaconID  string    `json:"beacon_id"`
		StoreID   string    `json:"store_id"`
		DeviceID  string    `json:"device_id,omitempty"`
		At        time.Time `json:"at"`
		RSSI      *int      `json:"rssi,omitempty"`
		DistanceM *float64  `json:"distance_m,omitempty"`
		DwellMS   *int64    `json:"dwell_ms,omitempty"`
		Source    string    `json:"source"` // agent
	}
	shakeData struct {
		Ticket    string    `json:"ticket"`
		BeaconID  string    `json:"beacon_id,omitempty"`
		StoreID   string    `json:"store_id,omitempty"`
		ProgramID string    `json:"program_id,omitempty"`
		DeviceID  string    `json:"device_id"`
		At        time.Time `json:"at"`
		Presence  string    `json:"presence"`
		Fallback  bool      `json:"fallback"`
		Source    string    `json:"source"` // phone
	}
	alertData struct {
		AlertID    string     `json:"alert_id"`
		Kind       string     `json:"kind"`
		State      string     `json:"state"`
		BeaconID   string     `json:"beacon_id,omitempty"`
		StoreID    string     `json:"store_id,omitempty"`
		Since      time.Time  `json:"since"`
		Evidence   string     `json:"evidence"`
		ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	}
)

func optID(kind string, id uint64) string {
	if id == 0 {
		return ""
	}
	return nearby.FormatID(kind, id)
}

func agentEventOf(b *nearby.Beacon, e *nearby.Event) agentEventData {
	return agentEventData{EventID: e.ID, BeaconID: nearby.FormatID(nearby.KindBeacon, b.ID),
		StoreID: nearby.FormatID(nearby.KindStore, b.StoreID), DeviceID: e.DeviceID, At: e.At,
		RSSI: e.RSSI, DistanceM: e.DistanceM, DwellMS: e.DwellMS, Source: "agent"}
}

func shakeOf(s *nearby.Shake) shakeData {
	presence := s.Presence
	if presence == "" {
		presence = nearby.PresenceUnverified
	}
	return shakeData{Ticket: s.Ticket, BeaconID: optID(nearby.KindBeacon, s.BeaconID), StoreID: optID(nearby.KindStore, s.StoreID),
		ProgramID: optID(nearby.KindProgram, s.ProgramID), DeviceID: s.DeviceID, At: s.At, Presence: presence,
		Fallback: s.Fallback, Source: "phone"}
}

func alertOf(a *nearby.Alert) alertData {
	return alertData{AlertID: nearby.FormatID(nearby.KindAlert, a.ID), Kind: string(a.Kind), State: a.State,
		BeaconID: optID(nearby.KindBeacon, a.BeaconID), StoreID: optID(nearby.KindStore, a.StoreID),
		Since: a.Since, Evidence: a.Evidence, ResolvedAt: a.ResolvedAt}
}

// shakeMerchant is the merchant a shake is told to: its beacon's, else
// its store's (a shake chosen by location), else none.
func shakeMerchant(tx *bolt.Tx, beacon *nearby.Beacon, storeID uint64) uint64 {
	if beacon != nil {
		return beacon.MerchantID
	}
	if v := tx.Bucket(bucketStores).Get(u64(storeID)); v != nil {
		return storeMerchant(v)
	}
	return 0
}
