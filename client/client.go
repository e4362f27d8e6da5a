package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
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

	// DisallowUnknownFields makes decoding an answer fail on a field the
	// client's types do not know. Off by default, since the contract
	// lets the server add fields; tests turn it on to catch drift
	// between these types and the server.
	DisallowUnknownFields bool
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

// Do sends a request with in encoded as JSON (nil sends no body) and decodes
// a 2xx answer's JSON into out (nil discards it). query may be nil. It is
// the escape hatch for routes newer than this client.
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
// The body is streamed, not read into memory first.
func (c *Client) DoRaw(ctx context.Context, method, path string, query url.Values, contentType string, body io.Reader, out any) error {
	data, err := c.send(ctx, method, path, query, contentType, body, "application/json")
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := c.decode(data, out); err != nil {
		return fmt.Errorf("client: %s %s: decode response: %w", method, path, err)
	}
	return nil
}

// call sends in (nil for none) and decodes the answer as a T.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (*T, error) {
	var out T
	if err := c.Do(ctx, method, path, nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// decode reads one JSON value into out, strictly when the client is set to.
func (c *Client) decode(data []byte, out any) error {
	if !c.DisallowUnknownFields {
		return json.Unmarshal(data, out)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(out)
}

// send makes one request and returns the body of a 2xx answer; any other
// answer is an *Error.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, contentType string, body io.Reader, accept string) ([]byte, error) {
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", accept)
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newError(method, path, resp, data)
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	return data, nil
}

// escape makes an id safe as one path segment.
func escape(id string) string { return url.PathEscape(id) }
