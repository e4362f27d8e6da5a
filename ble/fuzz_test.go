package ble_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/nearby-dev/nearby/ble"
)

// The fuzz targets check that no decoder panics, that every error wraps a
// sentinel, and that what decodes re-encodes where an encoder exists. Seeds
// are committed under testdata/fuzz/<Target>/ (from beacon_vectors.json and
// the hand-written vectors of the other tests).

func sentinel(err error) bool {
	return errors.Is(err, ble.ErrTruncated) || errors.Is(err, ble.ErrMalformed) || errors.Is(err, ble.ErrNoBeacon)
}

func FuzzDecode(f *testing.F) {
	f.Add(mustHex(f, "02011a1aff4c000215e20a39f473f54bc4a12f17d1ad07a96100000000c8"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ble.Decode(b)
		if err != nil {
			if !sentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if _, err := json.Marshal(fr); err != nil {
			t.Fatalf("decoded frame does not render: %v", err)
		}
		if fr.IBeacon != nil {
			again, err := ble.ParseManufacturerData(fr.IBeacon.ManufacturerData())
			if err != nil || again != *fr.IBeacon {
				t.Fatalf("re-encoding %+v: got %+v, %v", *fr.IBeacon, again, err)
			}
		}
	})
}

func FuzzParseAD(f *testing.F) {
	f.Add(mustHex(f, "0201060303aafe1716aafe00e3123456789012346789010000000000010000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ss, err := ble.ParseAD(b)
		if err != nil && !sentinel(err) {
			t.Fatalf("error %v wraps no sentinel", err)
		}
		if err != nil {
			return
		}
		// Re-encoding the structures gives back the significant part.
		var out []byte
		for _, s := range ss {
			out = ble.AppendAD(out, s.Type, s.Data)
		}
		if string(out) != string(b[:len(out)]) {
			t.Fatalf("re-encoded %x, want prefix of %x", out, b)
		}
	})
}

func FuzzParseManufacturerData(f *testing.F) {
	f.Add(mustHex(f, "4c000215e2c56db5dffb48d2b060d0f5a71096e000640000c5"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ib, err := ble.ParseManufacturerData(b)
		if err != nil {
			if !sentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if got := ib.ManufacturerData(); string(got) != string(b) {
			t.Fatalf("round trip: got %x, want %x", got, b)
		}
	})
}

func FuzzParseEddystone(f *testing.F) {
	f.Add(mustHex(f, "10f8036769746875620063697472757a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ble.ParseEddystone(b)
		if err != nil {
			if !sentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if fr.URL != nil {
			// Every decoded URL re-encodes to a frame that decodes to it
			// (not necessarily the same bytes: the encoder picks the
			// shortest form), unless it is too long for a legacy frame.
			enc, err := ble.EncodeEddystoneURL(fr.URL.URL)
			if err != nil {
				return
			}
			back, err := ble.DecodeEddystoneURL(enc)
			if err != nil || back != fr.URL.URL {
				t.Fatalf("url %q: re-decoded %q, %v", fr.URL.URL, back, err)
			}
		}
	})
}

func FuzzParseLEAdvertisingReport(f *testing.F) {
	f.Add(mustHex(f, "043E2A02010001433EA2C96B6A1E02011A1AFF4C000215E2C56DB5DFFB48D2B060D0F5A71096E000640000C5B3"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ble.ParseLEAdvertisingReport(b)
		if err != nil {
			if !sentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if len(rs) == 0 {
			t.Fatal("no error and no reports")
		}
	})
}

func FuzzParseShakeWrite(f *testing.F) {
	f.Add([]byte("3f2a9c1e-phone"), "AA:BB:CC:DD:EE:FF")
	f.Fuzz(func(t *testing.T, b []byte, central string) {
		id, err := ble.ParseShakeWrite(b, central)
		if err != nil {
			if !errors.Is(err, ble.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if id == "" || len(id) > ble.MaxDeviceIDLen {
			t.Fatalf("accepted id %q", id)
		}
	})
}
