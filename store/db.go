package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/logattr"
	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout version written to the meta bucket. Open
// refuses a file written by a newer version. Version 2 keeps a program's
// stores as links only (program_stores); Open migrates a version 1 file.
// Version 3 writes stores and programs in their compact binary records
// (storeRecordV2, programRecordV2), which a version 2 build cannot read:
// the number makes it refuse the file (or a snapshot) instead of failing
// on the first record. Older records are read as they are and rewritten
// when they change, so a version 2 file needs no migration.
const SchemaVersion = 3

// DefaultTimeout is how long Open waits for the file lock held by another
// process before giving up.
const DefaultTimeout = 5 * time.Second

// Bucket names. Primary buckets map a big-endian sequence id to a record;
// index buckets hold composite keys with empty values.
var (
	bucketMeta = []byte("meta")

	bucketMerchants = []byte("merchants")
	bucketStores    = []byte("stores")
	bucketPrograms  = []byte("programs")
	bucketBeacons   = []byte("beacons")
	bucketShakes    = []byte("shakes")

	bucketMerchantStores   = []byte("merchant_stores")   // merchantID|storeID
	bucketMerchantPrograms = []byte("merchant_programs") // merchantID|programID
	bucketMerchantBeacons  = []byte("merchant_beacons")  // merchantID|beaconID
	bucketStorePrograms    = []byte("store_programs")    // storeID|programID
	bucketStoreBeacons     = []byte("store_beacons")     // storeID|beaconID
	bucketProgramBeacons   = []byte("program_beacons")   // programID|beaconID
	bucketProgramStores    = []byte("program_stores")    // programID|storeID
	bucketQRCodes          = []byte("qrcodes")           // id -> JSON
	bucketQRByCode         = []byte("qrcode_codes")      // code -> id
	bucketMerchantQRCodes  = []byte("merchant_qrcodes")  // merchantID|id
	bucketQRStats          = []byte("qrcode_stats")      // id|yyyymmdd -> qrDay
	bucketStoreQRScans     = []byte("store_qr_scans")    // storeID|yyyymmdd -> varint scans
	bucketIdentities       = []byte("beacon_identities") // uuid(16)|major|minor -> beaconID

	bucketEvents      = []byte("events")       // event key -> at (unix ns)
	bucketEventsByAt  = []byte("events_by_at") // at (unix ns)|event key
	bucketBeaconStats = []byte("beacon_stats") // beaconID|yyyymmdd -> dayRecord
	bucketStoreStats  = []byte("store_stats")  // storeID|yyyymmdd -> dayRecord

	allBuckets = [][]byte{
		bucketMeta, bucketMerchants, bucketStores, bucketPrograms, bucketBeacons, bucketShakes,
		bucketMerchantStores, bucketMerchantPrograms, bucketMerchantBeacons,
		bucketStorePrograms, bucketStoreBeacons, bucketProgramBeacons, bucketIdentities, bucketProgramStores,
		bucketQRCodes, bucketQRByCode, bucketMerchantQRCodes, bucketQRStats, bucketStoreQRScans,
		bucketEvents, bucketEventsByAt, bucketBeaconStats, bucketStoreStats, bucketKeys, bucketShakesByAt, bucketDaysToSeal,
	}

	keySchemaVersion = []byte("schema_version")
	keyProximityUUID = []byte("proximity_uuid")
	keyNextIdentity  = []byte("next_identity")
)

// Options tune Open; nil means the defaults.
type Options struct {
	// Timeout bounds the wait for the file lock; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock for CreatedAt/UpdatedAt and event retention; nil
	// means time.Now.
	Now func() time.Time
	// Logger receives start-up and maintenance messages; nil discards.
	Logger *slog.Logger
	// MinCount is the k of the statistics' minimum counts (see
	// privacy.go); 0 means nearby.DefaultMinCount, 1 turns suppression
	// off (for tests of the counting itself).
	MinCount int
	// TicketTTL is how long a shake's ticket answers (0:
	// DefaultTicketTTL); ShakeRetention how long its record is kept (0:
	// DefaultShakeRetention).
	TicketTTL, ShakeRetention time.Duration
}

// DB is the bbolt-backed registry and event store. It is safe for
// concurrent use.
type DB struct {
	bolt     *bolt.DB
	now      func() time.Time
	logger   *slog.Logger
	minCount int64
	// ticketTTL and shakeRetention: see Options.
	ticketTTL, shakeRetention time.Duration
}

// Open opens (creating if needed) the bbolt file at path, creates missing
// buckets and checks the schema version.
func Open(path string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
	}
	start := time.Now()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      o.Timeout,
		NoSync:       false, // every committed write is fsynced before it returns
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if o.MinCount <= 0 {
		o.MinCount = nearby.DefaultMinCount
	}
	if o.TicketTTL <= 0 {
		o.TicketTTL = DefaultTicketTTL
	}
	if o.ShakeRetention <= 0 {
		o.ShakeRetention = DefaultShakeRetention
	}
	db := &DB{bolt: bdb, now: o.Now, logger: o.Logger, minCount: int64(o.MinCount),
		ticketTTL: o.TicketTTL, shakeRetention: o.ShakeRetention}
	if err := bdb.Update(db.init); err != nil {
		bdb.Close()
		return nil, err
	}
	db.logger.Info("store opened", slog.String("path", path), logattr.Millis("took_ms", time.Since(start)))
	return db, nil
}

func (db *DB) init(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("store: create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keySchemaVersion); v != nil {
		if len(v) != 4 {
			return fmt.Errorf("store: corrupt schema version")
		}
		if got := binary.BigEndian.Uint32(v); got > SchemaVersion {
			return fmt.Errorf("store: file has schema version %d, this build supports up to %d", got, SchemaVersion)
		}
	}
	if v := meta.Get(keySchemaVersion); v == nil || binary.BigEndian.Uint32(v) < 2 {
		if err := migrateProgramStores(tx); err != nil {
			return err
		}
	}
	if err := meta.Put(keySchemaVersion, binary.BigEndian.AppendUint32(nil, SchemaVersion)); err != nil {
		return fmt.Errorf("store: write schema version: %w", err)
	}
	if err := db.migrateKeys(tx); err != nil {
		return err
	}
	if err := indexShakes(tx); err != nil {
		return err
	}
	if err := indexDays(tx); err != nil {
		return err
	}
	if v := meta.Get(keyProximityUUID); len(v) == 16 {
		return nil
	}
	var proximity nearby.UUID
	if _, err := rand.Read(proximity[:]); err != nil {
		return fmt.Errorf("store: proximity uuid: %w", err)
	}
	proximity[6] = proximity[6]&0x0f | 0x40 // RFC 4122 version 4
	proximity[8] = proximity[8]&0x3f | 0x80
	if err := meta.Put(keyProximityUUID, proximity[:]); err != nil {
		return fmt.Errorf("store: write proximity uuid: %w", err)
	}
	return nil
}

// Close closes the file; pending batched writes finish first.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Check runs bbolt's consistency check and returns the first problem.
func (db *DB) Check(ctx context.Context) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("store: check: %w", errors.Join(errs...))
		}
		return ctx.Err()
	})
}

// BoltStats returns bbolt's counters for /metrics.
func (db *DB) BoltStats() bolt.Stats { return db.bolt.Stats() }

// ProximityUUID is the deployment-wide iBeacon proximity UUID used for
// allocated identities: phone apps range for this one UUID.
func (db *DB) ProximityUUID() nearby.UUID {
	var u nearby.UUID
	_ = db.bolt.View(func(tx *bolt.Tx) error { u = proximityUUID(tx); return nil })
	return u
}

// proximityUUID reads the deployment's proximity UUID (see
// SetProximityUUID: a cluster may replace the one made at the first Open).
func proximityUUID(tx *bolt.Tx) nearby.UUID {
	var u nearby.UUID
	copy(u[:], tx.Bucket(bucketMeta).Get(keyProximityUUID))
	return u
}

func notFound(what string) error { return nearby.Errorf(nearby.ENOTFOUND, "%s not found", what) }

// conflict returns an ECONFLICT error naming field.
func conflict(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &nearby.Error{Code: nearby.ECONFLICT, Message: field + " " + msg,
		Fields: []nearby.FieldError{{Field: field, Message: msg}}}
}

// u64 encodes n big-endian so that keys sort numerically.
func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n) }

// pair is the composite index key a|b.
func pair(a, b uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, a)
	binary.BigEndian.PutUint64(k[8:], b)
	return k
}

// hasPrefix reports whether bucket b holds any key starting with a.
func hasPrefix(b *bolt.Bucket, a uint64) bool {
	k, _ := b.Cursor().Seek(u64(a))
	return len(k) >= 8 && binary.BigEndian.Uint64(k) == a
}

// seconds of the pair keys starting with a.
func seconds(b *bolt.Bucket, a uint64) []uint64 {
	var out []uint64
	c := b.Cursor()
	for k, _ := c.Seek(u64(a)); len(k) == 16 && binary.BigEndian.Uint64(k) == a; k, _ = c.Next() {
		out = append(out, binary.BigEndian.Uint64(k[8:]))
	}
	return out
}

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
