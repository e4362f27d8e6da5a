package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
)

// DefaultMaxResponseBytes bounds a response body the client reads.
const DefaultMaxResponseBytes = 8 << 20

// Client speaks to one discoveryd with one token. Its exported fields may be
// changed before first use; it is safe for concurrent use afterwards.
type Client struct {
	BaseURL   string // e.g. "http://127.0.0.1:8080", without a trailing slash
	Token     string // bearer token; "" sends none
	UserAgent string
	HTTP      *http.Client

	// MaxResponseBytes bounds the bodies read from the server.
	MaxResponseBytes int64
}

// New returns a client of the server at baseURL using token. A nil
// httpClient means http.DefaultClient; per-request deadlines come from the
// context.
func New(baseURL, token string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{
		BaseURL:          strings.TrimRight(baseURL, "/"),
		Token:            token,
		UserAgent:        "nearby-client",
		HTTP:             httpClient,
		MaxResponseBytes: DefaultMaxResponseBytes,
	}
}

// WithToken returns a copy of c that sends token instead.
func (c *Client) WithToken(token string) *Client {
	cc := *c
	cc.Token = token
	return &cc
}

// Error is a non-2xx answer from the server.
type Error struct {
	Method, Path string
	Status       int           // HTTP status code
	RetryAfter   time.Duration // from the Retry-After header; 0 when absent
	Title        string        // problem title
	Detail       string        // problem detail
	Fields       []nearby.FieldError
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "client: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	} else if e.Title != "" && e.Title != http.StatusText(e.Status) {
		b.WriteString(": ")
		b.WriteString(e.Title)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
		if i == len(e.Fields)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// HTTPStatus returns the status code; consumers that must not import this
// package (the agent) find it through an interface.
func (e *Error) HTTPStatus() int { return e.Status }

// RetryDelay returns how long the server asked the client to wait.
func (e *Error) RetryDelay() time.Duration { return e.RetryAfter }

// Retryable reports whether the same request may succeed later: the server
// was busy, overloaded or failing rather than refusing the request itself.
func (e *Error) Retryable() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// StatusOf returns the HTTP status of err's *Error, or 0 when err did not
// come from a server answer (a network failure, say).
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// problem is RFC 9457 problem+json as the API renders it.
type problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []nearby.FieldError `json:"errors"`
}

// Do sends a request with in encoded as JSON (nil sends no body) and decodes
// a 2xx answer's JSON into out (nil discards it). query may be nil.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("client: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	return c.DoRaw(ctx, method, path, query, "application/json", body, out)
}

// DoRaw is Do with a body of the given content type, e.g. a CSV import.
func (c *Client) DoRaw(ctx context.Context, method, path string, query url.Values, contentType string, body io.Reader, out any) error {
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return fmt.Errorf("client: %s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newError(method, path, resp, data)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("client: %s %s: decode response: %w", method, path, err)
	}
	return nil
}

func newError(method, path string, resp *http.Response, data []byte) *Error {
	e := &Error{Method: method, Path: path, Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	var p problem
	if json.Unmarshal(data, &p) == nil {
		e.Title, e.Detail, e.Fields = p.Title, p.Detail, p.Errors
	} else if s := strings.TrimSpace(string(data)); s != "" && len(s) < 200 {
		e.Detail = s
	}
	return e
}

// parseRetryAfter reads either form of Retry-After (RFC 9110 10.2.3):
// delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
