package httpconn

import (
	"bytes"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// recordingConn records the writes that reach the socket.
type recordingConn struct {
	net.Conn // nil: only Write and CloseWrite are called
	writes   []int
	data     bytes.Buffer
	closed   bool // for writing
	shut     bool // Close was called
}

func (c *recordingConn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	c.writes = append(c.writes, len(p))
	return c.data.Write(p)
}

func (c *recordingConn) CloseWrite() error { c.closed = true; return nil }

func (c *recordingConn) Close() error { c.shut = true; return nil }

func TestGatherConn(t *testing.T) {
	big := strings.Repeat("x", maxGathered/2+1)
	tests := []struct {
		name   string
		run    func(c *Conn) error
		writes []int
	}{
		{"not gathering: writes pass through", func(c *Conn) error {
			c.Write([]byte("ab"))
			_, err := c.Write([]byte("cde"))
			return err
		}, []int{2, 3}},
		{"gathered writes leave as one", func(c *Conn) error {
			c.gather()
			c.Write([]byte("ab"))
			c.Write([]byte("cde"))
			return c.send()
		}, []int{5}},
		{"nothing gathered: no write", func(c *Conn) error {
			c.gather()
			return c.send()
		}, nil},
		{"send twice: one write", func(c *Conn) error {
			c.gather()
			c.Write([]byte("ab"))
			c.send()
			return c.send()
		}, []int{2}},
		{"past maxGathered: held bytes, then the write", func(c *Conn) error {
			c.gather()
			c.Write([]byte(big))
			c.Write([]byte(big))
			c.Write([]byte("z")) // no longer gathering
			return c.send()
		}, []int{len(big), len(big), 1}},
		{"CloseWrite sends what is held first", func(c *Conn) error {
			c.gather()
			c.Write([]byte("ab"))
			return c.CloseWrite()
		}, []int{2}},
		{"ReadFrom sends what is held first", func(c *Conn) error {
			c.gather()
			c.Write([]byte("ab"))
			_, err := c.ReadFrom(strings.NewReader("cde"))
			return err
		}, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &recordingConn{}
			c := &Conn{Conn: rc}
			if err := tt.run(c); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rc.writes, tt.writes) {
				t.Errorf("writes %v, want %v", rc.writes, tt.writes)
			}
			if c.held != nil {
				t.Error("still gathering")
			}
			var want int
			for _, n := range tt.writes {
				want += n
			}
			if rc.data.Len() != want {
				t.Errorf("%d bytes written, want %d", rc.data.Len(), want)
			}
		})
	}
}

// TestGatherConn_FailedSend: a write error reaches the caller, the
// connection stops gathering, and it is closed (net/http did not see the
// write fail).
func TestGatherConn_FailedSend(t *testing.T) {
	rc := &recordingConn{closed: true}
	c := &Conn{Conn: rc}
	c.gather()
	if _, err := c.Write([]byte("ab")); err != nil {
		t.Fatalf("gathered write: %v", err)
	}
	if err := c.send(); err == nil {
		t.Error("send on a closed connection: no error")
	}
	if c.held != nil {
		t.Error("still gathering after a failed send")
	}
	if !rc.shut {
		t.Error("connection left open after a failed send")
	}
}

// fixedListener accepts one given connection.
type fixedListener struct {
	net.Listener // nil
	c            net.Conn
}

func (l fixedListener) Accept() (net.Conn, error) { return l.c, nil }

// TestListener_LeavesTLSAlone: net/http recognises TLS connections by
// their type, so Listener must not wrap them; and HTTP/2 requests, which
// share a connection, never use it.
func TestListener_LeavesTLSAlone(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	tc := tls.Server(a, &tls.Config{})
	got, err := Listener(fixedListener{c: tc}).Accept()
	if err != nil || got != net.Conn(tc) {
		t.Errorf("TLS connection accepted as %T (%v), want the *tls.Conn itself", got, err)
	}
	plain, err := Listener(fixedListener{c: b}).Accept()
	if err != nil {
		t.Fatal(err)
	}
	gc, ok := plain.(*Conn)
	if !ok || gc.NetConn() != b {
		t.Fatalf("plain connection accepted as %T, want a *Conn over it", plain)
	}

	r := httptest.NewRequest(http.MethodGet, "/v1/nearby", nil)
	r = r.WithContext(ConnContext(r.Context(), plain))
	if Of(r) != gc {
		t.Error("HTTP/1.1 request: connection not found")
	}
	r.ProtoMajor, r.ProtoMinor = 2, 0
	if Of(r) != nil {
		t.Error("HTTP/2 request: connection used")
	}
}
