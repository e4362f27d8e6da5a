package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// Status is the answer of /healthz and /readyz.
type Status struct {
	Status string `json:"status"` // ok, ready or loading
	Stores int    `json:"stores"` // stores in the index
}

// Health reports whether the process is up (GET /healthz).
func (c *Client) Health(ctx context.Context) (*Status, error) {
	return call[Status](ctx, c, http.MethodGet, "/healthz", nil)
}

// Ready reports whether the server is ready to answer (GET /readyz): until
// the index is loaded it answers an *Error with Status 503 and Code
// nearby.EUNAVAILABLE.
func (c *Client) Ready(ctx context.Context) (*Status, error) {
	return call[Status](ctx, c, http.MethodGet, "/readyz", nil)
}

// Metrics returns the server's Prometheus metrics in the text exposition
// format (GET /metrics).
func (c *Client) Metrics(ctx context.Context) ([]byte, error) {
	return c.send(ctx, http.MethodGet, "/metrics", nil, "", nil, "text/plain")
}

// OpenAPI returns the server's OpenAPI 3.1 document (GET /openapi.json).
func (c *Client) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	b, err := c.send(ctx, http.MethodGet, "/openapi.json", nil, "", nil, "application/json")
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}
