package api

import (
	"context"
	"net"
	"syscall"
)

// connKey is the request context key of the connection a request came on.
type connKey struct{}

// ConnContext is for http.Server.ConnContext: it makes the connection of
// each request known to the handlers, so that handleNearby can send its
// answer in one piece (see corkedWrite).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// rawConnOf returns the raw socket of the request's connection, if
// ConnContext recorded one.
func rawConnOf(ctx context.Context) syscall.RawConn {
	c, ok := ctx.Value(connKey{}).(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
