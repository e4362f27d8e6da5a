package api

import (
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

func TestParseEvent(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, raw string
		fields    []string // expected error fields; nil for OK
	}{
		{"OK", `{"id":"F7826DA6-4FA2-4E98-8024-BC5B71E0893E","type":"enter","at":"2026-11-21T11:59:00Z","device_id":"d"}`, nil},
		{"OK/dwell", `{"id":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","type":"dwell","at":"2026-11-21T11:00:00+01:00","device_id":"d","dwell_ms":5000,"rssi":-70,"distance_m":1.5}`, nil},
		{"ErrAt", `{"id":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","type":"exit","at":"yesterday"}`, []string{"at"}},
		{"ErrFuture", `{"id":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","type":"exit","at":"2026-11-22T12:00:00Z"}`, []string{"at"}},
		{"ErrType", `{"id":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","type":"jump","at":"2026-11-21T11:59:00Z"}`, []string{"type"}},
		{"ErrRSSIType", `{"id":"x","type":"exit","at":"2026-11-21T11:59:00Z","rssi":"loud"}`, []string{"rssi"}},
		{"ErrUnknown", `{"id":"x","colour":1}`, []string{"colour"}},
		{"ErrMany", `{"id":"x","type":"enter"}`, []string{"id", "at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := parseEvent([]byte(tt.raw), now)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if ev.ID != strings.ToLower(ev.ID) || ev.At.IsZero() {
					t.Errorf("event = %+v, want a canonical id and a time", ev)
				}
				return
			}
			ne, ok := err.(*nearby.Error)
			if !ok {
				t.Fatalf("err = %v, want *nearby.Error", err)
			}
			var got []string
			for _, f := range ne.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

// FuzzParseEvent: an agent's event bytes never panic the parser, and an
// accepted event is valid.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{`{"id":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","type":"enter","at":"2026-11-21T11:59:00Z","device_id":"d"}`,
		`{"at":"9999-99-99T99:99:99Z"}`, `{"dwell_ms":1e30}`, `[]`, `{"type":null}`} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := parseEvent(b, now)
		if err != nil {
			return
		}
		if err := ev.Validate(now); err != nil {
			t.Errorf("accepted an invalid event %+v: %v", ev, err)
		}
	})
}

// FuzzSplitToken: bearer tokens are outside bytes.
func FuzzSplitToken(f *testing.F) {
	for _, s := range []string{"mk_1_secret", "mk__x", "mk_ffffffffffffffffff_x", "at_0_x", "mk_1", "mk_-1_x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		id, secret, ok := splitToken(tok, merchantKeyPrefix)
		if !ok {
			return
		}
		if id == 0 || secret == "" {
			t.Fatalf("splitToken(%q) = %d, %q, true", tok, id, secret)
		}
		// The canonical spelling of what was read reads back the same.
		id2, secret2, ok := splitToken(newToken(merchantKeyPrefix, id, secret), merchantKeyPrefix)
		if !ok || id2 != id || secret2 != secret {
			t.Errorf("splitToken(%q) = %d, %q, but its canonical form reads %d, %q, %v", tok, id, secret, id2, secret2, ok)
		}
	})
}
