package client

import (
	"context"
	"iter"
	"time"
)

// Alert is a fleet health condition of one of the merchant's beacons (or
// webhook endpoints): open while it holds, resolved once it cleared.
// Kind is silent, battery, temperature, spool_drops, clone or webhook.
type Alert struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	State      string     `json:"state"` // open or resolved
	BeaconID   string     `json:"beacon_id,omitempty"`
	StoreID    string     `json:"store_id,omitempty"`
	Since      time.Time  `json:"since"`
	LastAt     time.Time  `json:"last_at"`
	Evidence   string     `json:"evidence"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// AlertQuery selects alerts; empty fields select all.
type AlertQuery struct {
	State string // open or resolved
	Kind  string
	ListOptions
}

// ListAlerts reads one page of the merchant's alerts (GET /v1/alerts).
func (c *Client) ListAlerts(ctx context.Context, q *AlertQuery) (*Page[Alert], error) {
	if q == nil {
		q = &AlertQuery{}
	}
	v := q.ListOptions.query()
	if q.State != "" {
		v.Set("state", q.State)
	}
	if q.Kind != "" {
		v.Set("kind", q.Kind)
	}
	var p Page[Alert]
	if err := c.Do(ctx, "GET", "/v1/alerts", v, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Alerts iterates over all the merchant's alerts q selects (its page
// options are ignored), a page at a time.
func (c *Client) Alerts(ctx context.Context, q AlertQuery) iter.Seq2[Alert, error] {
	return all(func(cursor string) ([]Alert, string, error) {
		q.ListOptions = ListOptions{Limit: iterPageSize, Cursor: cursor}
		p, err := c.ListAlerts(ctx, &q)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextCursor, nil
	})
}
