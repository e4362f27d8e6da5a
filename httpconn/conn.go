package httpconn

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
)

// Listener wraps l so that the connections it accepts can hold an answer's
// writes back (WriteOnce) and take turns (Conn.TakeTurn); set ConnContext
// as the http.Server's ConnContext so that handlers find them (Of). TLS
// connections are returned as they are: net/http must see the *tls.Conn.
func Listener(l net.Listener) net.Listener { return listener{l, newTurns()} }

type listener struct {
	net.Listener
	turns *turns
}

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if _, ok := c.(*tls.Conn); ok {
		return c, nil // net/http must see the *tls.Conn itself
	}
	return &Conn{Conn: c, turns: l.turns, turn: newTurn()}, nil
}

type connKey struct{}

// ConnContext is for http.Server.ConnContext: it records a connection
// accepted by Listener in the context of its requests.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if gc, ok := c.(*Conn); ok {
		return context.WithValue(ctx, connKey{}, gc)
	}
	return ctx
}

// Of returns the request's connection if it came through Listener and
// ConnContext, else nil. Always nil for HTTP/2, whose requests share a
// connection concurrently.
func Of(r *http.Request) *Conn {
	if r.ProtoMajor != 1 {
		return nil
	}
	gc, _ := r.Context().Value(connKey{}).(*Conn)
	return gc
}

// maxGathered bounds what a connection holds back: past it, the held bytes
// are written, so a large answer costs no more memory than net/http's own.
const maxGathered = 64 << 10

// Conn is a connection accepted by Listener. Its writes pass through,
// except within WriteOnce, which holds them back and sends them in one.
// Only the connection's serving goroutine writes to it (HTTP/1), so it
// needs no lock.
type Conn struct {
	net.Conn
	held  *[]byte // non-nil while gathering
	turns *turns  // shared by the listener's connections
	turn  turn
}

var gatherBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func (c *Conn) gather() {
	if c.held == nil {
		c.held = gatherBufs.Get().(*[]byte)
	}
}

// send writes what was held back, in one write, and stops gathering.
func (c *Conn) send() error {
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

func (c *Conn) Write(p []byte) (int, error) {
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
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.send(); err != nil {
		return 0, err
	}
	return io.Copy(c.Conn, r)
}

// NetConn returns the wrapped connection, as tls.Conn's NetConn does.
func (c *Conn) NetConn() net.Conn { return c.Conn }

// SyscallConn keeps the socket reachable for code that looks for it
// (syscall.Conn).
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// CloseWrite is net/http's half-close before it closes a connection.
func (c *Conn) CloseWrite() error {
	if err := c.send(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// WriteOnce writes a 200 answer of body b to w, with the header already
// set on w (a Content-Length spares net/http the chunked encoding). On a
// connection from Listener (c not nil), header and body leave in one write:
// held back while net/http writes them, flushed out of net/http's buffers
// (otherwise its tail would be written after the handler returns), then
// sent. With c nil it is w.WriteHeader and w.Write.
func WriteOnce(c *Conn, w http.ResponseWriter, b []byte) error {
	if c != nil {
		c.gather()
		defer c.send() // also on a failed write: nothing stays held
	}
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(b); err != nil || c == nil {
		return err
	}
	if err := flush(w); err != nil {
		return fmt.Errorf("httpconn: flush: %w", err)
	}
	if err := c.send(); err != nil {
		return fmt.Errorf("httpconn: send: %w", err)
	}
	return nil
}

// flush flushes net/http's buffers under w and returns their error. It
// looks through wrappers that Unwrap for a writer that reports flush errors
// (net/http's own does): http.ResponseController would stop at the first
// Flusher, and echo.Response's Flush drops the error.
func flush(w http.ResponseWriter) error {
	for rw := w; ; {
		switch t := rw.(type) {
		case interface{ FlushError() error }:
			return t.FlushError()
		case interface{ Unwrap() http.ResponseWriter }:
			rw = t.Unwrap()
		default:
			return http.NewResponseController(w).Flush()
		}
	}
}
