package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testAdminToken is the admin token of test servers.
const testAdminToken = "test-admin-token"

// MustRunMain runs the real Main on 127.0.0.1:0 over dataDir, waits until
// the index is loaded, and closes it at the end of the test.
func MustRunMain(tb testing.TB, dataDir string) *Main {
	tb.Helper()
	m := NewMain()
	m.Config.Listen = "127.0.0.1:0"
	m.Config.DataDir = dataDir
	m.Config.AdminToken = testAdminToken
	m.Config.LogLevel = "error"
	m.Config.RateLimit = 0 // the journeys make many requests from one IP
	m.Stdout, m.Stderr = io.Discard, io.Discard
	if err := m.Run(context.Background()); err != nil {
		tb.Fatalf("Run: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	select {
	case <-m.Loaded():
	case <-time.After(30 * time.Second):
		tb.Fatal("index not loaded after 30 s")
	}
	if err := m.LoadErr(); err != nil {
		tb.Fatalf("load: %v", err)
	}
	return m
}

// call is one HTTP exchange of a test.
type call struct {
	tb   testing.TB
	base string
}

// resp is a decoded answer.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r resp) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("decode %q: %v", r.Body, err)
	}
	return m
}

// Str returns a string field of the JSON body.
func (r resp) Str(tb testing.TB, key string) string {
	tb.Helper()
	s, _ := r.JSON(tb)[key].(string)
	return s
}

// do sends body (a string is sent as is, anything else as JSON).
func (c call) do(method, path, token string, body any) resp {
	c.tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.tb.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		c.tb.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: out}
}

// must sends and fails the test unless the status is want.
func (c call) must(want int, method, path, token string, body any) resp {
	c.tb.Helper()
	r := c.do(method, path, token, body)
	if r.Status != want {
		c.tb.Fatalf("%s %s: status = %d, want %d; body %s", method, path, r.Status, want, r.Body)
	}
	return r
}

func clientOf(tb testing.TB, m *Main) call { return call{tb: tb, base: "http://" + m.Addr()} }

// newMerchant creates a merchant and returns its id and API key.
func newMerchant(c call, name string) (id, key string) {
	c.tb.Helper()
	r := c.must(201, "POST", "/v1/merchants", testAdminToken, map[string]any{"name": name})
	return r.Str(c.tb, "id"), r.Str(c.tb, "api_key")
}

// doType sends body with an explicit Content-Type.
func (c call) doType(method, path, token, contentType, body string) resp {
	c.tb.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: out}
}
