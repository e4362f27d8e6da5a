package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/internal/syncbuf"
)

// jsonLogs logs every record as JSON, for tests that read them.
func jsonLogs(w io.Writer) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
}

// records decodes JSON log lines, failing on anything else.
func records(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// checkClientClosed asserts that a request on route was recorded as the
// client closing it: 499 in the access log and the metrics, the closing
// logged at wantLevel, no server error anywhere, and nothing answered.
func checkClientClosed(t *testing.T, ts *testServer, logs, method, route, wantLevel string, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("answered %q (Content-Type %q), want nothing for a gone client", w.Body, w.Header().Get("Content-Type"))
	}
	var access, closed map[string]any
	for _, r := range records(t, logs) {
		switch {
		case r["level"] == "ERROR":
			t.Errorf("error record %v, want none for a gone client", r)
		case r["msg"] == "request" && r["route"] == route:
			access = r
		case r["msg"] == "client closed the request":
			closed = r
		}
	}
	if access == nil || access["status"] != 499.0 {
		t.Errorf("access log of %s = %v, want status 499", route, access)
	}
	if closed == nil || closed["level"] != wantLevel || closed["route"] != route || closed["request_id"] != access["request_id"] {
		t.Errorf("closing record = %v, want level %s, route %s and the request's id", closed, wantLevel, route)
	}
	metrics := ts.serve("GET", "/metrics", "", "").Body.String()
	if want := fmt.Sprintf(`http_requests_total{method=%q,route=%q,status="499"} 1`, method, route); !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s", want)
	}
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "http_requests_total{") && strings.Contains(line, `route="`+route+`"`) && strings.Contains(line, `status="5`) {
			t.Errorf("/metrics counts a server error: %s", line)
		}
	}
}

// TestServer_ClientClosed: on any route, the request's own context
// cancelled under a handler (the client went away) is a 499, not a 500.
func TestServer_ClientClosed(t *testing.T) {
	tests := []struct {
		name, method, route, target, body, level string
		fake                                     func(ts *testServer, cancel context.CancelFunc)
	}{
		{"Merchant", "GET", "/v1/stores", "/v1/stores", "", "INFO", func(ts *testServer, cancel context.CancelFunc) {
			ts.Reg.ListStoresFn = func(ctx context.Context, _, _ uint64, _ int) ([]*nearby.Store, error) {
				cancel()
				return nil, fmt.Errorf("store: list: %w", ctx.Err())
			}
		}},
		// Phone routes are the hot path: their closings are debug records.
		{"Phone", "POST", "/v1/shake", "/v1/shake", `{"device_id":"p1","lat":1,"lng":1}`, "DEBUG", func(ts *testServer, cancel context.CancelFunc) {
			ts.Reg.RecordShakeFn = func(ctx context.Context, _ *nearby.Shake) error {
				cancel()
				return fmt.Errorf("store: shake: %w", ctx.Err())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServerLogging(t, nil, nil, jsonLogs)
			key := withMerchant(ts)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			tt.fake(ts, cancel)
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body).WithContext(ctx)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			w := httptest.NewRecorder()
			ts.Handler().ServeHTTP(w, req)
			checkClientClosed(t, ts, ts.Logs.String(), tt.method, tt.route, tt.level, w)
		})
	}
	// A cancellation that is not the request's (the client is still
	// there) stays a server error.
	t.Run("ErrOtherContext", func(t *testing.T) {
		ts := newTestServerLogging(t, nil, nil, jsonLogs)
		key := withMerchant(ts)
		ts.Reg.ListStoresFn = func(context.Context, uint64, uint64, int) ([]*nearby.Store, error) {
			return nil, fmt.Errorf("store: list: %w", context.Canceled)
		}
		if p := problemOf(t, ts.serve("GET", "/v1/stores", key, "")); p.Status != 500 {
			t.Errorf("status = %d, want 500", p.Status)
		}
		if !strings.Contains(ts.Logs.String(), `"msg":"request failed"`) {
			t.Errorf("logs %s lack the request failed record", ts.Logs)
		}
	})
}

// syncBuffer is a bytes.Buffer the server's goroutines may write while the test reads it.
type syncBuffer = syncbuf.Buffer
