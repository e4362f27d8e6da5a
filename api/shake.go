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
	UUID    *string `json:"uuid" jsonschema:"required" jsonschema_description:"iBeacon UUID as seen (either case, with or without hyphens)."`
	Major   *int    `json:"major" jsonschema:"required,minimum=0,maximum=65535" jsonschema_description:"iBeacon major number."`
	Minor   *int    `json:"minor" jsonschema:"required,minimum=0,maximum=65535" jsonschema_description:"iBeacon minor number."`
	RSSI    *int    `json:"rssi" jsonschema:"minimum=-127,maximum=20" jsonschema_description:"Received signal strength (dBm)."`
	TxPower *int    `json:"tx_power" jsonschema:"minimum=-127,maximum=20" jsonschema_description:"Measured power at 1 m (dBm) as advertised."`
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
	Beacon    nearby.Identity `json:"beacon" jsonschema_description:"The beacon's identity."`
	Store     *storeBrief     `json:"store" jsonschema:"nullable" jsonschema_description:"The beacon's store; null if it is not in the index."`
	Page      *pageBrief      `json:"page" jsonschema:"nullable" jsonschema_description:"What to open; null when the beacon shows nothing."`
	DistanceM *float64        `json:"distance_m,omitempty" jsonschema:"minimum=0" jsonschema_description:"Estimated distance in metres, when the signal allows."`
	Proximity string          `json:"proximity" jsonschema_description:"Coarse distance class."`
	Presence  string          `json:"presence" jsonschema_description:"verified when the phone named a rotating identity of now (proof of presence), else unverified."`
}

type storeBrief struct {
	ID      string  `json:"id" jsonschema:"pattern=^st_[0-9a-f]+$" jsonschema_description:"Store id."`
	Name    string  `json:"name" jsonschema_description:"Display name."`
	Lat     float64 `json:"lat" jsonschema:"minimum=-90,maximum=90" jsonschema_description:"Latitude (WGS84 degrees)."`
	Lng     float64 `json:"lng" jsonschema:"minimum=-180,maximum=180" jsonschema_description:"Longitude (WGS84 degrees)."`
	Address string  `json:"address" jsonschema_description:"Street address, empty when unknown."`
}

type programBrief struct {
	ID       string `json:"id" jsonschema:"pattern=^pg_[0-9a-f]+$" jsonschema_description:"Mini-program id."`
	AppID    string `json:"app_id" jsonschema_description:"The mini-program's app id on its platform."`
	Name     string `json:"name" jsonschema_description:"Display name."`
	Category string `json:"category" jsonschema_description:"Lower-case category slug."`
	IconURL  string `json:"icon_url" jsonschema_description:"Icon URL, empty when none."`
}

// pageBrief is what a phone opens: the program and a path inside it.
type pageBrief struct {
	Program *programBrief `json:"program" jsonschema:"nullable" jsonschema_description:"The mini-program to open; null if it is gone."`
	Path    string        `json:"path,omitempty" jsonschema_description:"Path inside the mini-program."`
	Title   string        `json:"title,omitempty" jsonschema_description:"Title shown to the phone user."`
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
	v := resolvedJSON{Store: storeBriefOf(r.Store), DistanceM: r.DistanceM, Proximity: r.Proximity, Presence: presenceOf(r.Presence)}
	if r.Beacon != nil {
		v.Beacon = r.Beacon.Identity
		if !r.Seen.UUID.IsZero() {
			v.Beacon = r.Seen // a rotating beacon's identity of now, never its static one
		}
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
	DeviceID *string         `json:"device_id" jsonschema:"required,minLength=1" jsonschema_description:"App-scoped id of the phone. discoveryd keeps only each merchant's keyed pseudonym of it (see ShakeRecord.device_id), never the id itself."`
	Beacons  []sightingInput `json:"beacons" jsonschema_description:"Beacons the phone sees."`
	Lat      *float64        `json:"lat" jsonschema:"minimum=-90,maximum=90" jsonschema_description:"Latitude, with lng, for the fallback by location."`
	Lng      *float64        `json:"lng" jsonschema:"minimum=-180,maximum=180" jsonschema_description:"Longitude, with lat, for the fallback by location."`
	Age      *int            `json:"age" jsonschema:"minimum=0" jsonschema_description:"Phone user's age, for targeting."`
	Gender   string          `json:"gender" jsonschema_description:"Phone user's gender, for targeting."`
	OS       string          `json:"os" jsonschema_description:"Phone's operating system, for targeting."`
}

type shakeJSON struct {
	Ticket   string         `json:"ticket" jsonschema:"format=uuid" jsonschema_description:"Id of the recorded shake (GET /v1/shakes/{ticket})."`
	Chosen   *resolvedJSON  `json:"chosen" jsonschema:"nullable" jsonschema_description:"The nearest resolved beacon, or the best program nearby; null when nothing was found."`
	Around   []resolvedJSON `json:"around" jsonschema_description:"The other resolved beacons, nearest first."`
	Fallback string         `json:"fallback,omitempty" jsonschema_description:"location when chosen by location rather than by a beacon."`
	Presence string         `json:"presence" jsonschema_description:"verified when the chosen beacon was named by a rotating identity of now, else unverified (as recorded)."`
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
	out := shakeJSON{Ticket: res.Shake.Ticket, Around: []resolvedJSON{}, Presence: presenceOf(res.Shake.Presence)}
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
			DistanceM: &d, Proximity: "unknown", Presence: nearby.PresenceUnverified}
		out.Fallback = "location"
	}
	return out
}

type shakeRecordJSON struct {
	Ticket    string    `json:"ticket" jsonschema:"format=uuid" jsonschema_description:"The shake's ticket."`
	DeviceID  string    `json:"device_id" jsonschema_description:"This merchant's pseudonym of the phone (dv_ and 32 hex digits): stable for one merchant, different for every other, never the id the phone sent; empty when no device was known."`
	BeaconID  string    `json:"beacon_id,omitempty" jsonschema:"pattern=^bcn_[0-9a-f]+$" jsonschema_description:"The chosen beacon, absent when chosen by location."`
	StoreID   string    `json:"store_id,omitempty" jsonschema:"pattern=^st_[0-9a-f]+$" jsonschema_description:"The chosen store."`
	ProgramID string    `json:"program_id,omitempty" jsonschema:"pattern=^pg_[0-9a-f]+$" jsonschema_description:"The chosen mini-program."`
	At        time.Time `json:"at" jsonschema_description:"When the shake happened."`
	DistanceM *float64  `json:"distance_m,omitempty" jsonschema:"minimum=0" jsonschema_description:"Estimated distance in metres."`
	Proximity string    `json:"proximity" jsonschema_description:"Coarse distance class."`
	Fallback  bool      `json:"fallback" jsonschema_description:"Chosen by location, not by a beacon."`
	Presence  string    `json:"presence" jsonschema_description:"verified when the shake proved presence with a rotating identity of now, else unverified."`
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
		Proximity: sh.Proximity, Fallback: sh.Fallback, Presence: presenceOf(sh.Presence)}
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
