package httpconn_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby/httpconn"
)

// BenchmarkWriteOnce serves a 5,000-byte answer over one keep-alive
// loopback connection, as net/http does alone ("plain": two writes) and
// through Listener and ConnContext ("listener": one write, and a turn);
// allocs/op must stay equal, the per-request cost being a held buffer from
// a pool:
//
//	go test -run '^$' -bench WriteOnce -benchmem -cpu 1,2 ./httpconn
func BenchmarkWriteOnce(b *testing.B) {
	body := []byte(strings.Repeat("x", 5000))
	cl := []string{strconv.Itoa(len(body))}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := httpconn.Of(r)
		if c.TakeTurn() {
			c.EndTurn()
		}
		w.Header()["Content-Length"] = cl
		if err := httpconn.WriteOnce(c, w, body); err != nil {
			b.Error(err)
		}
	})
	for _, bc := range []struct {
		name   string
		listen bool
	}{{"plain", false}, {"listener", true}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := httptest.NewUnstartedServer(h)
			if bc.listen {
				srv.Listener = httpconn.Listener(srv.Listener)
				srv.Config.ConnContext = httpconn.ConnContext
			}
			srv.Start()
			defer srv.Close()
			c := srv.Client()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Get(srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				if n, _ := io.Copy(io.Discard, resp.Body); n != int64(len(body)) {
					b.Fatalf("body of %d bytes, want %d", n, len(body))
				}
				resp.Body.Close()
			}
		})
	}
}
