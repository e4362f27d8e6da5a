package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/nearby-dev/nearby"
)

// StoresQuery asks the public store locator for stores near (Lat, Lng),
// nearest first. Zero values mean the server's defaults or no filter.
type StoresQuery struct {
	Lat, Lng   float64
	RadiusM    float64 // default 5000, at most 50000
	Limit      int     // stores per page, 1 to 100 (default 20)
	Cursor     string  // a StoresPage.NextCursor of the same query
	MerchantID string  // only this merchant's stores (mer_...)
	AppID      string  // only stores where a program of this app id is present
	Category   string  // the store's category
	OpenNow    bool
	Q          string // name search
}

func (q *StoresQuery) values() url.Values {
	v := url.Values{}
	v.Set("lat", strconv.FormatFloat(q.Lat, 'f', -1, 64))
	v.Set("lng", strconv.FormatFloat(q.Lng, 'f', -1, 64))
	if q.RadiusM != 0 {
		v.Set("radius_m", strconv.FormatFloat(q.RadiusM, 'f', -1, 64))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	for k, s := range map[string]string{"cursor": q.Cursor, "merchant_id": q.MerchantID, "app_id": q.AppID,
		"category": q.Category, "q": q.Q} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.OpenNow {
		v.Set("open_now", "true")
	}
	return v
}

// StoresPage is one page of the store locator.
type StoresPage struct {
	Items      []NearbyStore `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// NearbyStore is a store of the locator with the programs present there.
type NearbyStore struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Address   string         `json:"address"`
	Lat       float64        `json:"lat"`
	Lng       float64        `json:"lng"`
	Category  string         `json:"category"`
	Timezone  string         `json:"timezone,omitempty"`
	DistanceM float64        `json:"distance_m"`
	OpenNow   bool           `json:"open_now"`
	Hours     nearby.Hours   `json:"hours,omitempty"`
	Programs  []ProgramBrief `json:"programs"`
	Relevance float64        `json:"relevance,omitempty"`
}

// StoresNearby reads one page of the store locator (GET /v1/stores/nearby;
// public, no token needed).
func (c *Client) StoresNearby(ctx context.Context, q *StoresQuery) (*StoresPage, error) {
	var p StoresPage
	if err := c.Do(ctx, http.MethodGet, "/v1/stores/nearby", q.values(), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// StoresNearbyAll iterates over every store of q from q.Cursor on,
// following the pages' cursors; q.Limit is the page size.
func (c *Client) StoresNearbyAll(ctx context.Context, q *StoresQuery) iter.Seq2[NearbyStore, error] {
	qq := *q
	return all(func(cursor string) ([]NearbyStore, string, error) {
		if cursor != "" {
			qq.Cursor = cursor
		}
		p, err := c.StoresNearby(ctx, &qq)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextCursor, nil
	})
}
