// Package store is Nearby's storage: one embedded bbolt file holding
// merchants, stores, programs, beacons, shakes, agent events and per-day
// statistics. *DB satisfies the registry and event-sink interfaces the api
// package declares.
//
// # Durability
//
// Every method that writes runs one bbolt read-write transaction and returns
// nil only after it committed with fsync (NoSync is false), so a crash never
// leaves half a logical write visible. RecordEvents, RecordShake and
// RecordHeartbeat use DB.Batch: concurrent callers share one commit (group
// commit), which is what keeps many agents fast. Open waits at most
// Options.Timeout for the file lock.
//
// # Layout
//
// Ids are bbolt NextSequence numbers, stored as big-endian uint64 keys so
// that keys sort numerically. Secondary buckets hold composite keys with
// empty values: merchant|id per kind (listing a merchant's records with a
// cursor), store|program and store|beacon (delete rules), program|beacon
// (a beacon's page), uuid|major|minor → beacon id (identity uniqueness). The
// meta bucket holds the schema version (Open refuses a newer one) and the
// deployment's proximity UUID. Every value starts with a version byte.
// Stores and programs, a million of each read in bulk at start-up and
// most of the file, use hand-written binary encodings (see encodeStore and
// encodeProgram: the id is the key's, not repeated in the value, and
// numbers are varints); merchants, beacons and shakes use JSON. Records of
// older encodings (version 1 stores, JSON programs) are read as they are,
// rewritten when they change, and by Compact. Buckets whose keys are
// appended in id order fill their pages (see fillAppend): bbolt's default
// split leaves appended pages half empty. Values are always copied out of
// the transaction.
//
// ReadStoresAndPrograms (and ForEachStore, ForEachProgram) is the start-up
// read: one read transaction whose cursor walk hands chunks of raw records
// to a decoding goroutine per core, a program's stores joined in from
// program_stores in the same pass (both are in program id order).
//
// # Replication
//
// A cluster replica (package cluster) applies a replicated log of
// commands. WithApplied passes a write the log entry it applies: the
// entry's time stamps CreatedAt, UpdatedAt and the event pruning cut-off
// instead of the clock, and the entry's sequence is recorded in the meta
// bucket in the same transaction (AppliedSeq), so that replay after a crash
// starts exactly after the last durable entry. SetProximityUUID sets the
// cluster-wide proximity UUID; WriteSnapshot and Restore copy the whole file
// out and in for a replica that joins from a snapshot.
//
// # Ownership
//
// Methods taking a merchantID return ENOTFOUND for another merchant's
// records, exactly as for missing ones; merchantID 0 means any merchant
// (internal and admin use). References must be the same merchant's:
// a program's store_ids[i] and a beacon's store_id and page.program_id
// (EINVALID naming the field). DeleteStore fails with ECONFLICT "id" while a
// beacon is installed in the store and removes the store from programs
// (DeleteStoreChanged returns those programs as committed);
// DeleteProgram fails with ECONFLICT "id" while a beacon's page shows it.
// The store does not run the domain Validate methods: the api does.
//
// # Beacon identities
//
// A beacon created without a UUID gets the deployment's random proximity
// UUID (made at first Open, see ProximityUUID) with the next free
// major/minor, counted up from 0/1: one UUID lets a phone app range for all
// of the deployment's beacons. A merchant may bring the identity of
// existing hardware instead; a (uuid, major, minor) already in use is an
// ECONFLICT naming "uuid". Identities stay reserved until the beacon is
// deleted, whatever its status.
//
// # Events and statistics
//
// RecordEvents deduplicates by event id, per beacon (the key is the beacon
// id and the event id, so tenants never collide): ids are kept
// EventRetention (30+1 days) after the event's own time and then pruned, a few hundred per
// write. Pruning is safe because the api rejects events older than
// nearby.MaxEventAge, so a pruned id can never be accepted again. In the
// same transaction each accepted event updates two day records, the
// beacon's and its store's, for the event's local date in the store's time
// zone: shake PV (shake events plus RecordShake), visits (enter events),
// dwell count and sum (dwell events' dwell_ms, averaged on read) and a total
// event count (the heatmap's StoreEventCounts). Shake UV and visitors are
// HyperLogLog sketches (github.com/axiomhq/hyperloglog, precision 14,
// m = 16384 registers) of the per-merchant device pseudonyms the service
// puts in place of device ids: the standard error is 1.04/sqrt(m) ≈ 0.81%;
// small days use the sparse representation and are nearly exact.
// TestHLL_Error measures it against exact counts. Past the dedupe window a
// day is sealed: its sketches become their estimates (seal.go).
// BeaconStats and StoreStats return every day of the inclusive range of
// calendar dates (from and to as given, not converted), zeros for days
// without data, at most MaxStatsDays, with the minimum counts of
// privacy.go applied (figures nil, Suppressed).
//
// # Retention
//
// A shake's ticket answers GetShake for Options.TicketTTL (30 minutes);
// its record is purged after Options.ShakeRetention (30 days) by later
// writes and PurgeExpired. Compact rewrites a closed file with live data
// only, so purged records' bytes are gone from it, with full pages and
// records in the current encodings.
package store
