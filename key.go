package nearby

import (
	"crypto/subtle"
	"time"
)

// KindKey prefixes the public id of a merchant API key or an agent token.
const KindKey = "key"

// MaxKeys bounds the keys one merchant, or one beacon's agent, holds at a
// time: enough to rotate without a gap, few enough to check them all.
const MaxKeys = 10

// KeyUseGranularity is how precisely a key's LastUsedAt is kept: a key is
// stamped on its first use after this long, not on every request, so that
// using a key costs no write almost always.
const KeyUseGranularity = time.Hour

// Key is one credential of a merchant (an API key) or of a beacon's agent
// (an agent token). Only the SHA-256 of its secret is kept; the secret is
// shown once, when it is issued. A merchant or a beacon may hold several
// at a time (to rotate without a gap), each with an optional expiry.
type Key struct {
	ID         uint64
	Hash       []byte
	CreatedAt  time.Time
	ExpiresAt  *time.Time `json:",omitempty"`
	LastUsedAt *time.Time `json:",omitempty"`
}

// Active reports whether k may be used at now.
func (k *Key) Active(now time.Time) bool { return k.ExpiresAt == nil || now.Before(*k.ExpiresAt) }

// MatchKey returns the active key of keys whose hash is hash, or nil. It
// compares against every key in constant time each, so the time it takes
// says nothing about which key, if any, matched.
func MatchKey(keys []Key, hash []byte, now time.Time) *Key {
	var found *Key
	for i := range keys {
		if subtle.ConstantTimeCompare(keys[i].Hash, hash) == 1 && keys[i].Active(now) {
			found = &keys[i]
		}
	}
	return found
}

// StaleUse reports whether k's LastUsedAt should be stamped at now.
func (k *Key) StaleUse(now time.Time) bool {
	return k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= KeyUseGranularity || now.Before(*k.LastUsedAt)
}
