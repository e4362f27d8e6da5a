package ble

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Eddystone constants (google/eddystone protocol-specification.md and the
// per-frame documents eddystone-uid, -url, -tlm, -eid).
const (
	// EddystoneUUID is the 16-bit service UUID, sent little-endian (AA FE).
	EddystoneUUID = 0xFEAA
	// Frame types, the first byte of the service data after the UUID.
	EddystoneUIDFrame = 0x00
	EddystoneURLFrame = 0x10
	EddystoneTLMFrame = 0x20
	EddystoneEIDFrame = 0x30
	// EddystoneLossAt1m converts Eddystone's tx power, calibrated at 0 m, to
	// a measured power at 1 m: "add 41 dBm" (eddystone-uid/README.md).
	EddystoneLossAt1m = 41
	// MaxEddystoneURLLen is how many encoded URL bytes fit a legacy frame.
	MaxEddystoneURLLen = 17
)

// EddystoneUID is a UID frame: a 10-byte namespace and a 6-byte instance.
// TxPower is calibrated at 0 m.
type EddystoneUID struct {
	TxPower   int8
	Namespace [10]byte
	Instance  [6]byte
}

// EddystoneURL is a URL frame with its URL expanded.
type EddystoneURL struct {
	TxPower int8
	URL     string
}

// EddystoneTLM is a telemetry frame. Version 0 is plain; version 1 is
// encrypted (eTLM) and only ETLM, Salt and MIC are set.
type EddystoneTLM struct {
	Version   byte
	BatteryMV uint16 // 0: not supported
	TempRaw   int16  // signed 8.8 fixed point °C; -32768 (0x8000): not supported
	AdvCount  uint32 // frames sent since power-up
	SecCount  uint32 // time since power-up, in 0.1 s
	ETLM      [12]byte
	Salt, MIC uint16
}

// Temperature returns the beacon's temperature in °C, or false when the
// beacon does not measure it.
func (t EddystoneTLM) Temperature() (float64, bool) {
	if t.Version != 0 || t.TempRaw == -32768 {
		return 0, false
	}
	return float64(t.TempRaw) / 256, true
}

// UptimeSeconds returns the time since power-up: SEC_CNT counts 0.1 s.
func (t EddystoneTLM) UptimeSeconds() float64 { return float64(t.SecCount) / 10 }

// EddystoneEID is an ephemeral-identifier frame.
type EddystoneEID struct {
	TxPower int8
	EID     [8]byte
}

// ParseEddystone decodes Eddystone service data: the bytes after the 16-bit
// service UUID, starting with the frame type.
func ParseEddystone(sd []byte) (Frame, error) {
	var f Frame
	if len(sd) == 0 {
		return f, fmt.Errorf("ble: eddystone: service data has no frame type: %w", ErrTruncated)
	}
	need := func(name string, ok bool, n int) error {
		if len(sd) < n {
			return fmt.Errorf("ble: eddystone %s: %d bytes, want %d: %w", name, len(sd), n, ErrTruncated)
		}
		if !ok {
			return fmt.Errorf("ble: eddystone %s: %d bytes, want %d: %w", name, len(sd), n, ErrMalformed)
		}
		return nil
	}
	switch sd[0] {
	case EddystoneUIDFrame:
		// 18 bytes, or 20 with the two reserved bytes; legacy beacons omit them.
		if err := need("uid", len(sd) == 18 || len(sd) == 20, 18); err != nil {
			return f, err
		}
		u := &EddystoneUID{TxPower: int8(sd[1])}
		copy(u.Namespace[:], sd[2:12])
		copy(u.Instance[:], sd[12:18])
		f.Type, f.UID = TypeEddystoneUID, u
	case EddystoneURLFrame:
		if err := need("url", true, 3); err != nil {
			return f, err
		}
		s, err := DecodeEddystoneURL(sd[2:])
		if err != nil {
			return f, err
		}
		f.Type, f.URL = TypeEddystoneURL, &EddystoneURL{TxPower: int8(sd[1]), URL: s}
	case EddystoneTLMFrame:
		if err := need("tlm", true, 2); err != nil {
			return f, err
		}
		t := &EddystoneTLM{Version: sd[1]}
		switch t.Version {
		case 0:
			if err := need("tlm", len(sd) == 14, 14); err != nil {
				return f, err
			}
			t.BatteryMV = binary.BigEndian.Uint16(sd[2:])
			t.TempRaw = int16(binary.BigEndian.Uint16(sd[4:]))
			t.AdvCount = binary.BigEndian.Uint32(sd[6:])
			t.SecCount = binary.BigEndian.Uint32(sd[10:])
		case 1:
			if err := need("etlm", len(sd) == 18, 18); err != nil {
				return f, err
			}
			copy(t.ETLM[:], sd[2:14])
			t.Salt = binary.BigEndian.Uint16(sd[14:])
			t.MIC = binary.BigEndian.Uint16(sd[16:])
		default:
			return f, fmt.Errorf("ble: eddystone tlm: version 0x%02x, want 0x00 or 0x01: %w", t.Version, ErrMalformed)
		}
		f.Type, f.TLM = TypeEddystoneTLM, t
	case EddystoneEIDFrame:
		if err := need("eid", len(sd) == 10, 10); err != nil {
			return f, err
		}
		e := &EddystoneEID{TxPower: int8(sd[1])}
		copy(e.EID[:], sd[2:10])
		f.Type, f.EID = TypeEddystoneEID, e
	default:
		return f, fmt.Errorf("ble: eddystone: frame type 0x%02x is undefined: %w", sd[0], ErrMalformed)
	}
	return f, nil
}

// URL scheme prefixes and body expansions (eddystone-url/README.md).
var (
	urlSchemes    = [...]string{"http://www.", "https://www.", "http://", "https://"}
	urlExpansions = [...]string{".com/", ".org/", ".edu/", ".net/", ".info/", ".biz/", ".gov/",
		".com", ".org", ".edu", ".net", ".info", ".biz", ".gov"}
)

// DecodeEddystoneURL expands an encoded URL: a scheme byte then the body,
// where bytes 0x00-0x0D stand for ".com/" ... ".gov".
func DecodeEddystoneURL(b []byte) (string, error) {
	if len(b) == 0 {
		return "", fmt.Errorf("ble: eddystone url: no scheme byte: %w", ErrTruncated)
	}
	if int(b[0]) >= len(urlSchemes) {
		return "", fmt.Errorf("ble: eddystone url: scheme 0x%02x, want 0x00-0x03: %w", b[0], ErrMalformed)
	}
	var sb strings.Builder
	sb.WriteString(urlSchemes[b[0]])
	for i, c := range b[1:] {
		switch {
		case int(c) < len(urlExpansions):
			sb.WriteString(urlExpansions[c])
		case c > 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			return "", fmt.Errorf("ble: eddystone url: byte %d is 0x%02x, a reserved code: %w", i+1, c, ErrMalformed)
		}
	}
	return sb.String(), nil
}

// EncodeEddystoneURL compresses a URL with the shortest scheme prefix and the
// longest expansions; it fails when the result exceeds 17 body bytes or the
// URL has characters a frame cannot carry.
func EncodeEddystoneURL(url string) ([]byte, error) {
	scheme := -1
	for i, p := range urlSchemes {
		if strings.HasPrefix(url, p) && (scheme < 0 || len(p) > len(urlSchemes[scheme])) {
			scheme = i
		}
	}
	if scheme < 0 {
		return nil, fmt.Errorf("ble: eddystone url %q: must start with http:// or https://", url)
	}
	out := []byte{byte(scheme)}
	rest := url[len(urlSchemes[scheme]):]
	for len(rest) > 0 {
		code := -1
		for i, e := range urlExpansions {
			// Expansions are listed longest first for each domain, so the
			// first match is the longest.
			if strings.HasPrefix(rest, e) {
				code = i
				break
			}
		}
		if code >= 0 {
			out = append(out, byte(code))
			rest = rest[len(urlExpansions[code]):]
			continue
		}
		if c := rest[0]; c <= 0x20 || c >= 0x7f {
			return nil, fmt.Errorf("ble: eddystone url %q: character 0x%02x cannot be sent", url, c)
		}
		out = append(out, rest[0])
		rest = rest[1:]
	}
	if len(out)-1 > MaxEddystoneURLLen {
		return nil, fmt.Errorf("ble: eddystone url %q: encodes to %d bytes, at most %d fit", url, len(out)-1, MaxEddystoneURLLen)
	}
	return out, nil
}

// ServiceData returns the UID frame's service data (after the UUID), with
// the two reserved bytes.
func (u EddystoneUID) ServiceData() []byte {
	b := []byte{EddystoneUIDFrame, byte(u.TxPower)}
	b = append(b, u.Namespace[:]...)
	b = append(b, u.Instance[:]...)
	return append(b, 0, 0)
}

// EddystoneAdvertisingData returns advertising data for an Eddystone frame:
// flags 0x06, the complete 16-bit UUID list with FEAA, and the service data.
func EddystoneAdvertisingData(serviceData []byte) []byte {
	ad := AppendAD(nil, ADFlags, []byte{0x06})
	ad = AppendAD(ad, ADComplete16, []byte{0xAA, 0xFE})
	return AppendAD(ad, ADServiceData16, append([]byte{0xAA, 0xFE}, serviceData...))
}
