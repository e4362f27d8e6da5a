package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
)

// MaxSightings bounds the beacons one resolve or shake request may list:
// the catalog's bound, checked here first to name the field in the problem.
const MaxSightings = catalog.MaxSightings

type sightingInput struct {
	UUID    *string `json:"uuid"`
	Major   *int    `json:"major"`
	Minor   *int    `json:"minor"`
	RSSI    *int    `json:"rssi"`
	TxPower *int    `json:"tx_power"`
}

// sightings checks the listed beacons, naming "beacons[i].field".
func sightings(in []sightingInput) ([]catalog.Sighting, error) {
	var p nearby.Problems
	if len(in) > MaxSightings {
		p.Addf("beacons", "must have at most %d entries", MaxSightings)
		return nil, p.Err()
	}
	out := make([]catalog.Sighting, 0, len(in))
	for i, b := range in {
		f := fmt.Sprintf("beacons[%d].", i)
		var sg catalog.Sighting
		if b.UUID == nil {
			p.Addf(f+"uuid", "is required")
		} else if u, err := nearby.ParseUUID(*b.UUID); err != nil {
			p.Addf(f+"uuid", "must be a UUID")
		} else {
			sg.Identity.UUID = u
		}
		for _, v := range []struct {
			name string
			val  *int
			dst  *uint16
		}{{"major", b.Major, &sg.Identity.Major}, {"minor", b.Minor, &sg.Identity.Minor}} {
			switch {
			case v.val == nil:
				p.Addf(f+v.name, "is required")
			case *v.val < 0 || *v.val > 65535:
				p.Addf(f+v.name, "must be between 0 and 65535")
			default:
				*v.dst = uint16(*v.val)
			}
		}
		if b.RSSI != nil && (*b.RSSI < -127 || *b.RSSI > 20) {
			p.Addf(f+"rssi", "must be between -127 and 20 dBm")
		}
		if b.TxPower != nil && (*b.TxPower < -127 || *b.TxPower > 20) {
			p.Addf(f+"tx_power", "must be between -127 and 20 dBm")
		}
		sg.RSSI, sg.TxPower = b.RSSI, b.TxPower
		out = append(out, sg)
	}
	return out, p.Err()
}

// resolvedJSON is one resolved beacon as the contract shows it.
type resolvedJSON struct {
	Beacon    nearby.Identity `json:"beacon"`
	Store     *storeBrief     `json:"store"`
	Page      *pageBrief      `json:"page"`
	DistanceM *float64        `json:"distance_m,omitempty"`
	Proximity string          `json:"proximity"`
}

type storeBrief struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Address string  `json:"address"`
}

type programBrief struct {
	ID       string `json:"id"`
	AppID    string `json:"app_id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	IconURL  string `json:"icon_url"`
}

// pageBrief is what a phone opens: the program and a path inside it.
type pageBrief struct {
	Program *programBrief `json:"program"`
	Path    string        `json:"path,omitempty"`
	Title   string        `json:"title,omitempty"`
}

func storeBriefOf(s *nearby.Store) *storeBrief {
	if s == nil {
		return nil
	}
	return &storeBrief{ID: nearby.FormatID(nearby.KindStore, s.ID), Name: s.Name, Lat: s.Lat, Lng: s.Lng, Address: s.Address}
}

func programBriefOf(p *nearby.Program) *programBrief {
	if p == nil {
		return nil
	}
	return &programBrief{ID: nearby.FormatID(nearby.KindProgram, p.ID), AppID: p.AppID, Name: p.Name,
		Category: p.Category, IconURL: p.IconURL}
}

func resolvedView(r *catalog.Resolved) resolvedJSON {
	v := resolvedJSON{Store: storeBriefOf(r.Store), DistanceM: r.DistanceM, Proximity: r.Proximity}
	if r.Beacon != nil {
		v.Beacon = r.Beacon.Identity
		if pg := r.Beacon.Page; pg != nil || r.Program != nil {
			v.Page = &pageBrief{Program: programBriefOf(r.Program)}
			if pg != nil {
				v.Page.Path, v.Page.Title = pg.Path, pg.Title
			}
		}
	}
	if v.Proximity == "" {
		v.Proximity = "unknown"
	}
	return v
}

// handleResolve is POST /v1/beacons/resolve.
func (s *Server) handleResolve(c echo.Context) error {
	var in struct {
		Beacons *[]sightingInput `json:"beacons"`
	}
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Beacons == nil {
		return nearby.Invalid("beacons", "is required")
	}
	seen, err := sightings(*in.Beacons)
	if err != nil {
		return err
	}
	res, err := s.phones.Resolve(c.Request().Context(), seen)
	if err != nil {
		return err
	}
	out := struct {
		Results []resolvedJSON `json:"results"`
	}{Results: make([]resolvedJSON, 0, len(res))}
	for i := range res {
		out.Results = append(out.Results, resolvedView(&res[i]))
	}
	return c.JSON(http.StatusOK, out)
}

type shakeInput struct {
	DeviceID *string         `json:"device_id"`
	Beacons  []sightingInput `json:"beacons"`
	Lat      *float64        `json:"lat"`
	Lng      *float64        `json:"lng"`
	Age      *int            `json:"age"`
	Gender   string          `json:"gender"`
	OS       string          `json:"os"`
}

type shakeJSON struct {
	Ticket   string         `json:"ticket"`
	Chosen   *resolvedJSON  `json:"chosen"`
	Around   []resolvedJSON `json:"around"`
	Fallback string         `json:"fallback,omitempty"`
}

// handleShake is POST /v1/shake: the nearest resolved beacon is chosen and
// the others are "around"; with no known beacon but a location, the best
// nearby program is chosen instead and "fallback" says so (the service's
// Shake decides and commits before the answer).
func (s *Server) handleShake(c echo.Context) error {
	var in shakeInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	var p nearby.Problems
	switch {
	case in.DeviceID == nil || *in.DeviceID == "":
		p.Addf("device_id", "is required")
	case len(*in.DeviceID) > nearby.MaxDeviceIDLen:
		p.Addf("device_id", "must be at most %d bytes", nearby.MaxDeviceIDLen)
	}
	if in.Age != nil && (*in.Age < 0 || *in.Age > nearby.MaxAge) {
		p.Addf("age", "must be between 0 and %d", nearby.MaxAge)
	}
	if in.Gender != "" && !nearby.ValidEnum(in.Gender, nearby.Genders) {
		p.Addf("gender", "must be one of %v", nearby.Genders)
	}
	if in.OS != "" && !nearby.ValidEnum(in.OS, nearby.OSes) {
		p.Addf("os", "must be one of %v", nearby.OSes)
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		p.Addf(map[bool]string{true: "lat", false: "lng"}[in.Lat == nil], "is required with the other coordinate")
	} else if in.Lat != nil {
		nearby.CheckLatLng(&p, "", *in.Lat, *in.Lng)
	}
	seen, err := sightings(in.Beacons)
	p.Merge("", err)
	if err := p.Err(); err != nil {
		return err
	}
	res, err := s.phones.Shake(writeCtx(c), discovery.ShakeRequest{DeviceID: *in.DeviceID, Seen: seen,
		Lat: in.Lat, Lng: in.Lng, Age: in.Age, Gender: in.Gender, OS: in.OS})
	if err != nil {
		return err
	}
	s.metrics.shakes.WithLabelValues(res.By).Inc()
	return c.JSON(http.StatusOK, shakeView(&res))
}

// shakeView is a shake's answer as the contract shows it.
func shakeView(res *discovery.ShakeResult) shakeJSON {
	out := shakeJSON{Ticket: res.Shake.Ticket, Around: []resolvedJSON{}}
	switch res.By {
	case discovery.ShakeByBeacon:
		v := resolvedView(&res.Resolved[0])
		out.Chosen = &v
		for i := range res.Resolved[1:] {
			out.Around = append(out.Around, resolvedView(&res.Resolved[1+i]))
		}
	case discovery.ShakeByLocation:
		r := res.Nearby
		d := r.DistanceM
		out.Chosen = &resolvedJSON{Store: storeBriefOf(r.Store), Page: &pageBrief{Program: programBriefOf(r.Program)},
			DistanceM: &d, Proximity: "unknown"}
		out.Fallback = "location"
	}
	return out
}

type shakeRecordJSON struct {
	Ticket    string    `json:"ticket"`
	DeviceID  string    `json:"device_id"`
	BeaconID  string    `json:"beacon_id,omitempty"`
	StoreID   string    `json:"store_id,omitempty"`
	ProgramID string    `json:"program_id,omitempty"`
	At        time.Time `json:"at"`
	DistanceM *float64  `json:"distance_m,omitempty"`
	Proximity string    `json:"proximity"`
	Fallback  bool      `json:"fallback"`
}

// handleGetShake is GET /v1/shakes/{ticket}, for the merchant who owns the
// chosen beacon.
func (s *Server) handleGetShake(c echo.Context) error {
	t, err := uuid.Parse(c.Param("ticket"))
	if err != nil || t.String() != c.Param("ticket") {
		return nearby.Invalid("ticket", "is not a shake ticket")
	}
	sh, err := s.phones.GetShake(c.Request().Context(), merchantOf(c), t.String())
	if err != nil {
		return err
	}
	v := shakeRecordJSON{Ticket: sh.Ticket, DeviceID: sh.DeviceID, At: sh.At, DistanceM: sh.DistanceM,
		Proximity: sh.Proximity, Fallback: sh.Fallback}
	if sh.BeaconID != 0 {
		v.BeaconID = nearby.FormatID(nearby.KindBeacon, sh.BeaconID)
	}
	if sh.StoreID != 0 {
		v.StoreID = nearby.FormatID(nearby.KindStore, sh.StoreID)
	}
	if sh.ProgramID != 0 {
		v.ProgramID = nearby.FormatID(nearby.KindProgram, sh.ProgramID)
	}
	return c.JSON(http.StatusOK, v)
}
