package catalog

import (
	"strings"
	"testing"
)

var testTemplate = []string{`{"id":"st_`, `","name":"`, `","lat":`, `}`}

func TestPackBrief(t *testing.T) {
	tests := []struct {
		name    string
		tmpl    []string
		raw     string
		compact bool // kept in the compact form
	}{
		{"fits", testTemplate, `{"id":"st_1f","name":"Soho","lat":51.5}`, true},
		{"empty values", testTemplate, `{"id":"st_","name":"","lat":}`, true},
		{"escaped quote in a value", testTemplate, `{"id":"st_1","name":"Caf\u00e9 \"R\"","lat":1}`, true},
		{"a long value", testTemplate, `{"id":"st_1","name":"` + strings.Repeat("x", 300) + `","lat":1}`, true},
		{"null", testTemplate, `null`, false},
		{"another key order", testTemplate, `{"name":"a","id":"st_1","lat":1}`, false},
		{"trailing bytes", testTemplate, `{"id":"st_1","name":"a","lat":1}x`, false},
		{"missing the end", testTemplate, `{"id":"st_1","name":"a","lat":1`, false},
		{"starts with a zero byte", testTemplate, "\x00abc", false},
		{"starts with a one byte", testTemplate, "\x01abc", false},
		{"one value", []string{`["`, `"]`}, `["abcdef"]`, true},
		{"no shorter: kept whole", []string{`[`, `]`}, `[1,2]`, false},
		{"empty", testTemplate, ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Behind other bytes, as in an encode buffer.
			dst := append([]byte("prefix"), tt.raw...)
			got := packBrief(dst, len("prefix"), tt.tmpl)
			if string(got[:6]) != "prefix" {
				t.Fatalf("the bytes before the brief changed: %q", got[:6])
			}
			kept := string(got[6:])
			if isCompact := len(kept) > 0 && kept[0] == briefTag; isCompact != tt.compact {
				t.Errorf("compact %v, want %v (kept %q)", isCompact, tt.compact, kept)
			}
			if tt.compact && len(kept) > len(tt.raw) {
				t.Errorf("compact form %d bytes, rendered %d", len(kept), len(tt.raw))
			}
			if out := string(AppendBrief([]byte("x"), tt.tmpl, kept)); out != "x"+tt.raw {
				t.Errorf("AppendBrief gives %q, want %q", out, "x"+tt.raw)
			}
		})
	}
}

// Whatever a renderer writes, the catalog gives it back.
func FuzzPackBrief(f *testing.F) {
	f.Add(`{"id":"st_1f","name":"Soho","lat":51.5}`, `{"id":"st_`, `","name":"`, `}`)
	f.Add("\x00\x01", "\x00", "", "")
	f.Add(`ab`, `a`, `a`, `b`)
	f.Fuzz(func(t *testing.T, raw, t0, t1, t2 string) {
		tmpl := []string{t0, t1, t2}
		kept := string(packBrief([]byte(raw), 0, tmpl))
		if out := string(AppendBrief(nil, tmpl, kept)); out != raw {
			t.Fatalf("template %q: %q kept as %q gives %q", tmpl, raw, kept, out)
		}
	})
}
