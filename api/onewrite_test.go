package api_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/httpconn"
	"github.com/nearby-dev/nearby/httpconn/httpconntest"
)

// TestListener_OneWritePerAnswer serves nearby pages a little larger than net/http's
// 4 KiB connection buffer over one keep-alive TCP connection, through
// httpconn.Listener and httpconn.ConnContext: each answer must reach the connection
// as one write (net/http alone makes two), with the same body as a plain
// server's, and the answers after it must not be held back.
func TestListener_OneWritePerAnswer(t *testing.T) {
	ts := newTestServer(t, nil)
	for i := range 40 { // 40 results with long names: a page over 4 KiB
		id := uint64(i + 1)
		if err := ts.Cat.PutStore(&nearby.Store{ID: id, Name: fmt.Sprintf("Store %03d on a rather long street name", i),
			Lat: 48.85 + float64(i)*1e-4, Lng: 2.35, Address: fmt.Sprintf("%d avenue of the long addresses, Paris", i)}); err != nil {
			t.Fatal(err)
		}
		ts.Cat.PutProgram(&nearby.Program{ID: 100 + id, AppID: fmt.Sprintf("wx%08d", i), Name: fmt.Sprintf("Program %d with a long name", i),
			Category: "coffee", IconURL: "https://example.com/icons/a-rather-long-icon-path.png", StoreIDs: []uint64{id}})
	}
	const page = "/v1/nearby?lat=48.85&lng=2.35&radius_m=2000&limit=15"

	get := func(t *testing.T, c *http.Client, url string) (int, string) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ContentLength != int64(len(b)) {
			t.Fatalf("Content-Length %d, body %d bytes", resp.ContentLength, len(b))
		}
		return resp.StatusCode, string(b)
	}

	plainLog := &httpconntest.WriteLog{Listener: newLocalListener(t)}
	plain := httptest.NewUnstartedServer(ts.Handler())
	plain.Listener = plainLog
	plain.Start()
	defer plain.Close()
	code, want := get(t, plain.Client(), plain.URL+page)
	if code != http.StatusOK || len(want) < 4500 || len(want) > 7000 {
		t.Fatalf("status %d, page of %d bytes: want a 200 of 4.5-7 KB, which net/http sends in two writes, the second after the handler returns", code, len(want))
	}
	if w := plainLog.Take(); len(w) != 2 {
		t.Errorf("plain server: writes %v, want 2 (the premise of httpconn.WriteOnce)", w)
	}

	// As the machine is, then with one processor, where the queries also
	// take turns (the bad lat is refused inside its turn). GOMAXPROCS is set
	// before the listener: its turns read it at their first query.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{runtime.GOMAXPROCS(0), 1} {
		runtime.GOMAXPROCS(procs)
		log := &httpconntest.WriteLog{Listener: newLocalListener(t)}
		srv := httptest.NewUnstartedServer(ts.Handler())
		srv.Listener = httpconn.Listener(log)
		srv.Config.ConnContext = httpconn.ConnContext
		var conns atomic.Int32
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		client := srv.Client()
		client.Timeout = 10 * time.Second // an answer held back for good fails here
		for i := range 5 {
			code, got := get(t, client, srv.URL+page)
			// The cursor carries the time of the query: the rest must be the same.
			if code != http.StatusOK || withoutCursor(got) != withoutCursor(want) {
				t.Fatalf("GOMAXPROCS %d, request %d: status %d, body differs:\n%s\nwant\n%s", procs, i, code, got, want)
			}
			if w := log.Take(); len(w) != 1 || w[0] <= len(want) {
				t.Errorf("GOMAXPROCS %d, request %d: writes %v, want one of header and %d-byte body", procs, i, w, len(want))
			}
			// A small answer on another route, and an error answer of this
			// one, go out as before: not held back behind the page.
			if code, _ := get(t, client, srv.URL+"/healthz"); code != http.StatusOK {
				t.Errorf("GOMAXPROCS %d, request %d: /healthz status %d", procs, i, code)
			}
			if code, body := get(t, client, srv.URL+"/v1/nearby?lat=91&lng=2.35"); code != http.StatusBadRequest {
				t.Errorf("GOMAXPROCS %d, request %d: bad lat: status %d, %s", procs, i, code, body)
			}
			if w := log.Take(); len(w) != 2 {
				t.Errorf("GOMAXPROCS %d, request %d: writes %v for two small answers, want 2", procs, i, w)
			}
		}
		srv.Close()
		if n := conns.Load(); n != 1 {
			t.Errorf("GOMAXPROCS %d: %d connections for 15 requests, want 1 (keep-alive)", procs, n)
		}
	}
}

func withoutCursor(page string) string {
	page, _, _ = strings.Cut(page, `,"next_cursor"`)
	return page
}

func newLocalListener(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
