package ble

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// FrameType names a decoded frame as `beacon-agent decode` prints it.
type FrameType string

// Frame types.
const (
	TypeIBeacon      FrameType = "ibeacon"
	TypeEddystoneUID FrameType = "eddystone-uid"
	TypeEddystoneURL FrameType = "eddystone-url"
	TypeEddystoneTLM FrameType = "eddystone-tlm"
	TypeEddystoneEID FrameType = "eddystone-eid"
)

// Layer says what the decoded bytes were.
type Layer string

// Layers accepted by Decode.
const (
	LayerAD               Layer = "advertising-data"
	LayerManufacturerData Layer = "manufacturer-data"
	LayerServiceData      Layer = "service-data"
	LayerHCICommand       Layer = "hci-command"
	LayerHCIEvent         Layer = "hci-event"
)

// Frame is one decoded beacon frame; exactly one of the frame pointers is
// set, as Type says.
type Frame struct {
	Type    FrameType
	IBeacon *IBeacon
	UID     *EddystoneUID
	URL     *EddystoneURL
	TLM     *EddystoneTLM
	EID     *EddystoneEID

	Layer    Layer
	HasFlags bool // advertising data carried a flags structure
	Flags    byte
	// Set when the frame came from an HCI LE Advertising Report.
	Address string
	RSSI    int8
}

// DecodeAD finds the beacon frame in advertising data. A well-formed
// advertisement without one is an error wrapping ErrNoBeacon that names what
// it did carry; an Apple iBeacon or Eddystone structure that is itself wrong
// returns that structure's error.
func DecodeAD(ad []byte) (Frame, error) {
	ss, err := ParseAD(ad)
	if err != nil {
		return Frame{}, err
	}
	f := Frame{Layer: LayerAD}
	var seen []string
	for _, s := range ss {
		switch s.Type {
		case ADFlags:
			if len(s.Data) == 1 {
				f.HasFlags, f.Flags = true, s.Data[0]
			}
		case ADManufacturerData:
			if len(s.Data) < 2 {
				seen = append(seen, fmt.Sprintf("manufacturer data of %d bytes", len(s.Data)))
				continue
			}
			c := binary.LittleEndian.Uint16(s.Data)
			switch {
			case c != AppleCompanyID:
				seen = append(seen, fmt.Sprintf("manufacturer data of company 0x%04x, not Apple 0x004c", c))
				continue
			case len(s.Data) >= 3 && s.Data[2] != IBeaconType:
				seen = append(seen, fmt.Sprintf("Apple manufacturer data of type 0x%02x, not iBeacon 0x02", s.Data[2]))
				continue
			}
			b, err := ParseManufacturerData(s.Data)
			if err != nil {
				return Frame{}, err
			}
			f.Type, f.IBeacon = TypeIBeacon, &b
			return f, nil
		case ADServiceData16:
			if len(s.Data) < 2 || binary.LittleEndian.Uint16(s.Data) != EddystoneUUID {
				seen = append(seen, "service data of another service")
				continue
			}
			e, err := ParseEddystone(s.Data[2:])
			if err != nil {
				return Frame{}, err
			}
			e.Layer, e.HasFlags, e.Flags = f.Layer, f.HasFlags, f.Flags
			return e, nil
		}
	}
	if len(seen) == 0 {
		seen = append(seen, fmt.Sprintf("%d AD structures, none a manufacturer or service data", len(ss)))
	}
	return Frame{}, fmt.Errorf("ble: advertising data carries %s: %w", strings.Join(seen, "; "), ErrNoBeacon)
}

// Decode decodes the bytes a phone, a scanner or the agent may show: in
// order, an HCI LE Advertising Report event, advertising data (with or
// without flags, zero-padded or not), the parameters of HCI LE Set
// Advertising Data (a length byte then the data), iBeacon manufacturer data
// alone (4C 00 ...), or Eddystone service data alone (AA FE ...). When no
// reading fits it returns the error of the most likely one.
func Decode(b []byte) (Frame, error) {
	if len(b) >= 3 && b[0] == hciEventPacket && b[1] == evtLEMeta {
		rs, err := ParseLEAdvertisingReport(b)
		if err != nil {
			return Frame{}, err
		}
		f, err := DecodeAD(rs[0].Data)
		if err != nil {
			return Frame{}, fmt.Errorf("ble: hci report from %s: %w", rs[0].Address(), err)
		}
		f.Layer, f.Address, f.RSSI = LayerHCIEvent, rs[0].Address(), rs[0].RSSI
		return f, nil
	}
	f, adErr := DecodeAD(b)
	if adErr == nil {
		return f, nil
	}
	if n := len(b); n > 1 && b[0] > 0 && int(b[0]) <= MaxADLen && int(b[0]) < n && allZero(b[1+int(b[0]):]) {
		if f, err := DecodeAD(b[1 : 1+int(b[0])]); err == nil {
			f.Layer = LayerHCICommand
			return f, nil
		}
	}
	if len(b) >= 2 && binary.LittleEndian.Uint16(b) == AppleCompanyID {
		ib, err := ParseManufacturerData(b)
		if err != nil {
			return Frame{}, err
		}
		return Frame{Type: TypeIBeacon, IBeacon: &ib, Layer: LayerManufacturerData}, nil
	}
	if len(b) >= 2 && binary.LittleEndian.Uint16(b) == EddystoneUUID {
		f, err := ParseEddystone(b[2:])
		if err != nil {
			return Frame{}, err
		}
		f.Layer = LayerServiceData
		return f, nil
	}
	return Frame{}, adErr
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// MeasuredPower returns the frame's calibrated RSSI at 1 m, converting
// Eddystone's 0 m calibration; false for frames without one (TLM).
func (f Frame) MeasuredPower() (int, bool) {
	switch {
	case f.IBeacon != nil:
		return int(f.IBeacon.MeasuredPower), f.IBeacon.MeasuredPower != 0
	case f.UID != nil:
		return int(f.UID.TxPower) - EddystoneLossAt1m, true
	case f.URL != nil:
		return int(f.URL.TxPower) - EddystoneLossAt1m, true
	case f.EID != nil:
		return int(f.EID.TxPower) - EddystoneLossAt1m, true
	}
	return 0, false
}

// MarshalJSON renders the frame as `beacon-agent decode` prints it: "type"
// first, then the frame's fields ("uuid", "major", "minor", "measured_power"
// for an iBeacon; Eddystone "tx_power" is at 0 m and "measured_power" at
// 1 m), then where it was found ("layer", "flags", and "address" and "rssi"
// for HCI events).
func (f Frame) MarshalJSON() ([]byte, error) {
	var o object
	o.add("type", f.Type)
	tx := func(p int8) {
		o.add("tx_power", p)
		o.add("measured_power", int(p)-EddystoneLossAt1m)
	}
	switch {
	case f.IBeacon != nil:
		o.add("uuid", f.IBeacon.UUID.String())
		o.add("major", f.IBeacon.Major)
		o.add("minor", f.IBeacon.Minor)
		o.add("measured_power", f.IBeacon.MeasuredPower)
	case f.UID != nil:
		o.add("namespace", hex.EncodeToString(f.UID.Namespace[:]))
		o.add("instance", hex.EncodeToString(f.UID.Instance[:]))
		tx(f.UID.TxPower)
	case f.URL != nil:
		o.add("url", f.URL.URL)
		tx(f.URL.TxPower)
	case f.EID != nil:
		o.add("eid", hex.EncodeToString(f.EID.EID[:]))
		tx(f.EID.TxPower)
	case f.TLM != nil:
		t := f.TLM
		o.add("version", t.Version)
		if t.Version == 1 {
			o.add("etlm", hex.EncodeToString(t.ETLM[:]))
			o.add("salt", t.Salt)
			o.add("mic", t.MIC)
			break
		}
		o.add("battery_mv", t.BatteryMV)
		if c, ok := t.Temperature(); ok {
			o.add("temperature_c", c)
		} else {
			o.add("temperature_c", nil)
		}
		o.add("adv_count", t.AdvCount)
		o.add("uptime_s", t.UptimeSeconds())
	default:
		return nil, errors.New("ble: frame: empty frame")
	}
	o.add("layer", f.Layer)
	if f.HasFlags {
		o.add("flags", fmt.Sprintf("0x%02x", f.Flags))
	}
	if f.Layer == LayerHCIEvent {
		o.add("address", f.Address)
		o.add("rssi", f.RSSI)
	}
	return o.bytes()
}

// object writes a JSON object with keys in insertion order.
type object struct {
	buf []byte
	err error
}

func (o *object) add(k string, v any) {
	if o.err != nil {
		return
	}
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.buf = strconv.AppendQuote(o.buf, k)
	o.buf = append(o.buf, ':')
	b, err := json.Marshal(v)
	o.buf, o.err = append(o.buf, b...), err
}

func (o *object) bytes() ([]byte, error) { return append(o.buf, '}'), o.err }
