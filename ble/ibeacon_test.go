package ble_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ble"
)

// The Adafruit "pibeacon" Raspberry Pi recipe, as dissected at
// https://dubsman.gitlab.io/posts/what-the-hell-does-hci-tool-do.html
// (beacon_vectors.json IB-05).
const (
	recipeUUID    = "e20a39f4-73f5-4bc4-a12f-17d1ad07a961"
	recipeCommand = "hcitool -i hci0 cmd 0x08 0x0008 1E 02 01 1A 1A FF 4C 00 02 15 E2 0A 39 F4 73 F5 4B C4 A1 2F 17 D1 AD 07 A9 61 00 00 00 00 C8 00"
)

func recipeBeacon(t testing.TB) ble.IBeacon {
	u, err := nearby.ParseUUID(recipeUUID)
	if err != nil {
		t.Fatal(err)
	}
	return ble.IBeacon{UUID: u, MeasuredPower: -56}
}

func TestIBeacon_AdvertisingData(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		b := recipeBeacon(t)
		p, err := ble.SetAdvertisingDataParams(b.AdvertisingData())
		if err != nil {
			t.Fatal(err)
		}
		if got := ble.HcitoolCommand("hci0", 0x08, 0x0008, p[:]); got != recipeCommand {
			t.Errorf("got  %s\nwant %s", got, recipeCommand)
		}
	})
	t.Run("Fields", func(t *testing.T) {
		// Major and minor are big-endian, power is two's complement
		// (citruz/beacontools test_ibeacon, IB-01: major 1, minor 2, -8 dBm).
		u, _ := nearby.ParseUUID("41424344-4546-4748-4940-414243444546")
		b := ble.IBeacon{UUID: u, Major: 1, Minor: 2, MeasuredPower: -8}
		got := hex.EncodeToString(b.AppendAdvertisingData(nil, 0x06))
		if want := "0201061aff4c0002154142434445464748494041424344454600010002f8"; got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		if got, want := len(b.ManufacturerData()), ble.ManufacturerDataLen; got != want {
			t.Errorf("manufacturer data length: got %d, want %d", got, want)
		}
	})
}

func TestIBeacon_RoundTrip(t *testing.T) {
	ids := []ble.IBeacon{
		{},
		{UUID: [16]byte{0xff, 1, 2}, Major: 65535, Minor: 0, MeasuredPower: -128},
		{UUID: [16]byte{15: 0xee}, Major: 0x0102, Minor: 0x0304, MeasuredPower: 127},
		recipeBeacon(t),
	}
	for _, b := range ids {
		for _, enc := range []struct {
			name  string
			bytes []byte
			layer ble.Layer
		}{
			{"ad", b.AdvertisingData(), ble.LayerAD},
			{"ad-no-flags", append([]byte{26, 0xff}, b.ManufacturerData()...), ble.LayerAD},
			{"manufacturer", b.ManufacturerData(), ble.LayerManufacturerData},
			{"padded", append(b.AdvertisingData(), make([]byte, 32)...), ble.LayerAD},
		} {
			t.Run(enc.name, func(t *testing.T) {
				f, err := ble.Decode(enc.bytes)
				if err != nil {
					t.Fatal(err)
				}
				if f.IBeacon == nil || *f.IBeacon != b || f.Layer != enc.layer {
					t.Errorf("got %+v (%s), want %+v (%s)", f.IBeacon, f.Layer, b, enc.layer)
				}
			})
		}
		p, _ := ble.SetAdvertisingDataParams(b.AdvertisingData())
		if f, err := ble.Decode(p[:]); err != nil || *f.IBeacon != b || f.Layer != ble.LayerHCICommand {
			t.Errorf("hci params: got %+v, %v", f, err)
		}
	}
}

func TestParseManufacturerData_Errors(t *testing.T) {
	good := recipeBeacon(t).ManufacturerData()
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name     string
		in       []byte
		sentinel error
		says     string
	}{
		{"Empty", nil, ble.ErrTruncated, "no company id"},
		{"WrongCompany", mod(func(b []byte) []byte { b[0] = 0x18; b[1] = 0x01; return b }), ble.ErrMalformed, "company id 0x0118"},
		{"WrongType", mod(func(b []byte) []byte { b[2] = 0x10; return b }), ble.ErrMalformed, "type 0x10"},
		{"WrongLength", mod(func(b []byte) []byte { b[3] = 0x16; return b }), ble.ErrMalformed, "length byte 0x16"},
		{"Truncated", good[:24], ble.ErrTruncated, "24 bytes"},
		{"TooLong", append(bytes.Clone(good), 0), ble.ErrMalformed, "26 bytes"},
		{"OnlyCompany", good[:2], ble.ErrTruncated, "no type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ble.ParseManufacturerData(tt.in)
			if !errors.Is(err, tt.sentinel) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want %v saying %q", err, tt.sentinel, tt.says)
			}
		})
	}
}

func TestDecode_Errors(t *testing.T) {
	tests := []struct {
		name, hex string
		sentinel  error
		says      string
	}{
		// citruz/beacontools tests/test_parser.py test_bad_packets.
		{"ASCII", "30303030303030", ble.ErrTruncated, "declares 48 bytes"},
		{"SecondTruncated", "0201060303", ble.ErrTruncated, "offset 3"},
		{"EddystoneFrameType", "0201060303aafe1716aafe01e3123456789012346789010000000000010000", ble.ErrMalformed, "frame type 0x01"},
		// custom-components/ble_monitor test_ibeacon_iphone_ble_packet_var_2 (AD part).
		{"AppleNearbyInfo", "02011a020a0c0aff4c001005441cbd08c5", ble.ErrNoBeacon, "type 0x10"},
		// AltBeacon BeaconParserTest doesNotCashWithOverflowingByteCodeComparisonOnPdu.
		{"ShortManufacturer", "02010604ffe000be", ble.ErrNoBeacon, "company 0x00e0"},
		{"FlagsOnly", "020106", ble.ErrNoBeacon, "none a manufacturer"},
		{"IBeaconInADTruncated", "02011a1aff4c000215e20a39f473f54bc4a12f17d1ad07a961000000", ble.ErrTruncated, "declares 26 bytes"},
		{"IBeaconShortStructure", "02011a19ff4c000215e20a39f473f54bc4a12f17d1ad07a96100000000", ble.ErrTruncated, "24 bytes"},
		{"HCIEventWrongLength", "043e2a0201", ble.ErrTruncated, "parameter bytes"},
		{"ManufacturerTruncated", "4c000215e20a", ble.ErrTruncated, "want 25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ble.Decode(mustHex(t, tt.hex))
			if err == nil {
				t.Fatalf("got %+v, want an error", f)
			}
			if !errors.Is(err, tt.sentinel) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want %v saying %q", err, tt.sentinel, tt.says)
			}
		})
	}
}
