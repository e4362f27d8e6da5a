package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/nearby-dev/nearby"
)

// Stats are the per-day statistics of a beacon or a store between From and
// To, as the server read the range.
type Stats struct {
	ID   string            `json:"id"`
	From time.Time         `json:"from"`
	To   time.Time         `json:"to"`
	Days []nearby.DayStats `json:"days"`
}

// BeaconStats returns a beacon's statistics per day between from and to
// (GET /v1/stats/beacons/{id}). Only the dates of from and to count: whole
// days, in the store's time zone. Zero times mean the server's default,
// the last 30 days.
func (c *Client) BeaconStats(ctx context.Context, id string, from, to time.Time) ([]nearby.DayStats, error) {
	s, err := c.BeaconStatsRange(ctx, id, from, to)
	if err != nil {
		return nil, err
	}
	return s.Days, nil
}

// BeaconStatsRange is BeaconStats with the range the server used.
func (c *Client) BeaconStatsRange(ctx context.Context, id string, from, to time.Time) (*Stats, error) {
	return c.stats(ctx, "/v1/stats/beacons/"+escape(id), from, to)
}

// StoreStats returns a store's statistics per day between from and to
// (GET /v1/stats/stores/{id}); see BeaconStats.
func (c *Client) StoreStats(ctx context.Context, id string, from, to time.Time) ([]nearby.DayStats, error) {
	s, err := c.StoreStatsRange(ctx, id, from, to)
	if err != nil {
		return nil, err
	}
	return s.Days, nil
}

// StoreStatsRange is StoreStats with the range the server used.
func (c *Client) StoreStatsRange(ctx context.Context, id string, from, to time.Time) (*Stats, error) {
	return c.stats(ctx, "/v1/stats/stores/"+escape(id), from, to)
}

func (c *Client) stats(ctx context.Context, path string, from, to time.Time) (*Stats, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", from.Format(time.DateOnly))
	}
	if !to.IsZero() {
		q.Set("to", to.Format(time.DateOnly))
	}
	var s Stats
	if err := c.Do(ctx, http.MethodGet, path, q, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// HeatCell is one H3 cell of the heatmap: the events at the merchant's
// Stores in the cell.
type HeatCell struct {
	Cell string `json:"cell"`
	// Count sums the events of the store-days with at least the server's
	// minimum count of devices; nil when all were left out. Suppressed
	// says some were.
	Count      *int64 `json:"count"`
	Stores     int    `json:"stores"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// HeatmapQuery selects the heatmap's box, resolution and time range. A
// MinLng greater than MaxLng crosses the antimeridian.
type HeatmapQuery struct {
	Res                            int // H3 resolution 0 to 15; 0 is sent as is
	MinLat, MinLng, MaxLat, MaxLng float64
	From, To                       time.Time // zero means the server's default
}

// HeatmapResult is the heatmap, cells with the most events first.
type HeatmapResult struct {
	Res   int        `json:"res"`
	From  time.Time  `json:"from"`
	To    time.Time  `json:"to"`
	Cells []HeatCell `json:"cells"`
}

// Heatmap returns the merchant's event counts per H3 cell of resolution res
// within the box, between from and to (zero means the server's default).
func (c *Client) Heatmap(ctx context.Context, res int, minLat, minLng, maxLat, maxLng float64, from, to time.Time) ([]HeatCell, error) {
	h, err := c.HeatmapOf(ctx, &HeatmapQuery{Res: res, MinLat: minLat, MinLng: minLng, MaxLat: maxLat, MaxLng: maxLng, From: from, To: to})
	if err != nil {
		return nil, err
	}
	return h.Cells, nil
}

// HeatmapOf returns the heatmap q selects (GET /v1/stats/heatmap).
func (c *Client) HeatmapOf(ctx context.Context, q *HeatmapQuery) (*HeatmapResult, error) {
	v := url.Values{}
	v.Set("res", strconv.Itoa(q.Res))
	for k, f := range map[string]float64{"min_lat": q.MinLat, "min_lng": q.MinLng, "max_lat": q.MaxLat, "max_lng": q.MaxLng} {
		v.Set(k, strconv.FormatFloat(f, 'f', -1, 64))
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.Format(time.RFC3339Nano))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.Format(time.RFC3339Nano))
	}
	var h HeatmapResult
	if err := c.Do(ctx, http.MethodGet, "/v1/stats/heatmap", v, nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}
