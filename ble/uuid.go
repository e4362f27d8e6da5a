package ble

import (
	"encoding/hex"
	"fmt"
)

// ParseUUID parses a proximity UUID written hyphenated (8-4-4-4-12) or as 32
// hex digits, in either case.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	var digits string
	switch len(s) {
	case 32:
		digits = s
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, fmt.Errorf("ble: uuid %q: hyphens must be at 8, 13, 18 and 23", s)
		}
		digits = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	default:
		return u, fmt.Errorf("ble: uuid %q: want 32 hex digits, optionally hyphenated", s)
	}
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return u, fmt.Errorf("ble: uuid %q: %w", s, err)
	}
	return u, nil
}

// FormatUUID returns u lower-case and hyphenated, as nearby.Identity holds it.
func FormatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}
