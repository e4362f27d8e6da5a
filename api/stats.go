package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
)

// statsRange reads ?from and ?to: a date (YYYY-MM-DD, a whole day) or an
// RFC 3339 time. The default is today in loc, the zone the days are
// counted in (nil: UTC), and the DefaultStatsDays days before it.
func (s *Server) statsRange(c echo.Context, loc *time.Location) (from, to time.Time, err error) {
	var p nearby.Problems
	if loc == nil {
		loc = time.UTC
	}
	to = s.now().In(loc)
	if v := c.QueryParam("to"); v != "" {
		if to, err = parseStatsTime(v, true); err != nil {
			p.Addf("to", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
	}
	from = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, to.Location()).AddDate(0, 0, -DefaultStatsDays)
	if v := c.QueryParam("from"); v != "" {
		if from, err = parseStatsTime(v, false); err != nil {
			p.Addf("from", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
	}
	if len(p.Fields) == 0 {
		switch {
		case from.After(to):
			p.Addf("from", "must not be after to")
		case to.Sub(from) > time.Duration(s.cfg.StatsMaxDays)*24*time.Hour:
			p.Addf("from", "must be at most %d days before to", s.cfg.StatsMaxDays)
		}
	}
	return from, to, p.Err()
}

// parseStatsTime parses a date as the start of that day (UTC) or, for the
// end of a range, its last instant.
func parseStatsTime(v string, end bool) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			return d.Add(24*time.Hour - time.Nanosecond), nil
		}
		return d, nil
	}
	return time.Parse(time.RFC3339Nano, v)
}

type statsJSON struct {
	ID   string            `json:"id" jsonschema_description:"The beacon (bcn_...) or store (st_...)."`
	From time.Time         `json:"from" jsonschema_description:"Start of the range."`
	To   time.Time         `json:"to" jsonschema_description:"End of the range."`
	Days []nearby.DayStats `json:"days" jsonschema_description:"One entry a day with activity, oldest first."`
}

// handleBeaconStats is GET /v1/stats/beacons/{id}.
func (s *Server) handleBeaconStats(c echo.Context) error {
	id, err := pathID(c, nearby.KindBeacon)
	if err != nil {
		return err
	}
	loc, err := s.stats.BeaconZone(c.Request().Context(), merchantOf(c), id)
	if err != nil {
		return err
	}
	from, to, err := s.statsRange(c, loc)
	if err != nil {
		return err
	}
	days, err := s.stats.BeaconStats(c.Request().Context(), merchantOf(c), id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, statsJSON{ID: nearby.FormatID(nearby.KindBeacon, id), From: from, To: to, Days: nonNil(days)})
}

// handleStoreStats is GET /v1/stats/stores/{id}.
func (s *Server) handleStoreStats(c echo.Context) error {
	id, err := pathID(c, nearby.KindStore)
	if err != nil {
		return err
	}
	loc, err := s.stats.StoreZone(c.Request().Context(), merchantOf(c), id)
	if err != nil {
		return err
	}
	from, to, err := s.statsRange(c, loc)
	if err != nil {
		return err
	}
	days, err := s.stats.StoreStats(c.Request().Context(), merchantOf(c), id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, statsJSON{ID: nearby.FormatID(nearby.KindStore, id), From: from, To: to, Days: nonNil(days)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type heatCellJSON struct {
	Cell       string `json:"cell" jsonschema:"pattern=^[0-9a-f]+$" jsonschema_description:"H3 cell index, hex."`
	Count      *int64 `json:"count" jsonschema:"nullable,minimum=0" jsonschema_description:"Events of the merchant's stores in the cell, summed over the store-days with at least the minimum count of distinct devices; null when every store-day with events was left out."`
	Stores     int    `json:"stores" jsonschema:"minimum=0" jsonschema_description:"The merchant's stores in the cell."`
	Suppressed bool   `json:"suppressed,omitempty" jsonschema_description:"True when a store-day with fewer devices than the minimum count was left out of count."`
	// Boundary is the cell's polygon, [lat, lng] vertices, with
	// ?boundary=true: a map draws the cells without an H3 library.
	Boundary [][2]float64 `json:"boundary,omitempty" jsonschema_description:"The cell's polygon as [lat, lng] vertices (with ?boundary=true)."`
}

type heatmapJSON struct {
	Res   int            `json:"res" jsonschema:"minimum=0,maximum=15" jsonschema_description:"H3 resolution of the cells."`
	From  time.Time      `json:"from" jsonschema_description:"Start of the range."`
	To    time.Time      `json:"to" jsonschema_description:"End of the range."`
	Cells []heatCellJSON `json:"cells" jsonschema_description:"Cells with stores, most events first."`
}

// heatmapQuery reads the heatmap's own parameters: res, boundary and the
// box, naming every bad one.
func heatmapQuery(c echo.Context) (q discovery.HeatmapQuery, err error) {
	var p nearby.Problems
	q.Res = 7
	if v := c.QueryParam("res"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 15 {
			p.Addf("res", "must be an integer between 0 and 15")
		}
		q.Res = n
	}
	if v := c.QueryParam("boundary"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			p.Addf("boundary", "must be true or false")
		}
		q.Boundary = b
	}
	var box [4]float64
	for i, name := range []string{"min_lat", "min_lng", "max_lat", "max_lng"} {
		v := c.QueryParam(name)
		if v == "" {
			p.Addf(name, "is required")
			continue
		}
		parseFloatParam(&p, name, v, &box[i])
	}
	if len(p.Fields) == 0 {
		nearby.CheckLatLng(&p, "min_", box[0], box[1])
		nearby.CheckLatLng(&p, "max_", box[2], box[3])
		if box[0] > box[2] {
			p.Addf("min_lat", "must not be greater than max_lat")
		}
	}
	q.Bounds = geo.Bounds{MinLat: box[0], MinLng: box[1], MaxLat: box[2], MaxLng: box[3]}
	return q, p.Err()
}

// handleHeatmap is GET /v1/stats/heatmap: the merchant's stores in the box,
// their event counts summed per H3 cell of resolution res.
func (s *Server) handleHeatmap(c echo.Context) error {
	q, err := heatmapQuery(c)
	if err != nil {
		return err
	}
	if q.From, q.To, err = s.statsRange(c, nil); err != nil {
		return err
	}
	q.MerchantID, q.MaxStores = merchantOf(c), s.cfg.MaxHeatmap
	cells, err := s.stats.Heatmap(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := heatmapJSON{Res: q.Res, From: q.From, To: q.To, Cells: make([]heatCellJSON, len(cells))}
	for i, hc := range cells {
		out.Cells[i] = heatCellJSON{Cell: hc.Cell, Count: hc.Count, Stores: hc.Stores, Suppressed: hc.Suppressed}
		if hc.Boundary != nil {
			out.Cells[i].Boundary = make([][2]float64, len(hc.Boundary))
			for j, v := range hc.Boundary {
				out.Cells[i].Boundary[j] = [2]float64{v.Lat, v.Lng}
			}
		}
	}
	return c.JSON(http.StatusOK, out)
}
