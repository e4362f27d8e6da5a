package client

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
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

func TestCodeOf(t *testing.T) {
	tests := []struct {
		typ    string
		status int
		want   string
	}{
		{ProblemTypeBase + "not_found", 404, nearby.ENOTFOUND},
		{ProblemTypeBase + "conflict", 400, nearby.ECONFLICT}, // the type names the code
		{ProblemTypeBase + "method_not_allowed", 405, nearby.EINVALID},
		{ProblemTypeBase + "no_such_code", 404, nearby.ENOTFOUND},
		{"about:blank", 403, nearby.EFORBIDDEN},
		{"", 413, nearby.ETOOLARGE},
		{"", 415, nearby.EUNSUPPORTED},
		{"", 429, nearby.ERATELIMIT},
		{"", 408, nearby.EUNAVAILABLE},
		{"", 504, nearby.EUNAVAILABLE},
		{"", 501, nearby.EINTERNAL},
		{"", 418, nearby.EINVALID},
		{"https://nearby.dev/problems/", 500, nearby.EINTERNAL},
	}
	for _, tt := range tests {
		if got := codeOf(tt.typ, tt.status); got != tt.want {
			t.Errorf("codeOf(%q, %d): got %q, want %q", tt.typ, tt.status, got, tt.want)
		}
	}
}

// FuzzParseProblem feeds arbitrary error bodies and headers to the problem
// parser: it must never panic, the HTTP status stays authoritative, the code
// is always one of the domain's, and a plain body kept as the detail is
// bounded.
func FuzzParseProblem(f *testing.F) {
	f.Add(400, "", []byte(`{"type":"https://nearby.dev/problems/invalid","title":"Bad Request","status":400,"detail":"lat is required","errors":[{"field":"lat","message":"is required"}],"request_id":"r1"}`))
	f.Add(503, "1", []byte(`{"status":"loading","stores":0}`))
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`{"type":"https://nearby.dev/problems/rate_limited","status":"x"}`))
	f.Add(502, "99999999999999999", []byte("<html>bad gateway</html>"))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		e := parseProblem("GET", "/x", status, retryAfter, body, now)
		if e.Status != status {
			t.Fatalf("status %d became %d", status, e.Status)
		}
		if !slices.Contains(codes, e.Code) {
			t.Fatalf("code %q is not a nearby code", e.Code)
		}
		if nearby.ErrorCode(e) != e.Code {
			t.Fatalf("nearby.ErrorCode %q, Code %q", nearby.ErrorCode(e), e.Code)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter*time.Second {
			t.Fatalf("Retry-After %q gave %v", retryAfter, e.RetryAfter)
		}
		if !json.Valid(body) && len(e.Detail) > maxPlainDetail {
			t.Fatalf("kept %d bytes of a plain body", len(e.Detail))
		}
		_ = e.Error()
	})
}
