package logattr_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/logattr"
)

func TestMillisSeconds(t *testing.T) {
	tests := []struct {
		name string
		attr slog.Attr
		want float64
	}{
		{"Millis", logattr.Millis("took_ms", 1500*time.Microsecond+700), 1.5},
		{"MillisZero", logattr.Millis("took_ms", 0), 0},
		{"Seconds", logattr.Seconds("retry_in_s", 2*time.Minute+250*time.Millisecond+999), 120.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.attr.Value.Kind() != slog.KindFloat64 || tt.attr.Value.Float64() != tt.want {
				t.Errorf("got %v, want the float %v", tt.attr.Value, tt.want)
			}
		})
	}
}

// TestReplaceDurations: a JSON line never carries a bare duration, and the
// key says the unit.
func TestReplaceDurations(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: logattr.ReplaceDurations}))
	log.Info("x", slog.Duration("dur", 2*time.Millisecond), "wait_s", 3*time.Second, "took_ms", 4*time.Millisecond,
		slog.Group("g", slog.Duration("in", time.Second)), "n", 5)
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	g, _ := got["g"].(map[string]any)
	if got["dur_ms"] != 2.0 || got["wait_s"] != 3.0 || got["took_ms"] != 4.0 || got["n"] != 5.0 || g["in_ms"] != 1000.0 {
		t.Errorf("got %s, want dur_ms 2, wait_s 3, took_ms 4, n 5 and g.in_ms 1000", buf.Bytes())
	}
	if _, ok := got["dur"]; ok {
		t.Errorf("the bare key dur is still there: %s", buf.Bytes())
	}
}
