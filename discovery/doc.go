// Package discovery is the application behind discoveryd's HTTP API: it owns
// every change to the registry and the order in which it is applied, keeps
// the in-memory catalog in step with the committed registry, loads the
// catalog at start-up, decides a shake (nearest beacon, else the best
// program near the phone) and aggregates statistics.
//
// # The write seam
//
// Every registry mutation and every accepted event batch is a [Command]: a
// serialisable value saying what to change, with its inputs. The service
// builds the command (validation, secrets, tickets and timestamps are
// decided here, before it is submitted) and hands it to one function, its
// [Applier]. The default applier, [Service.Apply], commits the command to
// the registry and then applies it to the catalog, under one lock for the
// commands that change records, so the catalog sees the writes in commit
// order. A replicated deployment submits the same commands to a log and
// has every replica call Apply in the log's order: ids are allocated and
// conflicts decided in the apply, so every replica decides the same.
//
// # Privacy
//
// A device id a phone or an agent sends is replaced by the merchant's
// keyed pseudonym of it (pseudonym.go) before the command is built, so no
// command, record, log line or answer holds it. Merchants' API keys and
// agents' tokens are lists of hashed keys changed by key commands
// (keys.go), whose ids the registry allocates in the apply.
//
// # Trust, fleet health and webhooks
//
// Rotating beacons get their secret here, before their command is built;
// the catalog resolves their identities (package rotation) and says which
// sightings prove presence, which the shake records and a page may
// require. Alerts (silent, battery, temperature, spool drops, clones,
// webhooks) are raised and resolved by commands too: heartbeats and
// shakes check them as they arrive, and [Service.Run] sweeps for silent
// beacons. Every accepted event, shake and alert change enters the
// merchant's stream in the registry transaction that commits it; Run's
// deliverers, one per webhook endpoint, walk the stream from durable
// cursors, and the HTTP API serves it as Server-Sent Events.
//
// # Caveats
//
// Event batches, shakes and heartbeats do not take the write lock: they
// commute (events are deduplicated by id, counters add up), and leaving
// them out keeps bbolt's group commit of concurrent uploads.
//
// Two inputs of a replicated apply come from outside the command's
// records. Timestamps: a single node's registry stamps CreatedAt and
// UpdatedAt from its own clock; a replicated log sets Command.At at
// submit and hands it, with the entry's sequence, to the registry
// (store.WithApplied), so that every replica writes the same times. The
// proximity UUID under which a beacon created without an identity gets
// one is per registry file; a cluster replicates one UUID to all replicas
// (store.SetProximityUUID, see package cluster) before the first command.
//
// Run belongs on one node: each node that runs it delivers every webhook,
// and the alert state that tells two agents from a restart is per process.
// In a cluster the daemon runs it on the node that leads the command
// stream (daemon.Daemon.RunsBackground).
package discovery
