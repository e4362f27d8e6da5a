package client

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, v string
		want    time.Duration
	}{
		{"Empty", "", 0},
		{"Seconds", "120", 2 * time.Minute},
		{"Negative", "-5", 0},
		{"Date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"PastDate", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Garbage", "soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.v, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q): got %v, want %v", tt.v, got, tt.want)
			}
		})
	}
}

// FuzzDecodeEventsResult feeds arbitrary answers to the events decoder: it
// must never panic, and whatever it accepts acknowledges at most the events
// sent, with non-negative counts.
func FuzzDecodeEventsResult(f *testing.F) {
	f.Add([]byte(`{"accepted":1,"duplicates":1,"rejected":[{"index":2,"errors":[{"field":"id","message":"must be a UUID"}]}]}`), 3)
	f.Add([]byte(`{"accepted":["a"],"duplicates":[]}`), 1)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n < 0 || n > 1000 {
			return
		}
		r, err := decodeEventsResult(data, n, false)
		if err != nil {
			return
		}
		if r.Accepted < 0 || r.Duplicates < 0 || r.RejectedN < 0 || r.Accepted+r.Duplicates+r.RejectedN > n {
			t.Fatalf("decoded %+v for %d events", r, n)
		}
	})
}
