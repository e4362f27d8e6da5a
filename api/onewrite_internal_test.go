package api

import (
	"bytes"
	"net"
	"slices"
	"strings"
	"testing"
)

// recordingConn records the writes that reach the socket.
type recordingConn struct {
	net.Conn // nil: only Write and CloseWrite are called
	writes   []int
	data     bytes.Buffer
	closed   bool
}

func (c *recordingConn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	c.writes = append(c.writes, len(p))
	return c.data.Write(p)
}

func (c *recordingConn) CloseWrite() error { c.closed = true; return nil }

func TestGatherConn(t *testing.T) {
	big := strings.Repeat("x", maxGathered/2+1)
	tests := []struct {
		name   string
		run    func(c *gatherConn) error
		writes []int
	}{
		{"not gathering: writes pass through", func(c *gatherConn) error {
			c.Write([]byte("ab"))
			_, err := c.Write([]byte("cde"))
			return err
		}, []int{2, 3}},
		{"gathered writes leave as one", func(c *gatherConn) error {
			c.gather()
			c.Write([]byte("ab"))
			c.Write([]byte("cde"))
			return c.send()
		}, []int{5}},
		{"nothing gathered: no write", func(c *gatherConn) error {
			c.gather()
			return c.send()
		}, nil},
		{"send twice: one write", func(c *gatherConn) error {
			c.gather()
			c.Write([]byte("ab"))
			c.send()
			return c.send()
		}, []int{2}},
		{"past maxGathered: held bytes, then the write", func(c *gatherConn) error {
			c.gather()
			c.Write([]byte(big))
			c.Write([]byte(big))
			c.Write([]byte("z")) // no longer gathering
			return c.send()
		}, []int{len(big), len(big), 1}},
		{"CloseWrite sends what is held first", func(c *gatherConn) error {
			c.gather()
			c.Write([]byte("ab"))
			return c.CloseWrite()
		}, []int{2}},
		{"ReadFrom sends what is held first", func(c *gatherConn) error {
			c.gather()
			c.Write([]byte("ab"))
			_, err := c.ReadFrom(strings.NewReader("cde"))
			return err
		}, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &recordingConn{}
			c := &gatherConn{Conn: rc}
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

// TestGatherConn_FailedSend: a write error reaches the caller, and the
// connection stops gathering.
func TestGatherConn_FailedSend(t *testing.T) {
	rc := &recordingConn{closed: true}
	c := &gatherConn{Conn: rc}
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
}
