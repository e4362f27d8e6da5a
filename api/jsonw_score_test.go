package api

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestAppendFixed(t *testing.T) {
	tests := []struct {
		name string
		f    func([]byte, float64) []byte
		in   float64
		want string
	}{
		{"score/zero", appendScore, 0, "0"},
		{"score/one", appendScore, 1, "1"},
		{"score/short", appendScore, 0.75, "0.75"},
		{"score/rounded down", appendScore, 0.87654321094, "0.8765432109"},
		{"score/rounded up, zero trimmed", appendScore, 0.87654321096, "0.876543211"},
		{"score/binary noise", appendScore, 0.1 + 0.2, "0.3"},
		{"score/negative", appendScore, -0.5, "-0.5"},
		{"score/tiny negative is not -0", appendScore, -1e-12, "0"},
		{"score/tiny", appendScore, 1e-11, "0"},
		{"score/leading zeros of the fraction", appendScore, 0.0000012, "0.0000012"},
		{"score/integer", appendScore, 123, "123"},
		{"score/too large to scale", appendScore, 1e9 + 0.25, "1000000000.25"},
		{"score/too large, negative", appendScore, -123456.5, "-123456.5"},
		{"score/NaN", appendScore, math.NaN(), "0"},
		{"score/Inf", appendScore, math.Inf(-1), "0"},
		{"coord/as entered", appendCoord, 48.8566, "48.8566"},
		{"coord/7 decimals", appendCoord, -0.1277583, "-0.1277583"},
		{"coord/more decimals", appendCoord, 2.35222189, "2.3522219"},
		{"coord/integer", appendCoord, -180, "-180"},
		{"metres/two decimals", appendMetres, 123.456, "123.46"},
		{"metres/whole", appendMetres, 100, "100.00"},
		{"metres/zero", appendMetres, 0, "0.00"},
		{"metres/under a centimetre", appendMetres, 0.004, "0.00"},
		{"metres/small", appendMetres, 0.05, "0.05"},
		{"metres/NaN", appendMetres, math.NaN(), "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.f([]byte("x"), tt.in)); got != "x"+tt.want {
				t.Errorf("got %q, want %q", got, "x"+tt.want)
			}
		})
	}
}

// TestAppendFixed_strconv checks appendFixed against strconv's correctly
// rounded fixed formatting over random values: the same text, except
// within a hair of a rounding tie, where the scaled product may round the
// other way (both are then within half a unit of the last decimal).
func TestAppendFixed_strconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dec := range []int{2, 7, 10} {
		unit := math.Pow(10, -float64(dec))
		for range 20000 {
			v := (rng.Float64()*2 - 1) * []float64{1, 180, 50000}[rng.IntN(3)]
			if rng.IntN(4) == 0 { // values as entered, with at most dec decimals
				v = math.Round(v/unit) * unit
			}
			for _, trim := range []bool{false, true} {
				got := string(appendFixed(nil, v, dec, trim))
				want := strconv.FormatFloat(v, 'f', dec, 64)
				if trim {
					want = string(trimFraction([]byte(want), 0))
				}
				if want == "-0" || strings.Trim(want, "-0.") == "" {
					want = strings.TrimPrefix(want, "-")
				}
				if got == want {
					continue
				}
				var g float64
				if err := json.Unmarshal([]byte(got), &g); err != nil {
					t.Fatalf("appendFixed(%v, %d, %v) = %q: not a JSON number: %v", v, dec, trim, got, err)
				}
				frac := math.Abs(v)/unit - math.Floor(math.Abs(v)/unit)
				if math.Abs(frac-0.5) > 1e-3 || math.Abs(g-v) > unit*0.5000001 {
					t.Fatalf("appendFixed(%v, %d, %v) = %q, want %q", v, dec, trim, got, want)
				}
			}
		}
	}
}
