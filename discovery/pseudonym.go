package discovery

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
)

// PseudonymKeyLen is the length of a generated pseudonym key; a given key
// must have at least MinPseudonymKeyLen bytes.
const (
	PseudonymKeyLen    = 32
	MinPseudonymKeyLen = 16
)

// PseudonymPrefix starts every device pseudonym, so that one is never
// mistaken for the id a phone sent.
const PseudonymPrefix = "dv_"

// NewPseudonymKey returns a random pseudonym key.
func NewPseudonymKey() []byte {
	k := make([]byte, PseudonymKeyLen)
	_, _ = rand.Read(k) // crypto/rand.Read never fails (Go 1.24+)
	return k
}

// pseudonyms turns the device ids phones and agents send into per-merchant
// pseudonyms: HMAC-SHA256(key, merchant id (8 bytes, big-endian) ‖ device
// id), truncated to 128 bits and written as hex. One merchant sees one
// stable pseudonym per phone; two merchants see unrelated ones and cannot
// join their data; nobody without the key can go back to the device id
// or test a guess of it. A new key gives every phone new pseudonyms.
type pseudonyms struct{ key []byte }

func newPseudonyms(key []byte) (pseudonyms, error) {
	if key == nil {
		return pseudonyms{key: NewPseudonymKey()}, nil
	}
	if len(key) < MinPseudonymKeyLen {
		return pseudonyms{}, errors.New("discovery: the pseudonym key must have at least 16 bytes")
	}
	return pseudonyms{key: append([]byte(nil), key...)}, nil
}

// of returns the merchant's pseudonym of device; "" stays "" (no device
// known), and so does any device id when there is no merchant to scope it
// to (merchantID 0): such an id is dropped, not kept.
func (p pseudonyms) of(merchantID uint64, device string) string {
	if device == "" || merchantID == 0 {
		return ""
	}
	m := hmac.New(sha256.New, p.key)
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], merchantID)
	m.Write(id[:])
	m.Write([]byte(device))
	sum := m.Sum(nil)
	return PseudonymPrefix + hex.EncodeToString(sum[:16])
}
