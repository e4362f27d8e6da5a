package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"

	"github.com/labstack/echo/v4"
)

// A nearby page is about 5 KB with its headers, more than net/http's 4 KiB
// connection buffer, so net/http sends it in two writes: two system calls,
// two TCP segments, and two wake-ups of the client's reader, which cost more
// than the copy that joins them. Listener and ConnContext let a handler
// gather one answer's writes and send them in one (writeOnce): the effect
// of nginx's tcp_nopush, without its two setsockopt calls per answer.

// Listener wraps l so that the connections it accepts can hold an answer's
// writes back, and their nearby queries take turns (see turns);
// ConnContext, as the http.Server's ConnContext, makes the connection known
// to the handlers. Without either, handlers answer as net/http does. Only
// plain-TCP HTTP/1 connections are used this way, one answer at a time on
// the connection's own goroutine: TLS connections (a TLS listener under
// Listener, or TLS over it) and HTTP/2 requests are served as usual, and
// no middleware may run a handler on another goroutine (as
// http.TimeoutHandler does).
func Listener(l net.Listener) net.Listener { return gatherListener{l, newTurns()} }

type gatherListener struct {
	net.Listener
	turns *turns
}

func (l gatherListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if _, ok := c.(*tls.Conn); ok {
		return c, nil // net/http must see the *tls.Conn itself
	}
	return &gatherConn{Conn: c, turns: l.turns, turn: newTurn()}, nil
}

type connKey struct{}

// ConnContext is for http.Server.ConnContext: it records a connection
// accepted by Listener in the context of its requests.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if gc, ok := c.(*gatherConn); ok {
		return context.WithValue(ctx, connKey{}, gc)
	}
	return ctx
}

// connOf returns the request's connection if it came through Listener and
// ConnContext, else nil. Not for HTTP/2, whose requests share a connection
// concurrently.
func connOf(r *http.Request) *gatherConn {
	if r.ProtoMajor != 1 {
		return nil
	}
	gc, _ := r.Context().Value(connKey{}).(*gatherConn)
	return gc
}

// maxGathered bounds what a connection holds back: past it, the held bytes
// are written, so a large answer costs no more memory than net/http's own.
const maxGathered = 64 << 10

// gatherConn is a connection whose writes are held back between gather and
// send. Only the connection's serving goroutine writes to it (HTTP/1), so
// it needs no lock.
type gatherConn struct {
	net.Conn
	held  *[]byte // non-nil while gathering
	turns *turns  // shared by the listener's connections
	turn  turn
}

var gatherBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func (c *gatherConn) gather() {
	if c.held == nil {
		c.held = gatherBufs.Get().(*[]byte)
	}
}

// send writes what was held back, in one write, and stops gathering.
func (c *gatherConn) send() error {
	held := c.held
	if held == nil {
		return nil
	}
	c.held = nil
	var err error
	if len(*held) > 0 {
		if _, err = c.Conn.Write(*held); err != nil {
			// net/http did not see this write fail, and would otherwise
			// keep the connection for a next answer after a cut one.
			c.Conn.Close()
		}
	}
	*held = (*held)[:0]
	gatherBufs.Put(held)
	return err
}

func (c *gatherConn) Write(p []byte) (int, error) {
	if c.held == nil {
		return c.Conn.Write(p)
	}
	if len(*c.held)+len(p) > maxGathered {
		if err := c.send(); err != nil {
			return 0, err
		}
		return c.Conn.Write(p)
	}
	*c.held = append(*c.held, p...)
	return len(p), nil
}

// ReadFrom keeps net/http's sendfile path (the TCP connection's own
// ReadFrom) for whatever is served from files.
func (c *gatherConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.send(); err != nil {
		return 0, err
	}
	return io.Copy(c.Conn, r)
}

// NetConn returns the wrapped connection, as tls.Conn's NetConn does.
func (c *gatherConn) NetConn() net.Conn { return c.Conn }

// SyscallConn keeps the socket reachable for code that looks for it
// (syscall.Conn).
func (c *gatherConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// CloseWrite is net/http's half-close before it closes a connection.
func (c *gatherConn) CloseWrite() error {
	if err := c.send(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// writeOnce writes a 200 answer of body b. On a connection from Listener
// (gc not nil), header and body leave in one write: held back while
// net/http writes them, flushed out of net/http's buffers (otherwise its
// tail would be written after the handler returns), then sent.
func writeOnce(gc *gatherConn, w *echo.Response, b []byte) error {
	if gc != nil {
		gc.gather()
		defer gc.send() // also on a failed write: nothing stays held
	}
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(b); err != nil || gc == nil {
		return err
	}
	if err := http.NewResponseController(w.Writer).Flush(); err != nil {
		return fmt.Errorf("api: flush: %w", err)
	}
	if err := gc.send(); err != nil {
		return fmt.Errorf("api: send: %w", err)
	}
	return nil
}
