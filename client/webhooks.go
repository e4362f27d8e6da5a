package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook is a webhook endpoint; Secret ("whsec_...") is shown only in
// the answer to CreateWebhook: verify deliveries with it (package
// webhook's Verify, or any Standard Webhooks library).
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"secret,omitempty"`
	Disabled  bool      `json:"disabled"`
	Failing   bool      `json:"failing"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// WebhookTest is how a test ping went.
type WebhookTest struct {
	Delivered bool   `json:"delivered"`
	Status    int    `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
}

// CreateWebhook registers an endpoint for events (shake, enter, exit,
// dwell, alert, qr_scan) (POST /v1/webhooks).
func (c *Client) CreateWebhook(ctx context.Context, endpoint string, events []string) (*Webhook, error) {
	in := struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}{endpoint, events}
	return call[Webhook](ctx, c, http.MethodPost, "/v1/webhooks", in)
}

// ListWebhooks returns the merchant's endpoints (GET /v1/webhooks).
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	var out struct {
		Items []Webhook `json:"items"`
	}
	if err := c.Do(ctx, http.MethodGet, "/v1/webhooks", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// DeleteWebhook deletes an endpoint (DELETE /v1/webhooks/{id}).
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/webhooks/"+escape(id), nil, nil, nil)
}

// TestWebhook has the server send the endpoint a signed test event of typ
// ("" for "ping") now (POST /v1/webhooks/{id}/test).
func (c *Client) TestWebhook(ctx context.Context, id, typ string) (*WebhookTest, error) {
	in := struct {
		Type string `json:"type,omitempty"`
	}{typ}
	return call[WebhookTest](ctx, c, http.MethodPost, "/v1/webhooks/"+escape(id)+"/test", in)
}

// StreamEvent is one event of the merchant's stream: ID resumes the stream
// after it; Data is the webhook body's data.
type StreamEvent struct {
	ID        string          `json:"-"`
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// StreamOptions select where a stream starts and whether it follows.
type StreamOptions struct {
	// LastEventID resumes after that event ("": from now; "0": from the
	// oldest kept).
	LastEventID string
	// NoFollow ends the stream after the events there are.
	NoFollow bool
}

// Events reads the merchant's events as Server-Sent Events
// (GET /v1/events/stream) until ctx is done, the server ends the stream
// or an error, which is yielded last. Resume a broken stream with the last
// event's ID.
func (c *Client) Events(ctx context.Context, opts StreamOptions) iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		resp, err := c.openStream(ctx, opts)
		if err != nil {
			yield(StreamEvent{}, err)
			return
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), int(min(c.MaxResponseBytes, 1<<30)))
		var ev StreamEvent
		var data strings.Builder
		for sc.Scan() {
			line := sc.Text()
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				ev.ID = value
			case "data":
				data.WriteString(value)
			case "":
				if line != "" || data.Len() == 0 {
					continue // a comment (keep-alive), or nothing to dispatch
				}
				if err := json.Unmarshal([]byte(data.String()), &ev); err != nil {
					yield(StreamEvent{}, fmt.Errorf("client: event %s: %w", ev.ID, err))
					return
				}
				if !yield(ev, nil) {
					return
				}
				ev, data = StreamEvent{}, strings.Builder{}
			}
		}
		if err := sc.Err(); err != nil && ctx.Err() == nil {
			yield(StreamEvent{}, fmt.Errorf("client: event stream: %w", err))
		}
	}
}

func (c *Client) openStream(ctx context.Context, opts StreamOptions) (*http.Response, error) {
	q := url.Values{}
	if opts.NoFollow {
		q.Set("follow", strconv.FormatBool(false))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/v1/events/stream?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("client: event stream: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if opts.LastEventID != "" {
		req.Header.Set("Last-Event-ID", opts.LastEventID)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: event stream: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, newError(http.MethodGet, "/v1/events/stream", resp, data)
	}
	return resp, nil
}
