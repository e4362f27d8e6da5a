package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"
)

type statusErr int

func (e statusErr) Error() string             { return fmt.Sprintf("status %d", int(e)) }
func (e statusErr) HTTPStatus() int           { return int(e) }
func (e statusErr) RetryDelay() time.Duration { return 3 * time.Second }

// refusedAt is how net/http reports a refused connection.
func refusedAt(port int) error {
	return &url.Error{Op: "Post", URL: "http://127.0.0.1:8080/v1/agent/events", Err: &net.OpError{Op: "dial", Net: "tcp",
		Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
}

func TestErrorClass(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Status", fmt.Errorf("client: %w", statusErr(503)), "http 503"},
		{"Timeout", fmt.Errorf("client: %w", context.DeadlineExceeded), "timeout"},
		{"Refused", refusedAt(40000), "errno connection refused"},
		{"EOF", fmt.Errorf("client: %w", io.EOF), "connection closed"},
		{"Other", errors.New("agent: spool peek: disk on fire"), "agent: spool peek: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorClass(tt.err); got != tt.want {
				t.Errorf("errorClass(%v): got %q, want %q", tt.err, got, tt.want)
			}
		})
	}
	t.Run("SameClassDifferentText", func(t *testing.T) {
		a, b := refusedAt(40000), refusedAt(40001)
		if a.Error() == b.Error() || errorClass(a) != errorClass(b) {
			t.Errorf("classes %q and %q of %q and %q: want one class", errorClass(a), errorClass(b), a, b)
		}
	})
	t.Run("RetryAfter", func(t *testing.T) {
		if got := retryAfter(fmt.Errorf("x: %w", statusErr(429))); got != 3*time.Second {
			t.Errorf("retryAfter: got %v, want 3s", got)
		}
		if got := httpStatus(errors.New("plain")); got != 0 {
			t.Errorf("httpStatus of a plain error: got %d, want 0", got)
		}
	})
}
