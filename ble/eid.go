package ble

import (
	"crypto/aes"
	"encoding/binary"
	"fmt"
)

// MaxEIDRotationExponent is the largest rotation exponent K the Eddystone-EID
// specification allows (a new EID every 2^K seconds).
const MaxEIDRotationExponent = 15

// ComputeEID returns the ephemeral identifier a beacon with identityKey and
// rotation exponent k broadcasts at beaconTime (seconds since its epoch),
// following google/eddystone eddystone-eid/eid-computation.md: a temporary
// key AES-128(identityKey, 00*11 FF 00 00 T[31:24] T[23:16]), then the first
// 8 bytes of AES-128(temporaryKey, 00*11 K BE32(T with its K low bits
// cleared)). A resolver compares it with EddystoneEID.EID.
func ComputeEID(identityKey [16]byte, k uint8, beaconTime uint32) ([8]byte, error) {
	var eid [8]byte
	if k > MaxEIDRotationExponent {
		return eid, fmt.Errorf("ble: eid: rotation exponent %d, at most %d: %w", k, MaxEIDRotationExponent, ErrMalformed)
	}
	c, err := aes.NewCipher(identityKey[:])
	if err != nil {
		return eid, fmt.Errorf("ble: eid: %w", err)
	}
	var in, tk [16]byte
	in[11] = 0xFF
	in[14], in[15] = byte(beaconTime>>24), byte(beaconTime>>16)
	c.Encrypt(tk[:], in[:])
	c, err = aes.NewCipher(tk[:])
	if err != nil {
		return eid, fmt.Errorf("ble: eid: %w", err)
	}
	in = [16]byte{}
	in[11] = k
	binary.BigEndian.PutUint32(in[12:], beaconTime&^(1<<k-1))
	var out [16]byte
	c.Encrypt(out[:], in[:])
	copy(eid[:], out[:8])
	return eid, nil
}
