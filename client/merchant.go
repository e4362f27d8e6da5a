package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/nearby-dev/nearby"
)

// Merchant is the answer to creating a merchant; APIKey is shown only once.
type Merchant struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	APIKey string `json:"api_key,omitempty"`
}

// CreateMerchant creates a merchant (admin token).
func (c *Client) CreateMerchant(ctx context.Context, name string) (*Merchant, error) {
	var m Merchant
	if err := c.Do(ctx, http.MethodPost, "/v1/merchants", nil, map[string]string{"name": name}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Store is a store as the API shows it.
type Store struct {
	ID       string       `json:"id,omitempty"`
	Name     string       `json:"name"`
	Lat      float64      `json:"lat"`
	Lng      float64      `json:"lng"`
	Category string       `json:"category"`
	Address  string       `json:"address,omitempty"`
	Timezone string       `json:"timezone,omitempty"`
	Hours    nearby.Hours `json:"hours,omitempty"`
	Tags     []string     `json:"tags,omitempty"`
}

// CreateStore creates a store (merchant key) and returns it with its id.
func (c *Client) CreateStore(ctx context.Context, s *Store) (*Store, error) {
	var out Store
	if err := c.Do(ctx, http.MethodPost, "/v1/stores", nil, s, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Page is what phones are shown for a beacon.
type Page struct {
	ProgramID string `json:"program_id"`
	Path      string `json:"path,omitempty"`
	Title     string `json:"title,omitempty"`
}

// Beacon is a beacon as the API shows it; AgentToken is shown only once, at
// creation.
type Beacon struct {
	ID         string  `json:"id,omitempty"`
	StoreID    string  `json:"store_id"`
	Label      string  `json:"label,omitempty"`
	UUID       string  `json:"uuid,omitempty"`
	Major      *uint16 `json:"major,omitempty"`
	Minor      *uint16 `json:"minor,omitempty"`
	TxPower    *int    `json:"tx_power,omitempty"`
	Status     string  `json:"status,omitempty"`
	Page       *Page   `json:"page,omitempty"`
	AgentToken string  `json:"agent_token,omitempty"`
}

// CreateBeacon creates a beacon (merchant key); the server allocates its
// identity unless b brings one.
func (c *Client) CreateBeacon(ctx context.Context, b *Beacon) (*Beacon, error) {
	var out Beacon
	if err := c.Do(ctx, http.MethodPost, "/v1/beacons", nil, b, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetBeacon reads a beacon with its last heartbeat into out, a struct or map
// of the caller's choosing, since the detail carries more than Beacon.
func (c *Client) GetBeacon(ctx context.Context, id string, out any) error {
	return c.Do(ctx, http.MethodGet, "/v1/beacons/"+url.PathEscape(id), nil, nil, out)
}

// UpdateBeacon replaces a beacon's fields (PUT /v1/beacons/{id}).
func (c *Client) UpdateBeacon(ctx context.Context, id string, b *Beacon) (*Beacon, error) {
	var out Beacon
	if err := c.Do(ctx, http.MethodPut, "/v1/beacons/"+url.PathEscape(id), nil, b, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BeaconStats returns a beacon's statistics per day between from and to
// (dates, in the store's time zone).
func (c *Client) BeaconStats(ctx context.Context, id string, from, to time.Time) ([]nearby.DayStats, error) {
	return c.stats(ctx, "/v1/stats/beacons/"+url.PathEscape(id), from, to)
}

// StoreStats returns a store's statistics per day between from and to.
func (c *Client) StoreStats(ctx context.Context, id string, from, to time.Time) ([]nearby.DayStats, error) {
	return c.stats(ctx, "/v1/stats/stores/"+url.PathEscape(id), from, to)
}

func (c *Client) stats(ctx context.Context, path string, from, to time.Time) ([]nearby.DayStats, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", from.Format(time.DateOnly))
	}
	if !to.IsZero() {
		q.Set("to", to.Format(time.DateOnly))
	}
	// Accept both a bare list and an object wrapping it, as the contract
	// names only the per-day fields.
	var raw statsAnswer
	if err := c.Do(ctx, http.MethodGet, path, q, nil, &raw); err != nil {
		return nil, err
	}
	return raw.days, nil
}

// statsAnswer decodes a statistics answer: a list of days, or an object
// holding that list under "days", "stats" or "results".
type statsAnswer struct{ days []nearby.DayStats }

func (a *statsAnswer) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, &a.days)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	for _, k := range []string{"days", "stats", "results"} {
		if v, ok := obj[k]; ok {
			return json.Unmarshal(v, &a.days)
		}
	}
	return fmt.Errorf("no list of days in the answer")
}

// HeatCell is one H3 cell of the heatmap.
type HeatCell struct {
	Cell   string `json:"cell"`
	Count  int64  `json:"count"`
	Stores int    `json:"stores"`
}

// Heatmap returns the merchant's event counts per H3 cell of resolution res
// within the box, between from and to (zero means the server's default).
func (c *Client) Heatmap(ctx context.Context, res int, minLat, minLng, maxLat, maxLng float64, from, to time.Time) ([]HeatCell, error) {
	q := url.Values{}
	q.Set("res", strconv.Itoa(res))
	for k, v := range map[string]float64{"min_lat": minLat, "min_lng": minLng, "max_lat": maxLat, "max_lng": maxLng} {
		q.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
	}
	if !from.IsZero() {
		q.Set("from", from.Format(time.RFC3339Nano))
	}
	if !to.IsZero() {
		q.Set("to", to.Format(time.RFC3339Nano))
	}
	var out struct {
		Cells []HeatCell `json:"cells"`
	}
	if err := c.Do(ctx, http.MethodGet, "/v1/stats/heatmap", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Cells, nil
}
