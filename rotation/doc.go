// Package rotation derives the rotating identities of beacons that opt in:
// the iBeacon major/minor a beacon advertises in each time window, computed
// from a per-beacon secret, so that an identity heard once stops resolving
// a window later. The beacon agent (through package ble) and discoveryd
// (through the catalog) both compute it here; it imports only the standard
// library, so discoveryd links no Bluetooth code.
//
// # Construction (version 1)
//
// The secret K is 16 random bytes that discoveryd generates per beacon and
// hands only to the beacon's agent. Time is cut into windows of P seconds
// (the beacon's rotation.period_s) counted from the Unix epoch: window
// w = floor(unix_seconds / P). In window w the beacon advertises its
// merchant's fixed proximity UUID with
//
//	mac   = HMAC-SHA256(K, "nearby-ibeacon-v1" || uint64be(P) || uint64be(w))
//	major = uint16be(mac[0:2])
//	minor = uint16be(mac[2:4])
//
// HMAC-SHA256 is a pseudo-random function: without K the identity of any
// other window cannot be told from random, and K cannot be recovered from
// identities heard. P is inside the MAC so that a change of period starts
// a fresh sequence. 32 bits per window means an attacker guessing blindly
// hits a given beacon's current identity with probability 3/2^32 per try
// (three windows are accepted, see Accepted).
//
// testdata/vectors.json holds the vectors of this construction.
package rotation
