package nearby

import (
	"encoding/hex"
	"fmt"
)

// UUID is a 128-bit UUID in its 16 bytes, as a beacon advertises its
// proximity UUID on air. It is comparable, so an Identity can key a map,
// and it marshals as the canonical text form, so the JSON of the API and of
// stored records is the same lower-case hyphenated string it always was.
//
// The zero UUID (the nil UUID) stands for "none": a beacon created without
// an identity, which discoveryd then allocates.
type UUID [16]byte

// ParseUUID parses a UUID written hyphenated (8-4-4-4-12) or as 32 hex
// digits, in upper, lower or mixed case. Nothing else is accepted: no
// braces, no "urn:uuid:" prefix, no surrounding space.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if !u.parse(s) {
		return UUID{}, fmt.Errorf("nearby: %q is not a UUID", s)
	}
	return u, nil
}

// MustParseUUID is ParseUUID for constants and tests; it panics when s is
// not a UUID.
func MustParseUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// parse decodes s into u without allocating; on failure u is undefined.
func (u *UUID) parse(s string) bool {
	var digits [32]byte
	switch len(s) {
	case 32:
		copy(digits[:], s)
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return false
		}
		n := copy(digits[:], s[0:8])
		n += copy(digits[n:], s[9:13])
		n += copy(digits[n:], s[14:18])
		n += copy(digits[n:], s[19:23])
		copy(digits[n:], s[24:36])
	default:
		return false
	}
	// hex.Decode takes either case and rejects anything but hex digits.
	_, err := hex.Decode(u[:], digits[:])
	return err == nil
}

// String returns u lower-case and hyphenated, the one form discoveryd
// stores and reports.
func (u UUID) String() string {
	b := u.appendText(make([]byte, 0, 36))
	return string(b)
}

func (u UUID) appendText(dst []byte) []byte {
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
	return append(dst, b[:]...)
}

// IsZero reports whether u is the nil UUID, i.e. no UUID was given.
func (u UUID) IsZero() bool { return u == UUID{} }

// MarshalText implements encoding.TextMarshaler with the String form.
func (u UUID) MarshalText() ([]byte, error) { return u.appendText(nil), nil }

// AppendText implements encoding.TextAppender.
func (u UUID) AppendText(dst []byte) ([]byte, error) { return u.appendText(dst), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseUUID. The
// empty string decodes to the zero UUID, as an Identity without a UUID
// was encoded when it held a string.
func (u *UUID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*u = UUID{}
		return nil
	}
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}
