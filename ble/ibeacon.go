package ble

import (
	"encoding/binary"
	"fmt"

	"github.com/nearby-dev/nearby"
)

// iBeacon constants (Apple "Proximity Beacon Specification" R1; the same
// layout is in every public recipe and library).
const (
	// AppleCompanyID is Apple's Bluetooth SIG company identifier, sent
	// little-endian (4C 00) at the start of the manufacturer data.
	AppleCompanyID = 0x004C
	// IBeaconType and IBeaconLen are the two bytes after the company id.
	IBeaconType = 0x02
	IBeaconLen  = 0x15
	// ManufacturerDataLen is the iBeacon manufacturer data: company (2),
	// type (1), length (1), UUID (16), major (2), minor (2), power (1).
	ManufacturerDataLen = 25
	// DefaultFlags is the flags byte of the Raspberry Pi hcitool recipe and
	// of iOS devices acting as beacons: LE General Discoverable (0x02) plus
	// simultaneous LE and BR/EDR, controller (0x08) and host (0x10).
	DefaultFlags = 0x1A
	// DefaultMeasuredPower is the RSSI at 1 m (dBm) assumed when none is
	// known: the common factory calibration of iBeacon hardware.
	DefaultMeasuredPower = -59
)

// IBeacon is an iBeacon identity and its calibrated power: the received
// signal strength at 1 m, in dBm (0 means "not calibrated").
type IBeacon struct {
	UUID          nearby.UUID
	Major, Minor  uint16
	MeasuredPower int8
}

// String returns "uuid/major/minor (power dBm)".
func (b IBeacon) String() string {
	return fmt.Sprintf("%s/%d/%d (%d dBm)", b.UUID, b.Major, b.Minor, b.MeasuredPower)
}

// Identity returns the beacon's major/minor identity in the domain's terms.
func (b IBeacon) Identity() nearby.Identity {
	return nearby.Identity{UUID: b.UUID, Major: b.Major, Minor: b.Minor}
}

// AppendManufacturerData appends the 25-byte manufacturer data (company id
// first) to dst.
func (b IBeacon) AppendManufacturerData(dst []byte) []byte {
	dst = append(dst, byte(AppleCompanyID&0xff), byte(AppleCompanyID>>8), IBeaconType, IBeaconLen)
	dst = append(dst, b.UUID[:]...)
	dst = binary.BigEndian.AppendUint16(dst, b.Major)
	dst = binary.BigEndian.AppendUint16(dst, b.Minor)
	return append(dst, byte(b.MeasuredPower))
}

// ManufacturerData returns the manufacturer data as phone APIs report it:
// 4C 00 02 15, UUID, major and minor big-endian, measured power.
func (b IBeacon) ManufacturerData() []byte {
	return b.AppendManufacturerData(make([]byte, 0, ManufacturerDataLen))
}

// AdvertisingData returns the 30 bytes of advertising data a beacon sends:
// the flags structure (02 01 1A) then the manufacturer structure (1A FF ...).
func (b IBeacon) AdvertisingData() []byte {
	return b.AppendAdvertisingData(make([]byte, 0, 30), DefaultFlags)
}

// AppendAdvertisingData appends the advertising data with the given flags
// byte to dst.
func (b IBeacon) AppendAdvertisingData(dst []byte, flags byte) []byte {
	dst = AppendAD(dst, ADFlags, []byte{flags})
	dst = append(dst, ManufacturerDataLen+1, ADManufacturerData)
	return b.AppendManufacturerData(dst)
}

// ParseManufacturerData decodes iBeacon manufacturer data (starting with the
// company id). The error says which field is wrong.
func ParseManufacturerData(m []byte) (IBeacon, error) {
	var b IBeacon
	if len(m) < 2 {
		return b, fmt.Errorf("ble: ibeacon: manufacturer data is %d bytes, no company id: %w", len(m), ErrTruncated)
	}
	if c := binary.LittleEndian.Uint16(m); c != AppleCompanyID {
		return b, fmt.Errorf("ble: ibeacon: company id 0x%04x, want 0x004c (Apple): %w", c, ErrMalformed)
	}
	if len(m) < 4 {
		return b, fmt.Errorf("ble: ibeacon: manufacturer data is %d bytes, no type and length: %w", len(m), ErrTruncated)
	}
	if m[2] != IBeaconType {
		return b, fmt.Errorf("ble: ibeacon: Apple type 0x%02x, want 0x02 (iBeacon): %w", m[2], ErrMalformed)
	}
	if m[3] != IBeaconLen {
		return b, fmt.Errorf("ble: ibeacon: length byte 0x%02x, want 0x15: %w", m[3], ErrMalformed)
	}
	switch {
	case len(m) < ManufacturerDataLen:
		return b, fmt.Errorf("ble: ibeacon: manufacturer data is %d bytes, want 25: %w", len(m), ErrTruncated)
	case len(m) > ManufacturerDataLen:
		return b, fmt.Errorf("ble: ibeacon: manufacturer data is %d bytes, want 25: %w", len(m), ErrMalformed)
	}
	copy(b.UUID[:], m[4:20])
	b.Major = binary.BigEndian.Uint16(m[20:])
	b.Minor = binary.BigEndian.Uint16(m[22:])
	b.MeasuredPower = int8(m[24])
	return b, nil
}

// ParseIBeacon decodes advertising data that must carry an iBeacon frame.
func ParseIBeacon(ad []byte) (IBeacon, error) {
	f, err := DecodeAD(ad)
	if err != nil {
		return IBeacon{}, err
	}
	if f.IBeacon == nil {
		return IBeacon{}, fmt.Errorf("ble: ibeacon: advertising data carries %s: %w", f.Type, ErrNoBeacon)
	}
	return *f.IBeacon, nil
}
