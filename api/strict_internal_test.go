package api

import (
	"encoding/json"
	"testing"

	"github.com/nearby-dev/nearby"
)

func TestCheckJSONText(t *testing.T) {
	tests := []struct {
		name, body, field string // field "": accepted
	}{
		{"plain", `{"name":"a","tags":["x","y"],"n":{"a":1}}`, ""},
		{"same key in two objects", `{"a":{"k":1},"b":{"k":2}}`, ""},
		{"escapes", `{"name":"tab\t quote\" é \u00e9 \ud83d\ude00"}`, ""},
		{"duplicate", `{"name":"a","name":"b"}`, "name"},
		{"nested duplicate", `{"beacons":[{"uuid":"a"},{"uuid":"a","uuid":"b"}]}`, "beacons[1].uuid"},
		{"duplicate after an array", `{"a":[1,2],"b":{"c":[{}]},"a":3}`, "a"},
		{"escaped NUL", `{"name":"a\u0000b"}`, "name"},
		{"escaped NUL in an array", `{"tags":["ok","x\u0000"]}`, "tags[1]"},
		{"raw NUL", "{\"name\":\"a\x00b\"}", "name"},
		{"lone high surrogate", `{"name":"\ud800"}`, "name"},
		{"high then not low", `{"name":"\ud800\u0041"}`, "name"},
		{"lone low surrogate", `{"events":[{"device_id":"\udc00x"}]}`, "events[0].device_id"},
		{"NUL in a key", `{"na\u0000me":1}`, "na\x00me"},
		{"invalid UTF-8", "{\"name\":\"\xff\"}", "name"},
		{"scalar", `"x"`, ""},
		{"syntax error left to the decoder", `{"a":`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJSONText([]byte(tt.body))
			if tt.field == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			var ne *nearby.Error
			if !asNearby(err, &ne) || ne.Code != nearby.EINVALID || len(ne.Fields) != 1 || ne.Fields[0].Field != tt.field {
				t.Errorf("got %v, want EINVALID naming %q", err, tt.field)
			}
		})
	}
}

func asNearby(err error, ne **nearby.Error) bool {
	e, ok := err.(*nearby.Error)
	*ne = e
	return ok
}

// FuzzCheckJSONText: never panics, and accepts every body encoding/json
// writes from a map (no duplicates, no NUL, valid UTF-16).
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":"\ud800"}`, `[{"a":[1,{"b":"c"}]}]`, "{\"a\":\"\x00\"}", `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = checkJSONText(data)
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			return
		}
		if err := checkJSONText(again); err != nil && !containsNUL(again) {
			t.Errorf("refused %s (re-encoded from %q): %v", again, data, err)
		}
	})
}

func containsNUL(b []byte) bool {
	for i := 0; i+5 < len(b); i++ {
		if string(b[i:i+6]) == `\u0000` {
			return true
		}
	}
	return false
}
