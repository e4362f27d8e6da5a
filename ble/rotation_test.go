package ble_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ble"
)

// TestRotating_Vectors checks the rotating iBeacon identity and the
// Eddystone-EID of a rotating beacon against vectors computed by another
// implementation (Python hmac and the openssl CLI).
func TestRotating_Vectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/rotation_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []struct {
			Secret       string `json:"secret"`
			PeriodS      int    `json:"period_s"`
			Unix         int64  `json:"unix"`
			K            uint8  `json:"k"`
			EID          string `json:"eid"`
			Major, Minor uint16
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	base := ble.IBeacon{UUID: nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e"), Major: 1, Minor: 2, MeasuredPower: -59}
	for _, v := range doc.Vectors {
		secret, _ := hex.DecodeString(v.Secret)
		at := time.Unix(v.Unix, 0)
		b, err := ble.RotatingIBeacon(base, secret, v.PeriodS, at)
		if err != nil {
			t.Fatal(err)
		}
		if b.Major != v.Major || b.Minor != v.Minor || b.UUID != base.UUID || b.MeasuredPower != base.MeasuredPower {
			t.Errorf("%s/%d/%d: %v, want major %d minor %d", v.Secret, v.PeriodS, v.Unix, b, v.Major, v.Minor)
		}
		if k := ble.EIDExponent(v.PeriodS); k != v.K {
			t.Errorf("EIDExponent(%d) = %d, want %d", v.PeriodS, k, v.K)
		}
		eid, err := ble.RotatingEID(secret, v.PeriodS, at)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(eid[:]); got != v.EID {
			t.Errorf("%s/%d/%d: eid %s, want %s", v.Secret, v.PeriodS, v.Unix, got, v.EID)
		}
	}
	if _, err := ble.RotatingEID(make([]byte, 3), 60, time.Now()); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := ble.RotatingIBeacon(base, make([]byte, 16), 0, time.Now()); err == nil {
		t.Error("zero period accepted")
	}
}
