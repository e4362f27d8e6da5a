package ble

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/nearby-dev/nearby/rotation"
)

// RotatingIBeacon returns base with the major and minor a rotating beacon
// advertises at t (package rotation: HMAC-SHA256 of the window under the
// beacon's secret); the UUID and measured power stay base's.
func RotatingIBeacon(base IBeacon, secret []byte, periodS int, t time.Time) (IBeacon, error) {
	id, err := rotation.At(base.UUID, secret, periodS, t)
	if err != nil {
		return IBeacon{}, fmt.Errorf("ble: rotating identity: %w", err)
	}
	base.Major, base.Minor = id.Major, id.Minor
	return base, nil
}

// EIDExponent is the Eddystone-EID rotation exponent K of a rotation
// period: the largest K with 2^K <= periodS, at most
// MaxEIDRotationExponent. EID windows are powers of two seconds, so an
// EID frame rotates at least as often as the iBeacon identity.
func EIDExponent(periodS int) uint8 {
	if periodS <= 1 {
		return 0
	}
	return uint8(min(bits.Len(uint(periodS))-1, MaxEIDRotationExponent))
}

// RotatingEID returns the Eddystone-EID a rotating beacon broadcasts at t:
// ComputeEID with the beacon's secret as the identity key, the rotation
// exponent EIDExponent(periodS) and the Unix time as the beacon time
// (epoch 1970-01-01, truncated to 32 bits as the specification's clock is).
func RotatingEID(secret []byte, periodS int, t time.Time) ([8]byte, error) {
	var key [16]byte
	if len(secret) != len(key) {
		return [8]byte{}, fmt.Errorf("ble: rotating eid: %w", rotation.ErrSecret)
	}
	copy(key[:], secret)
	return ComputeEID(key, EIDExponent(periodS), uint32(t.Unix()))
}
