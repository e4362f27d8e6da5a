package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// floor serves a fixed JSON body of -size bytes from a minimal net/http
// handler: the ceiling any handler on this stack can reach.
func floor(ctx context.Context, args []string, logw io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8081", "listen address")
	size := fs.Int("size", 4000, "body size in bytes (use run's mean body size of the real server)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body := fixedBody(*size)
	ct := []string{"application/json"}
	// The same framing as GET /v1/nearby, which sets Content-Length: without
	// it net/http would chunk a body over 2 KiB.
	cl := []string{strconv.Itoa(len(body))}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = ct
		w.Header()["Content-Length"] = cl
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
	// The floor is net/http as it comes: its answers leave in two writes.
	return listenAndServe(ctx, *listen, &http.Server{Handler: h}, nil, logw)
}

// fixedBody is a valid JSON object of exactly n bytes (n >= 16).
func fixedBody(n int) []byte {
	const head, tail = `{"results":"`, `"}`
	pad := max(0, n-len(head)-len(tail))
	return []byte(head + strings.Repeat("x", pad) + tail)
}

func listenAndServe(ctx context.Context, addr string, srv *http.Server, wrap func(net.Listener) net.Listener, logw io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if wrap != nil {
		ln = wrap(ln)
	}
	srv.ReadHeaderTimeout = 10 * time.Second
	fmt.Fprintf(logw, "listening on %s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
