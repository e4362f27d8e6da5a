package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// NearbyQuery is a phone's question: what is near (Lat, Lng)? Zero values
// mean the server's defaults or no filter.
type NearbyQuery struct {
	Lat, Lng float64
	RadiusM  float64 // default 5000, at most 50000
	Limit    int     // results per page, 1 to 100 (default 20)
	Cursor   string  // a NearbyPage.NextCursor of the same query
	Category string
	// The phone user's attributes, for targeting; unknown ones are neutral.
	Age    *int
	Gender string // female, male or other
	OS     string // ios, android or harmonyos
	// OpenNow keeps only stores open now; Explain adds each result's
	// per-factor score breakdown.
	OpenNow, Explain bool
	// AppID and MerchantID keep only that app id's or merchant's (mer_...)
	// programs; Q searches names (relevance adds to the score).
	AppID, MerchantID, Q string
}

func (q *NearbyQuery) values() url.Values {
	v := url.Values{}
	v.Set("lat", strconv.FormatFloat(q.Lat, 'f', -1, 64))
	v.Set("lng", strconv.FormatFloat(q.Lng, 'f', -1, 64))
	if q.RadiusM != 0 {
		v.Set("radius_m", strconv.FormatFloat(q.RadiusM, 'f', -1, 64))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	for k, s := range map[string]string{"cursor": q.Cursor, "category": q.Category, "gender": q.Gender, "os": q.OS,
		"app_id": q.AppID, "merchant_id": q.MerchantID, "q": q.Q} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Age != nil {
		v.Set("age", strconv.Itoa(*q.Age))
	}
	if q.OpenNow {
		v.Set("open_now", "true")
	}
	if q.Explain {
		v.Set("explain", "true")
	}
	return v
}

// NearbyPage is one page of nearby results, best first.
type NearbyPage struct {
	Results    []NearbyResult `json:"results"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// NearbyResult is a program found nearby, at its nearest matching store.
// Explain, when asked for, holds the per-factor parts that sum to Score
// (distance, fit_age, fit_gender, fit_os, popularity, open).
type NearbyResult struct {
	Program   ProgramBrief       `json:"program"`
	Store     StoreBrief         `json:"store"`
	DistanceM float64            `json:"distance_m"`
	Score     float64            `json:"score"`
	Explain   map[string]float64 `json:"explain,omitempty"`
}

// ProgramBrief is the program of a phone's answer.
type ProgramBrief struct {
	ID       string `json:"id"`
	AppID    string `json:"app_id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	IconURL  string `json:"icon_url"`
}

// StoreBrief is the store of a phone's answer.
type StoreBrief struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Address string  `json:"address"`
}

// Nearby reads one page of the programs near a location (GET /v1/nearby;
// public, no token needed).
func (c *Client) Nearby(ctx context.Context, q *NearbyQuery) (*NearbyPage, error) {
	var p NearbyPage
	if err := c.Do(ctx, http.MethodGet, "/v1/nearby", q.values(), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// NearbyAll iterates over every result of q from q.Cursor on, following
// the pages' cursors; q.Limit is the page size.
func (c *Client) NearbyAll(ctx context.Context, q *NearbyQuery) iter.Seq2[NearbyResult, error] {
	qq := *q
	return all(func(cursor string) ([]NearbyResult, string, error) {
		if cursor != "" { // "" is the first page: q's own cursor
			qq.Cursor = cursor
		}
		p, err := c.Nearby(ctx, &qq)
		if err != nil {
			return nil, "", err
		}
		return p.Results, p.NextCursor, nil
	})
}

// Sighting is a beacon a phone sees. RSSI and TxPower (dBm), when known,
// let the server estimate the distance.
type Sighting struct {
	UUID    string `json:"uuid"`
	Major   uint16 `json:"major"`
	Minor   uint16 `json:"minor"`
	RSSI    *int   `json:"rssi,omitempty"`
	TxPower *int   `json:"tx_power,omitempty"`
}

// Resolved is a seen beacon that is known and active: its store and the
// page to open. Proximity is immediate, near, far or unknown.
type Resolved struct {
	Beacon    Identity    `json:"beacon"`
	Store     *StoreBrief `json:"store"`
	Page      *PageBrief  `json:"page"`
	DistanceM *float64    `json:"distance_m,omitempty"`
	Proximity string      `json:"proximity"`
	// Presence is "verified" when the phone named a rotating identity of
	// now (proof of presence), else "unverified".
	Presence string `json:"presence"`
}

// PageBrief is what a phone opens: a path inside a program.
type PageBrief struct {
	Program *ProgramBrief `json:"program"`
	Path    string        `json:"path,omitempty"`
	Title   string        `json:"title,omitempty"`
}

// Resolve maps the beacons a phone sees to stores and pages, nearest first
// (POST /v1/beacons/resolve; public). Unknown and inactive beacons are left
// out.
func (c *Client) Resolve(ctx context.Context, seen []Sighting) ([]Resolved, error) {
	if seen == nil {
		seen = []Sighting{}
	}
	in := struct {
		Beacons []Sighting `json:"beacons"`
	}{seen}
	var out struct {
		Results []Resolved `json:"results"`
	}
	if err := c.Do(ctx, http.MethodPost, "/v1/beacons/resolve", nil, in, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// ShakeInput is a phone's shake. DeviceID is an app-scoped pseudonymous id;
// Lat and Lng (both or neither) let the server fall back to the best
// nearby program when no known beacon is seen.
type ShakeInput struct {
	DeviceID string     `json:"device_id"`
	Beacons  []Sighting `json:"beacons"`
	Lat      *float64   `json:"lat,omitempty"`
	Lng      *float64   `json:"lng,omitempty"`
	Age      *int       `json:"age,omitempty"`
	Gender   string     `json:"gender,omitempty"`
	OS       string     `json:"os,omitempty"`
}

// ShakeResult is the answer to a shake: the chosen beacon's page (nil when
// nothing was found), the other beacons around, and the ticket the shake
// was recorded under. Fallback is "location" when the choice was made by
// location, no known beacon being seen.
type ShakeResult struct {
	Ticket   string     `json:"ticket"`
	Chosen   *Resolved  `json:"chosen"`
	Around   []Resolved `json:"around"`
	Fallback string     `json:"fallback,omitempty"`
	Presence string     `json:"presence"` // verified or unverified, as recorded
}

// Shake records a shake and answers what to show (POST /v1/shake; public).
func (c *Client) Shake(ctx context.Context, in *ShakeInput) (*ShakeResult, error) {
	return call[ShakeResult](ctx, c, http.MethodPost, "/v1/shake", in)
}

// ShakeRecord is a recorded shake as its merchant sees it.
type ShakeRecord struct {
	Ticket    string    `json:"ticket"`
	DeviceID  string    `json:"device_id"`
	BeaconID  string    `json:"beacon_id,omitempty"`
	StoreID   string    `json:"store_id,omitempty"`
	ProgramID string    `json:"program_id,omitempty"`
	At        time.Time `json:"at"`
	DistanceM *float64  `json:"distance_m,omitempty"`
	Proximity string    `json:"proximity"`
	Fallback  bool      `json:"fallback"`
	Presence  string    `json:"presence"` // verified or unverified
}

// GetShake reads the shake recorded under ticket (GET /v1/shakes/{ticket}),
// for the merchant who owns the chosen beacon.
func (c *Client) GetShake(ctx context.Context, ticket string) (*ShakeRecord, error) {
	return call[ShakeRecord](ctx, c, http.MethodGet, "/v1/shakes/"+escape(ticket), nil)
}
