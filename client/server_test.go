package client_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/daemon"
)

// testAdminToken is the admin token of the in-process servers.
const testAdminToken = "client-test-admin-token"

// testServer is a real discoveryd in process: bbolt registry in a temporary
// directory, catalog and geo index, the HTTP API on a loopback port.
type testServer struct {
	URL   string
	Admin string // the admin token
	close func()
}

// Close stops the server and removes its data.
func (s *testServer) Close() { s.close() }

// newServer starts a fresh server. It is the one place that wires one, so
// that examples (which have no testing.TB) and tests share it.
func newServer() (_ *testServer, err error) {
	dir, err := os.MkdirTemp("", "nearby-client-test-")
	if err != nil {
		return nil, err
	}
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	closers = append(closers, func() { os.RemoveAll(dir) })
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	cfg := api.DefaultConfig()
	cfg.AdminToken = testAdminToken
	cfg.RateLimit = 0 // tests and examples query in bursts
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(dir, "nearby.db"), API: cfg})
	if err != nil {
		return nil, err
	}
	closers = append(closers, func() { d.Close() })
	if _, err := d.Load(context.Background()); err != nil {
		return nil, err
	}
	srv := d.Server
	hs := httptest.NewServer(srv.Handler())
	closers = append(closers, hs.Close)
	return &testServer{URL: hs.URL, Admin: testAdminToken, close: closeAll}, nil
}

// startServer is newServer for a test, stopped when the test ends.
func startServer(tb testing.TB) *testServer {
	tb.Helper()
	s, err := newServer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}
