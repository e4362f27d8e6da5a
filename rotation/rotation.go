package rotation

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
)

// SecretLen is the length of a beacon's rotation secret: an AES-128 key,
// so that the same secret keys Eddystone-EID.
const SecretLen = 16

// Skew is how many windows either side of the current one are accepted:
// one, for agents whose clocks are off by up to a period.
const Skew = 1

// label separates this derivation from any other use of the secret.
const label = "nearby-ibeacon-v1"

// ErrSecret is returned when a secret is not SecretLen bytes.
var ErrSecret = errors.New("rotation: secret must be 16 bytes")

// NewSecret returns a fresh random secret.
func NewSecret() []byte {
	b := make([]byte, SecretLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// Window returns the window of t for a period of periodS seconds.
func Window(t time.Time, periodS int) int64 {
	if periodS <= 0 {
		return 0
	}
	s := t.Unix()
	w := s / int64(periodS)
	if s < 0 && s%int64(periodS) != 0 {
		w-- // floor, for times before the epoch
	}
	return w
}

// Start returns when window w begins.
func Start(w int64, periodS int) time.Time {
	return time.Unix(w*int64(periodS), 0).UTC()
}

// MajorMinor returns the major and minor of window w (see the package
// documentation).
func MajorMinor(secret []byte, periodS int, w int64) (major, minor uint16, err error) {
	if len(secret) != SecretLen {
		return 0, 0, ErrSecret
	}
	m := hmac.New(sha256.New, secret)
	var buf [len(label) + 16]byte
	n := copy(buf[:], label)
	binary.BigEndian.PutUint64(buf[n:], uint64(periodS))
	binary.BigEndian.PutUint64(buf[n+8:], uint64(w))
	m.Write(buf[:])
	var sum [sha256.Size]byte
	mac := m.Sum(sum[:0])
	return binary.BigEndian.Uint16(mac[0:2]), binary.BigEndian.Uint16(mac[2:4]), nil
}

// Identity returns the identity a beacon with base's UUID advertises in
// window w.
func Identity(base nearby.UUID, secret []byte, periodS int, w int64) (nearby.Identity, error) {
	major, minor, err := MajorMinor(secret, periodS, w)
	if err != nil {
		return nearby.Identity{}, err
	}
	return nearby.Identity{UUID: base, Major: major, Minor: minor}, nil
}

// At returns the identity advertised at t.
func At(base nearby.UUID, secret []byte, periodS int, t time.Time) (nearby.Identity, error) {
	if periodS <= 0 {
		return nearby.Identity{}, fmt.Errorf("rotation: period %d s: must be positive", periodS)
	}
	return Identity(base, secret, periodS, Window(t, periodS))
}

// Accepted reports whether window seen is accepted at window now: the
// same or Skew either side.
func Accepted(seen, now int64) bool {
	d := seen - now
	return d >= -Skew && d <= Skew
}
