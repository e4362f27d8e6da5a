package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestConn_Get(t *testing.T) {
	big := strings.Repeat("y", 9000) // written in pieces: chunked
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.Header().Set("Content-Length", "5")
			w.Write([]byte("hello"))
		case "/chunked":
			w.(http.Flusher).Flush()
			w.Write([]byte(big[:4000]))
			w.(http.Flusher).Flush()
			w.Write([]byte(big[4000:]))
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c, err := dial(host, host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.nc.Close()
	for _, tc := range []struct {
		path         string
		status, size int
	}{
		{"/small", 200, 5},
		{"/chunked", 200, 9000},
		{"/missing", 404, len("404 page not found\n")},
		{"/close", 200, 3},
		{"/small", 200, 5}, // on a new connection after the close
	} {
		status, n, err := c.get(tc.path)
		if err != nil || status != tc.status || n != tc.size {
			t.Errorf("get(%s) = %d, %d, %v; want %d, %d", tc.path, status, n, err, tc.status, tc.size)
		}
	}
}

func TestFixedBody(t *testing.T) {
	for _, n := range []int{16, 100, 5280} {
		b := fixedBody(n)
		if len(b) != n || !json.Valid(b) {
			t.Errorf("fixedBody(%d): %d bytes, valid JSON %v", n, len(b), json.Valid(b))
		}
	}
}

func TestLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("limit") != "20" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		w.Write(fixedBody(100))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	targets := queryTargets("/v1/nearby", 1, 10_000, 50, 2000, 20)
	r, err := load(context.Background(), u.Host, targets, 2, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Non200 != 0 || r.Errors != 0 || r.MeanBodyLen != 100 || r.P50us <= 0 || r.P99us < r.P50us {
		t.Errorf("report %+v: want requests, all 200, 100-byte bodies, ordered percentiles", r)
	}
}

func TestRun_Usage(t *testing.T) {
	if err := Run(context.Background(), nil); err == nil {
		t.Error("Run without a subcommand: nil error")
	}
	if err := Run(context.Background(), []string{"bogus"}); err == nil {
		t.Error("Run bogus: nil error")
	}
}
