package client_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nearby-dev/nearby/client"
)

// FuzzEvents: whatever bytes a server streams, Events never panics and
// yields only events whose data was JSON.
func FuzzEvents(f *testing.F) {
	f.Add([]byte("id: 1\nevent: enter\ndata: {\"type\":\"enter\",\"timestamp\":\"2026-12-04T09:00:00Z\",\"data\":{}}\n\n"))
	f.Add([]byte(": keep-alive\n\nid: 2\ndata: {\"type\":\"shake\"\ndata: ,\"data\":{}}\n\n"))
	f.Add([]byte("data: not json\n\n"))
	f.Add([]byte("id\ndata\n\n\n:\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write(stream)
		}))
		defer srv.Close()
		c := client.New(srv.URL, "mk_x", srv.Client())
		for ev, err := range c.Events(t.Context(), client.StreamOptions{NoFollow: true}) {
			if err == nil && ev.Data != nil && !json.Valid(ev.Data) {
				t.Fatalf("event %q yielded with invalid data %q", ev.ID, ev.Data)
			}
		}
	})
}
