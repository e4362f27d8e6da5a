package ble_test

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/ble"
)

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func TestAdvertisingParams_Marshal(t *testing.T) {
	// Adafruit pibeacon / dubsman.gitlab.io recipe: "hcitool -i hci0 cmd
	// 0x08 0x0006 A0 00 A0 00 03 00 00 00 00 00 00 00 00 07 00" (100 ms,
	// ADV_NONCONN_IND, all channels).
	p := ble.DefaultAdvertisingParams()
	p.Type = ble.AdvNonconnInd
	b := p.Marshal()
	want := "hcitool -i hci0 cmd 0x08 0x0006 A0 00 A0 00 03 00 00 00 00 00 00 00 00 07 00"
	if got := ble.HcitoolCommand("hci0", ble.OGFLEController, ble.OCFSetAdvertisingParameters, b[:]); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	on := ble.SetAdvertisingEnableParams(true)
	if got := ble.HcitoolCommand("hci0", 0x08, 0x000a, on[:]); got != "hcitool -i hci0 cmd 0x08 0x000a 01" {
		t.Errorf("enable: got %s", got)
	}
	for d, want := range map[time.Duration]uint16{time.Millisecond: 0x20, 100 * time.Millisecond: 0xa0, time.Hour: 0x4000, 1280 * time.Millisecond: 0x800} {
		if got := ble.AdvIntervalUnits(d); got != want {
			t.Errorf("AdvIntervalUnits(%v) = %#x, want %#x", d, got, want)
		}
	}
}

func TestSetAdvertisingDataParams_ErrTooLong(t *testing.T) {
	if _, err := ble.SetAdvertisingDataParams(make([]byte, 32)); !errors.Is(err, ble.ErrMalformed) {
		t.Errorf("got %v, want ErrMalformed", err)
	}
}

func TestParseLEAdvertisingReport(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// custom-components/ble_monitor test_ibeacon_sensor (IB-03).
		rs, err := ble.ParseLEAdvertisingReport(mustHex(t, "043E2A02010001433EA2C96B6A1E02011A1AFF4C000215E2C56DB5DFFB48D2B060D0F5A71096E000640000C5B3"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Address() != "6A:6B:C9:A2:3E:43" || rs[0].RSSI != -77 || len(rs[0].Data) != 30 || rs[0].AddressType != 1 {
			t.Errorf("got %+v", rs)
		}
	})
	t.Run("TwoReports", func(t *testing.T) {
		// Two reports laid out field by field, as the Core spec and gatt's
		// evt.LEAdvertisingReportEP read them.
		ev := []byte{0x3e, 0, 0x02, 2,
			0x00, 0x03, // event types
			0x00, 0x01, // address types
			1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // addresses
			3, 2, // data lengths
			0x02, 0x01, 0x06, 0x01, 0x09, // data
			0xc5, 0xb0} // RSSIs
		ev[1] = byte(len(ev) - 2)
		rs, err := ble.ParseLEAdvertisingReport(ev)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || hexOf(rs[0].Data) != "020106" || hexOf(rs[1].Data) != "0109" || rs[0].RSSI != -59 || rs[1].RSSI != -80 ||
			rs[1].Address() != "0C:0B:0A:09:08:07" || rs[1].EventType != 3 {
			t.Errorf("got %+v", rs)
		}
	})
	for _, tt := range []struct{ name, hex string }{
		{"NotLEMeta", "040e0401010c00"},
		{"NotAdvReport", "043e0301000000"[:12]},
		{"ZeroReports", "043e020200"},
		{"DataOverrun", "043e0c020100000102030405061f"},
		{"Surplus", "043e0f02010000010203040506000000ff"},
	} {
		t.Run("Err"+tt.name, func(t *testing.T) {
			if rs, err := ble.ParseLEAdvertisingReport(mustHex(t, tt.hex)); err == nil {
				t.Errorf("got %+v, want an error", rs)
			}
		})
	}
}
