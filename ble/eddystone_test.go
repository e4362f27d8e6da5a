package ble_test

import (
	"errors"
	"testing"

	"github.com/nearby-dev/nearby/ble"
)

func TestEncodeEddystoneURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // hex of scheme + body
	}{
		// citruz/beacontools test_eddystone_url: 03 "github" 00 "citruz".
		{"https://github.com/citruz", "036769746875620063697472757a"},
		// AltBeacon GattBeaconTest testDetectsEddystoneURL-style: 02 "google" 00.
		{"http://google.com/", "02676f6f676c6500"},
		// FIT2082 notebook hcitool recipe (ES-URL-03).
		{"https://myp.me?A", "036d79702e6d653f41"},
		// eddystone-url/README.md example: https://www. + "goo.gl/S6zT6P".
		{"http://www.goo.gl/S6zT6P", "00676f6f2e676c2f53367a543650"},
		{"https://www.example.org", "016578616d706c6508"},
		{"http://a.info/b.gov", "026104620d"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			b, err := ble.EncodeEddystoneURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := hexOf(b); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			back, err := ble.DecodeEddystoneURL(b)
			if err != nil || back != tt.url {
				t.Errorf("round trip: got %q, %v; want %q", back, err, tt.url)
			}
		})
	}
	t.Run("ErrTooLong", func(t *testing.T) {
		if _, err := ble.EncodeEddystoneURL("https://abcdefghijklmnopqrstuvwxyz.example"); err == nil {
			t.Error("got no error for a URL longer than 17 bytes")
		}
	})
	t.Run("ErrScheme", func(t *testing.T) {
		if _, err := ble.EncodeEddystoneURL("ftp://x.com"); err == nil {
			t.Error("got no error for ftp://")
		}
	})
}

func TestDecodeEddystoneURL_Errors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []byte
		want error
	}{
		{"Empty", nil, ble.ErrTruncated},
		{"Scheme", []byte{0x04, 'a'}, ble.ErrMalformed},
		{"Reserved", []byte{0x00, 'a', 0x0e}, ble.ErrMalformed},
		{"Space", []byte{0x00, ' '}, ble.ErrMalformed},
		{"High", []byte{0x00, 0x80}, ble.ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ble.DecodeEddystoneURL(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEddystoneUID_RoundTrip(t *testing.T) {
	u := ble.EddystoneUID{TxPower: -29, Namespace: [10]byte{0x12, 0x34, 9: 0x01}, Instance: [6]byte{5: 1}}
	f, err := ble.Decode(ble.EddystoneAdvertisingData(u.ServiceData()))
	if err != nil {
		t.Fatal(err)
	}
	if f.UID == nil || *f.UID != u {
		t.Fatalf("got %+v, want %+v", f.UID, u)
	}
	if p, ok := f.MeasuredPower(); !ok || p != -70 {
		t.Errorf("measured power: got %d %v, want -70 (0 m power - 41)", p, ok)
	}
	// The service data alone, as Android's ScanRecord.getServiceData reports
	// it with the 16-bit UUID in front.
	f, err = ble.Decode(append([]byte{0xaa, 0xfe}, u.ServiceData()...))
	if err != nil || f.UID == nil || *f.UID != u || f.Layer != ble.LayerServiceData {
		t.Errorf("service data alone: got %+v, %v", f, err)
	}
}

func TestParseEddystone_Lengths(t *testing.T) {
	tests := []struct {
		name string
		sd   []byte
		want error
	}{
		{"UIDShort", make([]byte, 17), ble.ErrTruncated},
		{"UIDOdd", make([]byte, 19), ble.ErrMalformed},
		{"UIDLegacy", make([]byte, 18), nil},
		{"UIDFull", make([]byte, 20), nil},
		{"URLNoScheme", []byte{0x10, 0xf8}, ble.ErrTruncated},
		{"TLMShort", []byte{0x20, 0x00, 0x0b}, ble.ErrTruncated},
		{"TLMLong", append([]byte{0x20, 0x00}, make([]byte, 13)...), ble.ErrMalformed},
		{"TLMVersion", append([]byte{0x20, 0x02}, make([]byte, 12)...), ble.ErrMalformed},
		{"ETLM", append([]byte{0x20, 0x01}, make([]byte, 16)...), nil},
		{"EIDShort", []byte{0x30, 0xe3, 1, 2}, ble.ErrTruncated},
		{"Empty", nil, ble.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ble.ParseEddystone(tt.sd)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}
