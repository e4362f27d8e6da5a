package ble

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// HCI opcodes of the LE Controller commands the agent sends (Bluetooth Core
// Vol 4 Part E 7.8): OGF 0x08 with these OCFs.
const (
	OGFLEController             = 0x08
	OCFSetAdvertisingParameters = 0x0006
	OCFSetAdvertisingData       = 0x0008
	OCFSetAdvertisingEnable     = 0x000A

	hciEventPacket  = 0x04
	evtLEMeta       = 0x3E
	subevtAdvReport = 0x02
	advIntervalUnit = 625 * time.Microsecond
)

// SetAdvertisingDataParams returns the parameters of HCI LE Set Advertising
// Data: the significant length, then the data zero-padded to 31 bytes.
func SetAdvertisingDataParams(ad []byte) ([32]byte, error) {
	var p [32]byte
	if len(ad) > MaxADLen {
		return p, fmt.Errorf("ble: advertising data is %d bytes, at most %d fit: %w", len(ad), MaxADLen, ErrMalformed)
	}
	p[0] = byte(len(ad))
	copy(p[1:], ad)
	return p, nil
}

// Advertising PDU types for AdvertisingParams.Type.
const (
	AdvInd        = 0x00 // connectable and scannable: needed for the shake service
	AdvScanInd    = 0x02
	AdvNonconnInd = 0x03 // what the plain hcitool recipe uses
)

// AdvertisingParams are the parameters of HCI LE Set Advertising
// Parameters. Intervals are in units of 0.625 ms.
type AdvertisingParams struct {
	IntervalMin, IntervalMax uint16
	Type                     byte
	OwnAddressType           byte
	PeerAddressType          byte
	PeerAddress              [6]byte
	ChannelMap               byte
	FilterPolicy             byte
}

// DefaultAdvertisingInterval is 100 ms, Apple's recommendation for iBeacons.
const DefaultAdvertisingInterval = 100 * time.Millisecond

// DefaultAdvertisingParams advertises connectable (ADV_IND, so phones can
// write the shake characteristic) every 100 ms on all three channels.
func DefaultAdvertisingParams() AdvertisingParams {
	n := AdvIntervalUnits(DefaultAdvertisingInterval)
	return AdvertisingParams{IntervalMin: n, IntervalMax: n, Type: AdvInd, ChannelMap: 0x07}
}

// AdvIntervalUnits converts an interval to 0.625 ms units, clamped to the
// range the specification allows (20 ms to 10.24 s).
func AdvIntervalUnits(d time.Duration) uint16 {
	n := d / advIntervalUnit
	return uint16(min(max(n, 0x0020), 0x4000))
}

// Marshal returns the 15 parameter bytes (multi-byte fields little-endian).
func (p AdvertisingParams) Marshal() [15]byte {
	var b [15]byte
	binary.LittleEndian.PutUint16(b[0:], p.IntervalMin)
	binary.LittleEndian.PutUint16(b[2:], p.IntervalMax)
	b[4], b[5], b[6] = p.Type, p.OwnAddressType, p.PeerAddressType
	copy(b[7:13], p.PeerAddress[:])
	b[13], b[14] = p.ChannelMap, p.FilterPolicy
	return b
}

// SetAdvertisingEnableParams returns the one parameter byte of HCI LE Set
// Advertising Enable.
func SetAdvertisingEnableParams(on bool) [1]byte {
	if on {
		return [1]byte{1}
	}
	return [1]byte{0}
}

// HcitoolCommand renders an HCI command as the BlueZ hcitool invocation that
// sends it, e.g. "hcitool -i hci0 cmd 0x08 0x0008 1E 02 01 1A ...".
func HcitoolCommand(dev string, ogf, ocf uint16, params []byte) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "hcitool -i %s cmd 0x%02x 0x%04x", dev, ogf, ocf)
	for _, c := range params {
		fmt.Fprintf(&sb, " %02X", c)
	}
	return sb.String()
}

// AdvReport is one report of an HCI LE Advertising Report event.
type AdvReport struct {
	EventType   byte    // 0 ADV_IND ... 4 SCAN_RSP
	AddressType byte    // 0 public, 1 random
	Addr        [6]byte // as on the wire: least significant byte first
	Data        []byte  // advertising data; aliases the event bytes
	RSSI        int8    // dBm; 127 means not available
}

// Address returns the device address in display order, "6A:6B:C9:A2:3E:43".
func (r AdvReport) Address() string {
	a := r.Addr
	return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", a[5], a[4], a[3], a[2], a[1], a[0])
}

// ParseLEAdvertisingReport decodes an HCI LE Advertising Report event, with
// or without the leading 0x04 packet indicator of the H4 transport.
func ParseLEAdvertisingReport(b []byte) ([]AdvReport, error) {
	if len(b) > 0 && b[0] == hciEventPacket {
		b = b[1:]
	}
	if len(b) < 2 {
		return nil, fmt.Errorf("ble: hci event: %d bytes, no header: %w", len(b), ErrTruncated)
	}
	if b[0] != evtLEMeta {
		return nil, fmt.Errorf("ble: hci event: code 0x%02x, want 0x3e (LE Meta): %w", b[0], ErrMalformed)
	}
	p := b[2:]
	if int(b[1]) != len(p) {
		if int(b[1]) > len(p) {
			return nil, fmt.Errorf("ble: hci event: declares %d parameter bytes, %d present: %w", b[1], len(p), ErrTruncated)
		}
		return nil, fmt.Errorf("ble: hci event: declares %d parameter bytes, %d present: %w", b[1], len(p), ErrMalformed)
	}
	if len(p) < 2 {
		return nil, fmt.Errorf("ble: hci event: no subevent and report count: %w", ErrTruncated)
	}
	if p[0] != subevtAdvReport {
		return nil, fmt.Errorf("ble: hci event: LE subevent 0x%02x, want 0x02 (Advertising Report): %w", p[0], ErrMalformed)
	}
	n := int(p[1])
	if n == 0 {
		return nil, fmt.Errorf("ble: hci event: zero reports: %w", ErrMalformed)
	}
	// Reports are laid out field by field: n event types, n address types,
	// n addresses, n data lengths, the data, then n RSSIs.
	p = p[2:]
	fixed := n * (1 + 1 + 6 + 1)
	if len(p) < fixed {
		return nil, fmt.Errorf("ble: hci event: %d reports need %d bytes, %d present: %w", n, fixed, len(p), ErrTruncated)
	}
	rs := make([]AdvReport, n)
	total := 0
	for i := range rs {
		rs[i].EventType = p[i]
		rs[i].AddressType = p[n+i]
		copy(rs[i].Addr[:], p[2*n+6*i:])
		total += int(p[8*n+i])
	}
	if want := fixed + total + n; len(p) != want {
		err := ErrMalformed
		if len(p) < want {
			err = ErrTruncated
		}
		return nil, fmt.Errorf("ble: hci event: reports need %d bytes, %d present: %w", want, len(p), err)
	}
	off := fixed
	for i := range rs {
		l := int(p[8*n+i])
		rs[i].Data = p[off : off+l]
		off += l
	}
	for i := range rs {
		rs[i].RSSI = int8(p[off+i])
	}
	return rs, nil
}
