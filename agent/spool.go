package agent

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/nearby-dev/nearby"
)

// Spool defaults.
const (
	DefaultSpoolMaxEvents = 100_000 // about 20 MB of event JSON
	DefaultSpoolTimeout   = 5 * time.Second
)

var (
	bucketEvents = []byte("events") // big-endian sequence -> event JSON
	bucketMeta   = []byte("meta")   // counters and the cached config

	keyDepth      = []byte("depth")
	keyDropped    = []byte("dropped")
	keyAccepted   = []byte("accepted")
	keyDuplicates = []byte("duplicates")
	keyRejected   = []byte("rejected")
	keyConfig     = []byte("config")
	prefixGen     = "generated:"
)

// SpoolOptions tunes a spool; nil means the defaults.
type SpoolOptions struct {
	// MaxEvents bounds the events held; appending beyond it drops the
	// oldest and counts them.
	MaxEvents int
	// Timeout is how long Open waits for the file lock, so that a second
	// agent on the same spool fails instead of hanging.
	Timeout time.Duration
}

// Spool is the agent's durable outbox, a bbolt file. Every event is
// committed (fsynced) before it counts as generated; the uploader removes
// only what the daemon acknowledged. Counters live in the same transactions
// as the events they count, so a crash never makes them disagree.
type Spool struct {
	db  *bbolt.DB
	max int
}

// Record is a spooled event with its key. Err is set, and Event zero, when
// the stored bytes do not decode (only a damaged file does that).
type Record struct {
	Seq   uint64
	Event nearby.Event
	Err   error
}

// SpoolStats are the spool's durable counters.
type SpoolStats struct {
	Depth      int64                      // events waiting for upload
	Dropped    int64                      // events dropped because the spool was full
	Generated  map[nearby.EventType]int64 // events ever appended, by type
	Accepted   int64                      // acknowledged by the daemon as new
	Duplicates int64                      // acknowledged by the daemon as already had
	Rejected   int64                      // refused by the daemon, or undecodable, and removed
}

// GeneratedTotal sums Generated.
func (s SpoolStats) GeneratedTotal() int64 {
	var n int64
	for _, v := range s.Generated {
		n += v
	}
	return n
}

// OpenSpool opens or creates the spool at path.
func OpenSpool(path string, opts *SpoolOptions) (*Spool, error) {
	o := SpoolOptions{MaxEvents: DefaultSpoolMaxEvents, Timeout: DefaultSpoolTimeout}
	if opts != nil {
		if opts.MaxEvents > 0 {
			o.MaxEvents = opts.MaxEvents
		}
		if opts.Timeout > 0 {
			o.Timeout = opts.Timeout
		}
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.Timeout})
	if err != nil {
		return nil, fmt.Errorf("agent: open spool %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketEvents, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		// Recount once at open: cheap then, and it heals a spool written
		// by a version without the counter.
		return setCounter(tx.Bucket(bucketMeta), keyDepth, int64(tx.Bucket(bucketEvents).Stats().KeyN))
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("agent: open spool %s: %w", path, err)
	}
	return &Spool{db: db, max: o.MaxEvents}, nil
}

// Close closes the file.
func (s *Spool) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("agent: close spool: %w", err)
	}
	return nil
}

// Append stores evs in one fsynced transaction and returns how many old
// events it dropped to stay within MaxEvents.
func (s *Spool) Append(evs ...nearby.Event) (dropped int, err error) {
	if len(evs) == 0 {
		return 0, nil
	}
	err = s.db.Update(func(tx *bbolt.Tx) (err error) {
		dropped = 0
		b, meta := tx.Bucket(bucketEvents), tx.Bucket(bucketMeta)
		for i := range evs {
			v, err := json.Marshal(&evs[i])
			if err != nil {
				return err
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := b.Put(seqKey(seq), v); err != nil {
				return err
			}
			if err := addCounter(meta, []byte(prefixGen+string(evs[i].Type)), 1); err != nil {
				return err
			}
		}
		// The depth is a counter: Bucket.Stats walks every page, too slow
		// to run on each append of a spool holding hours of events.
		n := counter(meta, keyDepth) + int64(len(evs))
		defer func() {
			if err == nil {
				err = setCounter(meta, keyDepth, n)
			}
		}()
		if n <= int64(s.max) {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil && n > int64(s.max); k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
			n--
			dropped++
		}
		return addCounter(meta, keyDropped, int64(dropped))
	})
	if err != nil {
		return 0, fmt.Errorf("agent: spool append: %w", err)
	}
	return dropped, nil
}

// Peek returns up to n of the oldest events, oldest first.
func (s *Spool) Peek(n int) ([]Record, error) {
	var recs []Record
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.First(); k != nil && len(recs) < n; k, v = c.Next() {
			r := Record{Seq: binary.BigEndian.Uint64(k)}
			// Unmarshal copies out of the mmap, as bbolt requires.
			if err := json.Unmarshal(v, &r.Event); err != nil {
				r.Event, r.Err = nearby.Event{}, fmt.Errorf("agent: spooled event %d: %w", r.Seq, err)
			}
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("agent: spool peek: %w", err)
	}
	return recs, nil
}

// Ack removes the events with keys seqs, which the daemon answered, and
// adds the answer's counts to the totals, in one transaction. Keys already
// gone (dropped while the upload was in flight) are skipped; removed says how
// many were still there.
func (s *Spool) Ack(seqs []uint64, accepted, duplicates, rejected int) (removed int, err error) {
	err = s.db.Update(func(tx *bbolt.Tx) error {
		removed = 0
		b, meta := tx.Bucket(bucketEvents), tx.Bucket(bucketMeta)
		for _, seq := range seqs {
			k := seqKey(seq)
			if b.Get(k) == nil {
				continue
			}
			if err := b.Delete(k); err != nil {
				return err
			}
			removed++
		}
		if err := addCounter(meta, keyDepth, -int64(removed)); err != nil {
			return err
		}
		for _, c := range []struct {
			k []byte
			n int
		}{{keyAccepted, accepted}, {keyDuplicates, duplicates}, {keyRejected, rejected}} {
			if err := addCounter(meta, c.k, int64(c.n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("agent: spool ack: %w", err)
	}
	return removed, nil
}

// Stats reads the counters and the depth.
func (s *Spool) Stats() (SpoolStats, error) {
	st := SpoolStats{Generated: make(map[nearby.EventType]int64, len(nearby.EventTypes))}
	err := s.db.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		st.Depth = counter(meta, keyDepth)
		st.Dropped = counter(meta, keyDropped)
		st.Accepted = counter(meta, keyAccepted)
		st.Duplicates = counter(meta, keyDuplicates)
		st.Rejected = counter(meta, keyRejected)
		for _, t := range nearby.EventTypes {
			st.Generated[t] = counter(meta, []byte(prefixGen+string(t)))
		}
		return nil
	})
	if err != nil {
		return SpoolStats{}, fmt.Errorf("agent: spool stats: %w", err)
	}
	return st, nil
}

// Depth returns the number of events waiting for upload.
func (s *Spool) Depth() (int64, error) {
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		n = counter(tx.Bucket(bucketMeta), keyDepth)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("agent: spool depth: %w", err)
	}
	return n, nil
}

// SaveConfig caches the last config fetched, so a restart while the daemon
// is unreachable still advertises the right identity.
func (s *Spool) SaveConfig(cfg *nearby.AgentConfig) error {
	v, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("agent: save config: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyConfig, v) })
	if err != nil {
		return fmt.Errorf("agent: save config: %w", err)
	}
	return nil
}

// ErrNoConfig is returned by Config when no config was ever saved.
var ErrNoConfig = errors.New("agent: no cached config")

// Config returns the cached config, or ErrNoConfig.
func (s *Spool) Config() (*nearby.AgentConfig, error) {
	var cfg *nearby.AgentConfig
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyConfig)
		if v == nil {
			return ErrNoConfig
		}
		cfg = new(nearby.AgentConfig)
		return json.Unmarshal(v, cfg)
	})
	if errors.Is(err, ErrNoConfig) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("agent: cached config: %w", err)
	}
	return cfg, nil
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

func counter(b *bbolt.Bucket, k []byte) int64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func addCounter(b *bbolt.Bucket, k []byte, n int64) error {
	if n == 0 {
		return nil
	}
	return setCounter(b, k, counter(b, k)+n)
}

func setCounter(b *bbolt.Bucket, k []byte, n int64) error {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(n))
	return b.Put(k, v[:])
}
