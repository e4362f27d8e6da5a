package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

// storesNearbyQuery documents GET /v1/stores/nearby.
var storesNearbyQuery = []param{
	qNum("lat", "Latitude of the phone (WGS84 degrees).", -90, 90).required(),
	qNum("lng", "Longitude of the phone (WGS84 degrees).", -180, 180).required(),
	qRadius("radius_m", "Search radius in metres."),
	qInt("limit", "Stores per page.", 1, nearby.MaxLimit, nearby.DefaultLimit),
	qStr("cursor", "Opaque cursor from next_cursor of the previous page."),
	qStr("merchant_id", "Only this merchant's stores (mer_...)."),
	qStr("app_id", "Only stores where a mini-program of this app id is present."),
	qStr("category", "Only stores of this category."),
	qBool("open_now", "Only stores open now."),
	qStr("q", "Name search: store name, tags or a present mini-program's name; case- and accent-insensitive word prefixes, Chinese and Japanese by character bigrams."),
}

// storesNearbyJSON is the answer of the store locator.
type storesNearbyJSON struct {
	Items      []storeNearbyJSON `json:"items" jsonschema_description:"Stores near the location, nearest first."`
	NextCursor string            `json:"next_cursor,omitempty" jsonschema_description:"Cursor of the next page; absent on the last."`
}

// storeNearbyJSON is one store of the locator.
type storeNearbyJSON struct {
	ID        string         `json:"id" jsonschema:"pattern=^st_[0-9a-f]+$" jsonschema_description:"Store id."`
	Name      string         `json:"name" jsonschema_description:"Display name."`
	Address   string         `json:"address" jsonschema_description:"Street address, empty when unknown."`
	Lat       float64        `json:"lat" jsonschema:"minimum=-90,maximum=90" jsonschema_description:"Latitude (WGS84 degrees)."`
	Lng       float64        `json:"lng" jsonschema:"minimum=-180,maximum=180" jsonschema_description:"Longitude (WGS84 degrees)."`
	Category  string         `json:"category" jsonschema_description:"Lower-case category slug."`
	Timezone  string         `json:"timezone,omitempty" jsonschema_description:"IANA time zone of the hours; absent means UTC."`
	DistanceM float64        `json:"distance_m" jsonschema:"minimum=0" jsonschema_description:"Distance to the store in metres."`
	OpenNow   bool           `json:"open_now" jsonschema_description:"Open now in its time zone (unknown hours count as open)."`
	Hours     nearby.Hours   `json:"hours,omitempty" jsonschema_description:"Weekly opening hours; absent means unknown (always open)."`
	Programs  []programBrief `json:"programs" jsonschema_description:"The mini-programs present at the store."`
	Relevance float64        `json:"relevance,omitempty" jsonschema:"minimum=0,maximum=1" jsonschema_description:"How well q matched (with q)."`
}

// handleStoresNearby is GET /v1/stores/nearby, the public store locator.
func (s *Server) handleStoresNearby(c echo.Context) error {
	q, err := parseStoresQuery(c)
	if err != nil {
		return err
	}
	page, err := s.phones.StoresNearby(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := storesNearbyJSON{Items: make([]storeNearbyJSON, len(page.Results)), NextCursor: page.NextCursor}
	for i, r := range page.Results {
		st := r.Store
		v := storeNearbyJSON{ID: nearby.FormatID(nearby.KindStore, st.ID), Name: st.Name, Address: st.Address, Lat: st.Lat, Lng: st.Lng,
			Category: st.Category, Timezone: st.Timezone, DistanceM: roundCM(r.DistanceM), OpenNow: r.Open, Hours: st.Hours,
			Programs: make([]programBrief, len(r.Programs)), Relevance: r.Relevance}
		for j, p := range r.Programs {
			v.Programs[j] = *programBriefOf(p)
		}
		out.Items[i] = v
	}
	return c.JSON(http.StatusOK, out)
}

// roundCM rounds metres to the centimetre, as the nearby answer does.
func roundCM(m float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(m, 'f', 2, 64), 64)
	return f
}

// parseStoresQuery reads the locator's query parameters, naming each one
// that is not of its type; ranges are checked by StoresQuery.Validate.
func parseStoresQuery(c echo.Context) (catalog.StoresQuery, error) {
	var q catalog.StoresQuery
	var p nearby.Problems
	for _, k := range []string{"lat", "lng"} {
		if c.QueryParam(k) == "" {
			p.Addf(k, "is required")
		}
	}
	num := func(k string, dst *float64) {
		if v := c.QueryParam(k); v != "" {
			parseFloatParam(&p, k, v, dst)
		}
	}
	num("lat", &q.Lat)
	num("lng", &q.Lng)
	num("radius_m", &q.RadiusM)
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			p.Addf("limit", "must be an integer between 1 and %d", nearby.MaxLimit)
		}
		q.Limit = n
	}
	if v := c.QueryParam("merchant_id"); v != "" {
		id, err := nearby.ParseID(nearby.KindMerchant, "merchant_id", v)
		p.Merge("", err)
		q.MerchantID = id
	}
	if _, ok := c.QueryParams()["open_now"]; ok {
		q.OpenNow = parseBoolParam(&p, "open_now", c.QueryParam("open_now"))
	}
	q.Cursor, q.AppID, q.Category, q.Q = c.QueryParam("cursor"), c.QueryParam("app_id"), c.QueryParam("category"), c.QueryParam("q")
	return q, p.Err()
}
