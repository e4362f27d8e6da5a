package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
)

// A nearby page is about 5 KB with its headers, more than net/http's 4 KiB
// connection buffer, so net/http sends it in two writes: two system calls,
// two TCP segments, and two wake-ups of the client's reader, which cost more
// than the copy that joins them. Listener and ConnContext let a handler
// gather one answer's writes and send them in one (writeOnce): the effect
// of nginx's tcp_nopush, without its two setsockopt calls per answer.

// Listener wraps l so that the connections it accepts can hold an answer's
// writes back; ConnContext, as the http.Server's ConnContext, makes the
// connection known to the handlers. Without either, handlers write as
// net/http does. For HTTP/1 connections (one answer at a time).
// Their queries also take turns (see turns).
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
// ConnContext, else nil.
func connOf(ctx context.Context) *gatherConn {
	gc, _ := ctx.Value(connKey{}).(*gatherConn)
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
		_, err = c.Conn.Write(*held)
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
	if gc == nil {
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(b)
		return err
	}
	gc.gather()
	defer gc.send() // also on a failed write: nothing stays held
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(b); err != nil {
		return err
	}
	if err := http.NewResponseController(w.Writer).Flush(); err != nil {
		return err
	}
	return gc.send()
}
