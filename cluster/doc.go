// Package cluster makes discoveryd replicas of one registry: every write
// the discovery service makes (a discovery.Command) is appended to a NATS
// JetStream stream replicated three ways, and every node applies the
// stream, in order, to its own bbolt registry and catalog with the same
// Service.Apply a single node uses. Reads never touch NATS.
//
// A Node embeds a nats-server (JetStream on, every write fsynced, its store
// under the data dir, routes to the peers) or connects to an existing NATS
// deployment. Node.Wrap is the service's discovery.Options.Submit: a write
// is stamped with its time, published (with a Nats-Msg-Id, retried through
// an election up to the write timeout, then refused as unavailable), and
// answered with the outcome of this node's own apply of that entry
// (read-your-writes on the node that took it).
//
// # Determinism
//
// Ids, conflicts and validation against the registry are decided in the
// apply from the state all replicas share. The two inputs that used to come
// from the replica itself are replicated: the command's time (Command.At,
// honoured by the store through store.WithApplied) and the proximity UUID
// of allocated beacon identities (the stream's first entry, applied with
// store.SetProximityUUID). Event batches carry a Nats-Msg-Id hashed from
// their beacon and event ids, and the store's 31-day deduplication by event
// id keeps counts exact beyond the stream's duplicate window.
//
// # Catch-up and snapshots
//
// The applied sequence is written in the same bbolt transaction as each
// entry's effect (an entry whose command failed is recorded right after:
// its replay fails the same way), so a restarted node replays exactly the
// tail. The stream leader snapshots the registry into a JetStream object
// store every Config.SnapshotEvery entries and trims the log behind it while
// every replica is current; a node whose applied sequence is before the
// log's start restores the snapshot (Start) before the catalog is loaded
// and the apply loop follows (Follow). Ready reports the start-up replay
// done.
//
// # Caveats
//
// A node without a quorum refuses writes (EUNAVAILABLE, 503) and serves
// reads from its own, possibly stale, state. A refused write's fate is
// unknown: it may have reached the log. Entries are applied one at a time,
// so agents' event batches lose the single node's group commit. See
// docs/cluster.md.
package cluster
