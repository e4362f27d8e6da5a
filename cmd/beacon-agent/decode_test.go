package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRunDecode(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want map[string]any
	}{
		// citruz/beacontools tests/test_parser.py test_ibeacon (flags 0x06).
		{"IBeacon", []string{"0201061aff4c0002154142434445464748494041424344454600010002f8"},
			map[string]any{"type": "ibeacon", "uuid": "41424344-4546-4748-4940-414243444546", "major": 1.0, "minor": 2.0, "measured_power": -8.0}},
		// The same iBeacon without flags, and as manufacturer data alone.
		{"NoFlags", []string{"1aff4c0002154142434445464748494041424344454600010002f8"},
			map[string]any{"type": "ibeacon", "major": 1.0, "layer": "advertising-data"}},
		{"ManufacturerData", []string{"4c0002154142434445464748494041424344454600010002f8"},
			map[string]any{"type": "ibeacon", "minor": 2.0, "layer": "manufacturer-data"}},
		// The hcitool recipe (dubsman.gitlab.io), spaced as typed.
		{"HcitoolSpaced", strings.Fields("1E 02 01 1A 1A FF 4C 00 02 15 E2 0A 39 F4 73 F5 4B C4 A1 2F 17 D1 AD 07 A9 61 00 00 00 00 C8 00"),
			map[string]any{"type": "ibeacon", "uuid": "e20a39f4-73f5-4bc4-a12f-17d1ad07a961", "measured_power": -56.0, "layer": "hci-command"}},
		// citruz/beacontools test_eddystone_uid.
		{"EddystoneUID", []string{"0201060303aafe1716aafe00e3123456789012346789010000000000010000"},
			map[string]any{"type": "eddystone-uid", "namespace": "12345678901234678901", "instance": "000000000001", "tx_power": -29.0}},
		// citruz/beacontools test_eddystone_url.
		{"EddystoneURL", []string{"0x0303aafe1316aafe10f8036769746875620063697472757a"},
			map[string]any{"type": "eddystone-url", "url": "https://github.com/citruz"}},
		// custom-components/ble_monitor test_eddystone_tlm (HCI event).
		{"EddystoneTLM", []string{"043E2502010301494BEFBEADDE190201060303AAFE1116AAFE20000C6F1E000002006D41DB9AB6D7"},
			map[string]any{"type": "eddystone-tlm", "battery_mv": 3183.0, "temperature_c": 30.0, "rssi": -41.0, "address": "DE:AD:BE:EF:4B:49"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := decode(tt.args, strings.NewReader(""), &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			var got map[string]any
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("%v: %s", err, out.String())
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: got %v, want %v (%s)", k, got[k], v, out.String())
				}
			}
			if !strings.HasPrefix(out.String(), `{"type":`) || strings.Count(out.String(), "\n") != 1 {
				t.Errorf("want one JSON object starting with type, got %q", out.String())
			}
		})
	}
	t.Run("Stdin", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := decode([]string{"-"}, strings.NewReader("4c:00:02:15:41:42:43:44:45:46:47:48:49:40:41:42:43:44:45:46:00:01:00:02:f8\n"), &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if !strings.Contains(out.String(), `"major":1`) {
			t.Errorf("got %s", out.String())
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		code int
		says string
	}{
		// AltBeacon BeaconParserTest testReEncodesBeacon: an AltBeacon.
		{"ErrCompany", []string{"02011a1bff1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c509"}, 1, "company 0x0118"},
		// ble_monitor test_ibeacon_iphone_ble_packet_var_2: Apple Nearby Info.
		{"ErrAppleType", []string{"043E1D02010001433EA2C96B6A1102011A020A0C0AFF4C001005441CBD08C5BB"}, 1, "type 0x10"},
		{"ErrTruncated", []string{"4c000215e20a39f473f54bc4"}, 1, "truncated"},
		{"ErrLength", []string{"4c000216e20a39f473f54bc4a12f17d1ad07a96100000000c8"}, 1, "length byte 0x16"},
		{"ErrHex", []string{"zz"}, 2, "not hex"},
		{"ErrEmpty", []string{" "}, 2, "no hex bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := decode(tt.args, strings.NewReader(""), &out, &errb); code != tt.code || !strings.Contains(errb.String(), tt.says) || out.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q; want %d and %q", code, errb.String(), out.String(), tt.code, tt.says)
			}
		})
	}
}
