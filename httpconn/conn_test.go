package httpconn_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/httpconn"
	"github.com/nearby-dev/nearby/httpconn/httpconntest"
)

// wrapped is a ResponseWriter wrapper such as a router's (echo.Response):
// its Flush does nothing here, so only a flush that looks through Unwrap
// gets net/http's buffers out before the handler returns.
type wrapped struct{ http.ResponseWriter }

func (w wrapped) Flush()                      {}
func (w wrapped) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestWriteOnce serves a body a little larger than net/http's 4 KiB
// connection buffer over one keep-alive TCP connection: through Listener
// and ConnContext it must reach the connection in one write (net/http
// alone makes two), also under a wrapper and inside a turn, with the same
// body; and the small answers after it must not be held back.
func TestWriteOnce(t *testing.T) {
	body := []byte(strings.Repeat("x", 5000))
	page := func(w http.ResponseWriter, r *http.Request) {
		c := httpconn.Of(r)
		if c.TakeTurn() {
			c.EndTurn()
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.URL.Query().Has("wrapped") {
			w = wrapped{w}
		}
		if err := httpconn.WriteOnce(c, w, body); err != nil {
			t.Errorf("WriteOnce: %v", err)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/page", page)
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

	get := func(t *testing.T, c *http.Client, url string) string {
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
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", url, resp.StatusCode)
		}
		return string(b)
	}

	plainLog := &httpconntest.WriteLog{Listener: newLocalListener(t)}
	plain := httptest.NewUnstartedServer(mux)
	plain.Listener = plainLog
	plain.Start()
	defer plain.Close()
	if got := get(t, plain.Client(), plain.URL+"/page"); got != string(body) {
		t.Fatalf("plain server: body of %d bytes, want %d", len(got), len(body))
	}
	if w := plainLog.Take(); len(w) != 2 {
		t.Errorf("plain server (Of nil): writes %v, want 2 (the premise of WriteOnce)", w)
	}

	// As the machine is, then with one processor, where the requests also
	// take turns. GOMAXPROCS is set before the listener: its turns read it
	// at their first request.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{runtime.GOMAXPROCS(0), 1} {
		runtime.GOMAXPROCS(procs)
		log := &httpconntest.WriteLog{Listener: newLocalListener(t)}
		srv := httptest.NewUnstartedServer(mux)
		srv.Listener = httpconn.Listener(log)
		srv.Config.ConnContext = httpconn.ConnContext
		srv.Start()
		client := srv.Client()
		client.Timeout = 10 * time.Second // an answer held back for good fails here
		for _, path := range []string{"/page", "/page?wrapped", "/page"} {
			if got := get(t, client, srv.URL+path); got != string(body) {
				t.Fatalf("GOMAXPROCS %d, %s: body of %d bytes, want %d", procs, path, len(got), len(body))
			}
			if w := log.Take(); len(w) != 1 || w[0] <= len(body) {
				t.Errorf("GOMAXPROCS %d, %s: writes %v, want one of header and %d-byte body", procs, path, w, len(body))
			}
			get(t, client, srv.URL+"/small")
			if w := log.Take(); len(w) != 1 {
				t.Errorf("GOMAXPROCS %d, small answer after %s: writes %v, want 1", procs, path, w)
			}
		}
		srv.Close()
	}
}

// TestOf_Nil: without Listener and ConnContext a handler gets no
// connection, takes no turn, and WriteOnce answers as net/http does.
func TestOf_Nil(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/page", nil)
	c := httpconn.Of(r)
	if c != nil {
		t.Fatalf("Of a plain request: %v, want nil", c)
	}
	if c.TakeTurn() {
		t.Error("nil Conn took a turn")
	}
	w := httptest.NewRecorder()
	if err := httpconn.WriteOnce(c, w, []byte("body")); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusOK || w.Body.String() != "body" {
		t.Errorf("answer %d %q, want 200 \"body\"", w.Code, w.Body.String())
	}
}

func newLocalListener(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
