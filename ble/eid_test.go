package ble_test

import (
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/nearby-dev/nearby/ble"
)

func TestComputeEID(t *testing.T) {
	key := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16}
	// RadiusNetworks/ephemeral_calc spec/encryptor_spec.rb @ f42f90c
	// (eddystone_eid_vectors.json EID-01, EID-02): key 0102...16, K = 10.
	tests := []struct {
		time uint32
		want string
	}{
		{0, "a9b76a71c5f89290"},
		{2000, "4144413e45fefa58"},
		{1024, "4144413e45fefa58"}, // the same EID for the whole 1024-s period
	}
	for _, tt := range tests {
		got, err := ble.ComputeEID(key, 10, tt.time)
		if err != nil || hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("T=%d: got %x, %v; want %s", tt.time, got, err, tt.want)
		}
	}
	t.Run("DerivedTable", func(t *testing.T) {
		// Values derived in eddystone_eid_vectors.json with Python's
		// cryptography package; they cross the 65536-s temporary key change.
		var doc struct {
			Derived struct {
				EIDByTime map[string]string `json:"eid_by_beacon_time"`
			} `json:"derived_here"`
		}
		readJSON(t, "eddystone_eid_vectors.json", &doc)
		if len(doc.Derived.EIDByTime) < 5 {
			t.Fatalf("got %d derived values", len(doc.Derived.EIDByTime))
		}
		for ts, want := range doc.Derived.EIDByTime {
			n, err := strconv.ParseUint(ts, 10, 32)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ble.ComputeEID(key, 10, uint32(n))
			if err != nil || hex.EncodeToString(got[:]) != want {
				t.Errorf("T=%d: got %x, %v; want %s", n, got, err, want)
			}
		}
	})
	t.Run("ErrExponent", func(t *testing.T) {
		if _, err := ble.ComputeEID(key, 16, 0); err == nil {
			t.Error("K = 16 accepted")
		}
	})
}
