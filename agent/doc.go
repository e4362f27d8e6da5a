// Package agent is the runtime of beacon-agent, the program on a store's
// Raspberry Pi: it advertises the beacon's identity, turns what the radio
// notices into events, and delivers them to discoveryd exactly once however
// often the network, the daemon or the agent itself fails.
//
// # Pipeline
//
// Radio sightings go through a Tracker (ble's proximity tracker with
// hysteresis) which decides enter, exit (after a silence), dwell (the time
// from enter to last seen, emitted with the exit) and shake. Each event gets
// a random UUID and is appended to the Spool, a bbolt file, in a committed
// and fsynced transaction: only then does it count as generated. The Sender
// reads the oldest batch, posts it with a per-attempt timeout, and on an
// answer deletes exactly that batch in the transaction that adds the answer
// to the spool's counters. A crash after the daemon's commit but before the
// delete makes the next run re-send the batch; the daemon deduplicates by
// id, so every event is recorded once.
//
// # Failures
//
// Network errors, timeouts, 408, 429 and 5xx are retried with exponential
// backoff and equal jitter (Backoff), honouring Retry-After. A 400, 413 or
// 422 for a whole batch cannot succeed unchanged: the batch is halved until
// the refused event is alone, and that event is dropped and counted as
// rejected. Events the daemon rejects individually in a 2xx answer are
// dropped and counted likewise. Authentication failures keep the events: an
// operator can fix a token. Each distinct error is logged once, and the
// recovery is logged.
//
// The spool is bounded (SpoolOptions.MaxEvents): when full, the oldest
// events are dropped and counted, durably, and heartbeats report the count.
//
// # Identity
//
// The config fetched from the daemon is cached in the spool, so an agent
// restarted while the store is offline advertises at once. It is re-fetched
// every ConfigEvery and re-advertised when it changes; a beacon whose
// status is not active stops advertising.
//
// # Caveats
//
// Deduplication is the daemon's job and lasts as long as it keeps event ids
// (store.EventRetention). An event dropped from a full spool while its batch
// was in flight may have been delivered anyway; it is still counted as
// dropped. Event times come from the radio's clock: a Pi without a real-time
// clock must have synchronised time (systemd-timesyncd) before events count,
// or the daemon rejects them as too old or in the future.
package agent
