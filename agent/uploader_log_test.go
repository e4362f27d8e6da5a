package agent_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/nearby-dev/nearby"
)

// TestSender_LogUnits: the backoff and the outage are logged in seconds
// with the unit in the key, never as Go's nanoseconds.
func TestSender_LogUnits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDaemon()
		d.Before = func(call int, _ []nearby.Event) error {
			if call < 2 {
				return errNetwork
			}
			return nil
		}
		_, s := spoolWith(t, 10, d)
		var logs bytes.Buffer
		s.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if err := s.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		got := map[string]map[string]any{}
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			got[rec["msg"].(string)] = rec
		}
		// Rand 0 waits half of 1 s, then half of 2 s: down 1.5 s in all.
		if r := got["upload failed; will retry"]; r["retry_in_s"] != 0.5 || r["retry_in"] != nil {
			t.Errorf("first failure = %v, want retry_in_s 0.5", r)
		}
		if r := got["upload failed again"]; r["retry_in_s"] != 1.0 {
			t.Errorf("second failure = %v, want retry_in_s 1", r)
		}
		if r := got["upload recovered"]; r["down_for_s"] != 1.5 || r["down_for"] != nil {
			t.Errorf("recovery = %v, want down_for_s 1.5", r)
		}
	})
}
