package api

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestAppendScore(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{0.75, "0.75"},
		{0.87654321094, "0.8765432109"},
		{0.87654321096, "0.876543211"},
		{0.1 + 0.2, "0.3"},
		{-0.5, "-0.5"},
		{-1e-12, "0"},
		{1e-11, "0"},
		{123, "123"},
		{math.NaN(), "0"},
		{math.Inf(1), "0"},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatFloat(tt.in, 'g', -1, 64), func(t *testing.T) {
			if got := string(appendScore([]byte("x"), tt.in)); got != "x"+tt.want {
				t.Errorf("appendScore(%v) = %q, want %q", tt.in, got, "x"+tt.want)
			}
		})
	}
	t.Run("random within half a unit of the last decimal", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for range 10000 {
			v := rng.Float64()*2 - 0.5
			b := appendScore(nil, v)
			var got float64
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("appendScore(%v) = %q: not a JSON number: %v", v, b, err)
			}
			if math.Abs(got-v) > 0.5e-10+1e-16 {
				t.Fatalf("appendScore(%v) = %q: off by %g", v, b, got-v)
			}
		}
	})
}
