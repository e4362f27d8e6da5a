package ble_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby/ble"
)

func TestParseShakeWrite(t *testing.T) {
	tests := []struct {
		name, data, central, want string
		err                       bool
	}{
		{"OK", "phone-42", "AA", "phone-42", false},
		{"Trimmed", "  phone-42\n", "AA", "phone-42", false},
		{"EmptyUsesCentral", "", "AA:BB", "AA:BB", false},
		{"ErrNoID", " ", "", "", true},
		{"ErrControl", "a\x00b", "AA", "", true},
		{"ErrUTF8", "\xff\xfe", "AA", "", true},
		{"ErrTooLong", strings.Repeat("x", 129), "AA", "", true},
		{"MaxLen", strings.Repeat("x", 128), "AA", strings.Repeat("x", 128), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ble.ParseShakeWrite([]byte(tt.data), tt.central)
			if tt.err != (err != nil) || got != tt.want {
				t.Errorf("got %q, %v; want %q (error %v)", got, err, tt.want, tt.err)
			}
			if err != nil && !errors.Is(err, ble.ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}

func TestIsPhoneAdvertisement(t *testing.T) {
	for _, tt := range []struct {
		services []string
		want     bool
	}{
		{nil, false},
		{[]string{"180f", "feaa"}, false},
		{[]string{"180f", strings.ToUpper(ble.ShakeServiceUUID)}, true},
		{[]string{"c972cf3957e646fa95c5a71569f737e3"}, true},
	} {
		if got := ble.IsPhoneAdvertisement(tt.services); got != tt.want {
			t.Errorf("IsPhoneAdvertisement(%v) = %v, want %v", tt.services, got, tt.want)
		}
	}
}

func TestShakeScanResponse(t *testing.T) {
	sr := ble.ShakeScanResponse()
	ss, err := ble.ParseAD(sr)
	if err != nil || len(ss) != 1 || ss[0].Type != ble.ADComplete128 || len(sr) > ble.MaxADLen {
		t.Fatalf("got %x: %+v, %v", sr, ss, err)
	}
	// 128-bit UUIDs go little-endian on air: the last byte of the string first.
	if got := hexOf(ss[0].Data[:2]); got != "e337" {
		t.Errorf("first bytes %s, want e337", got)
	}
}
