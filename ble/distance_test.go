package ble_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/ble"
)

func TestCurveFit_Distance(t *testing.T) {
	t.Run("Published", func(t *testing.T) {
		// AltBeacon ModelSpecificDistanceCalculatorTest: Moto X Pro at
		// tx -49, rssi -58 is 2.661 m; the default model at tx = rssi is
		// about 1 m (0.9708).
		moto := ble.CurveFit{C1: 0.9401940951, C2: 6.170094565, C3: 0}
		if got := moto.Distance(-58, -49); math.Abs(got-2.661125466) > 0.1 {
			t.Errorf("moto x pro: got %v, want 2.661", got)
		}
		if got := ble.EstimateDistance(-59, -59); math.Abs(got-1) > 0.1 {
			t.Errorf("default at 1 m: got %v, want 1.0±0.1", got)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		for _, c := range [][2]int{{0, -59}, {5, -59}, {-60, 0}} {
			if got := ble.EstimateDistance(c[0], c[1]); got != -1 {
				t.Errorf("EstimateDistance(%d, %d) = %v, want -1", c[0], c[1], got)
			}
		}
	})
	t.Run("ClampsNegative", func(t *testing.T) {
		// rssi_distance_models.json pitfalls: the XT1092 fit goes negative
		// near 1 m.
		xt := ble.CurveFit{C1: 0.1862616782, C2: 8.235367435, C3: -0.45324519}
		if got := xt.Distance(-59, -59); got != 0 {
			t.Errorf("got %v, want 0", got)
		}
	})
}

// TestDistanceModels_Table checks every model against the table derived in
// rssi_distance_models.json, with the coefficients read from the AltBeacon
// resource file itself.
func TestDistanceModels_Table(t *testing.T) {
	var doc struct {
		Coefficients map[string]struct{ C1, C2, C3 float64 } `json:"coefficients"`
		Table        map[string]json.RawMessage              `json:"derived_table_txPower_minus59"`
	}
	readJSON(t, "rssi_distance_models.json", &doc)
	var rssi []float64
	if err := json.Unmarshal(doc.Table["rssi"], &rssi); err != nil {
		t.Fatal(err)
	}
	models := map[string]ble.DistanceModel{
		"nexus5_default":                ble.Nexus5CurveFit(),
		"nexus4_original_stackoverflow": ble.CurveFit{C1: 0.89976, C2: 7.7095, C3: 0.111},
		"moto_x_pro":                    ble.CurveFit{C1: 0.9401940951, C2: 6.170094565},
		"log_distance_n2":               ble.LogDistance{Exponent: 2},
		"log_distance_n3":               ble.LogDistance{Exponent: 3},
	}
	for name, m := range models {
		var want []float64
		if err := json.Unmarshal(doc.Table[name], &want); err != nil || len(want) != len(rssi) {
			t.Fatalf("%s: table: %v", name, err)
		}
		for i, r := range rssi {
			if got := m.Distance(r, -59); math.Abs(got-want[i]) > 0.0005 {
				t.Errorf("%s at %v dBm: got %.4f, want %.4f", name, r, got, want[i])
			}
		}
	}
	var res struct {
		Models []struct {
			C1      float64 `json:"coefficient1"`
			C2      float64 `json:"coefficient2"`
			C3      float64 `json:"coefficient3"`
			Default bool    `json:"default"`
		} `json:"models"`
	}
	readJSON(t, "altbeacon_model-distance-calculations.json", &res)
	for _, m := range res.Models {
		if m.Default && (ble.CurveFit{C1: m.C1, C2: m.C2, C3: m.C3}) != ble.Nexus5CurveFit() {
			t.Errorf("default model %+v, want Nexus5CurveFit %+v", m, ble.Nexus5CurveFit())
		}
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedData, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s: ../shared/data not present", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestLogDistance_RSSIAt(t *testing.T) {
	m := ble.LogDistance{Exponent: 2.5}
	for _, d := range []float64{0.1, 0.5, 1, 3, 20} {
		if got := m.Distance(m.RSSIAt(d, -59), -59); math.Abs(got-d) > 1e-9 {
			t.Errorf("round trip %v m: got %v", d, got)
		}
	}
}

func TestProximityOf(t *testing.T) {
	for d, want := range map[float64]ble.Proximity{
		-1: ble.Unknown, math.NaN(): ble.Unknown, 0: ble.Immediate, 0.5: ble.Immediate,
		0.51: ble.Near, 3: ble.Near, 3.01: ble.Far, 100: ble.Far,
	} {
		if got := ble.ProximityOf(d); got != want {
			t.Errorf("ProximityOf(%v) = %s, want %s", d, got, want)
		}
	}
}

func TestFilter_Add(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	t.Run("Single", func(t *testing.T) {
		// AltBeacon RunningAverageRssiFilterTest / ArmaRssiFilterTest: one
		// reading of -50 gives -50.
		if got, ok := ble.NewFilter().Add(-50, t0); !ok || got != -50 {
			t.Errorf("got %v %v, want -50", got, ok)
		}
	})
	t.Run("Outliers", func(t *testing.T) {
		f := ble.NewFilter()
		var got float64
		for i, r := range []int{-60, -61, -59, -95, -60, -30, -61, -59, -60, -60} {
			got, _ = f.Add(r, at(float64(i)*0.4))
		}
		if math.Abs(got-(-60)) > 0.75 {
			t.Errorf("got %v, want about -60 despite -95 and -30", got)
		}
	})
	t.Run("Window", func(t *testing.T) {
		f := ble.NewFilter()
		f.Add(-80, at(0))
		f.Add(-80, at(1))
		// A gap longer than the window forgets the old readings.
		if got, _ := f.Add(-50, at(10)); got != -50 || f.Len() != 1 {
			t.Errorf("after gap: got %v with %d samples, want -50 from 1", got, f.Len())
		}
		f.Expire(at(20))
		if _, ok := f.Value(); ok {
			t.Error("value after every sample expired")
		}
	})
	t.Run("IgnoresNotAvailable", func(t *testing.T) {
		f := ble.NewFilter()
		f.Add(-70, at(0))
		for _, r := range []int{0, 127, 5, -128} {
			if got, _ := f.Add(r, at(1)); got != -70 {
				t.Errorf("Add(%d): got %v, want -70 unchanged", r, got)
			}
		}
	})
	t.Run("OutOfOrder", func(t *testing.T) {
		f := ble.NewFilter()
		f.Add(-70, at(10))
		f.Add(-72, at(9))
		f.Add(-90, at(1)) // already older than the window
		if got, _ := f.Value(); f.Len() != 2 || got != -71 {
			t.Errorf("got %v from %d samples, want -71 from 2", got, f.Len())
		}
	})
	t.Run("MaxSamples", func(t *testing.T) {
		f := ble.NewFilter()
		for i := range 1000 {
			f.Add(-60, at(float64(i)/1000))
		}
		if f.Len() != ble.DefaultFilterMaxSamples {
			t.Errorf("got %d samples, want %d", f.Len(), ble.DefaultFilterMaxSamples)
		}
	})
}
