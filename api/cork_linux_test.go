package api_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
)

// TestConnContext_Corked serves nearby pages larger than net/http's 4 KiB
// connection buffer over real keep-alive TCP connections with and without
// api.ConnContext: the bodies must be the same, and after each answer the
// server's socket must have TCP_CORK cleared (a corked socket would hold
// the next answer's tail back for up to 200 ms).
func TestConnContext_Corked(t *testing.T) {
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
	const target = "/v1/nearby?lat=48.85&lng=2.35&radius_m=2000&limit=40"

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
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(b)) {
			t.Fatalf("status %d, Content-Length %d, body %d bytes", resp.StatusCode, resp.ContentLength, len(b))
		}
		return string(b)
	}

	plain := httptest.NewServer(ts.Handler())
	defer plain.Close()
	want := get(t, plain.Client(), plain.URL+target)
	if len(want) < 5000 {
		t.Fatalf("page of %d bytes: want one over net/http's 4 KiB buffer", len(want))
	}

	var mu sync.Mutex
	var conns []net.Conn
	corked := httptest.NewUnstartedServer(ts.Handler())
	corked.Config.ConnContext = api.ConnContext
	corked.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}
	corked.Start()
	defer corked.Close()
	client := corked.Client()
	for i := range 5 {
		if got := get(t, client, corked.URL+target); got != want {
			t.Fatalf("request %d: corked body differs:\n%s\nwant\n%s", i, got, want)
		}
		mu.Lock()
		for _, c := range conns {
			if v := corkOf(t, c); v != 0 {
				t.Errorf("request %d: TCP_CORK = %d after the answer, want 0", i, v)
			}
		}
		mu.Unlock()
	}
	if len(conns) != 1 {
		t.Errorf("%d connections for 5 requests, want 1 (keep-alive)", len(conns))
	}
}

func corkOf(t *testing.T, c net.Conn) int {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		v, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK)
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return v
}
