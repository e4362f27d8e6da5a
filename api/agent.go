package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// handleAgentConfig is GET /v1/agent/config.
func (s *Server) handleAgentConfig(c echo.Context) error {
	b := beaconOf(c)
	cfg := nearby.AgentConfig{
		BeaconID: nearby.FormatID(nearby.KindBeacon, b.ID), UUID: b.Identity.UUID.String(),
		Major: b.Identity.Major, Minor: b.Identity.Minor, TxPower: b.TxPower, IntervalMS: s.cfg.AgentInterval,
	}
	remoteConfig(&cfg, b)
	return c.JSON(http.StatusOK, agentConfigJSON{AgentConfig: cfg, Status: b.Status})
}

// agentConfigJSON extends the contract's config with the beacon's status
// so an inactive beacon's agent can stop advertising.
type agentConfigJSON struct {
	nearby.AgentConfig
	Status string `json:"status" jsonschema_description:"The beacon's status: an agent stops advertising unless it is active."`
}

type heartbeatInput struct {
	UptimeS      *int64   `json:"uptime_s" jsonschema:"required,minimum=0" jsonschema_description:"Agent uptime in seconds."`
	Version      string   `json:"version" jsonschema:"maxLength=64" jsonschema_description:"Agent software version."`
	Battery      *float64 `json:"battery" jsonschema:"minimum=0,maximum=100" jsonschema_description:"Battery charge in percent."`
	TemperatureC *float64 `json:"temperature_c" jsonschema:"minimum=-100,maximum=200" jsonschema_description:"Device temperature in degrees Celsius."`
	SpoolDepth   *int64   `json:"spool_depth" jsonschema:"minimum=0" jsonschema_description:"Events waiting in the agent's spool."`
	Dropped      *int64   `json:"dropped" jsonschema:"minimum=0" jsonschema_description:"Events the spool dropped."`
	InstanceID   string   `json:"instance_id" jsonschema:"maxLength=64" jsonschema_description:"Random id of the agent process, so that two agents sharing a token are told from a restart."`
}

// handleAgentHeartbeat is POST /v1/agent/heartbeat; the server stamps the
// time.
func (s *Server) handleAgentHeartbeat(c echo.Context) error {
	var in heartbeatInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.UptimeS == nil {
		return nearby.Invalid("uptime_s", "is required")
	}
	h := &nearby.Heartbeat{At: s.now().UTC(), UptimeS: *in.UptimeS, Version: in.Version, Battery: in.Battery,
		TemperatureC: in.TemperatureC, SpoolDepth: in.SpoolDepth, Dropped: in.Dropped, InstanceID: in.InstanceID}
	if err := h.Validate(); err != nil {
		return err
	}
	if err := s.agents.RecordHeartbeat(writeCtx(c), beaconOf(c).ID, h); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// eventInput is one event of an upload. At is a string so that a bad time
// is reported against "at" rather than failing the whole batch.
type eventInput struct {
	ID        string   `json:"id" jsonschema:"required" jsonschema_description:"Client-generated UUID; re-sending an event with the same id is harmless."`
	Type      string   `json:"type" jsonschema:"required" jsonschema_description:"What the agent noticed."`
	At        string   `json:"at" jsonschema:"required,format=date-time" jsonschema_description:"When it happened (RFC 3339), at most 30 days ago and 10 minutes ahead."`
	DeviceID  string   `json:"device_id" jsonschema_description:"App-scoped id of the phone, if known; discoveryd keeps only the beacon's merchant's keyed pseudonym of it."`
	RSSI      *int     `json:"rssi" jsonschema:"minimum=-127,maximum=20" jsonschema_description:"Received signal strength (dBm)."`
	DistanceM *float64 `json:"distance_m" jsonschema:"minimum=0,maximum=1000" jsonschema_description:"Estimated distance in metres."`
	DwellMS   *int64   `json:"dwell_ms" jsonschema:"minimum=0" jsonschema_description:"How long the phone stayed (dwell events), in milliseconds."`
}

type rejection struct {
	Index  int                 `json:"index" jsonschema:"minimum=0" jsonschema_description:"Position of the event in the batch."`
	ID     string              `json:"id,omitempty" jsonschema_description:"The event's id, when it had one."`
	Errors []nearby.FieldError `json:"errors" jsonschema_description:"What is wrong with the event."`
}

type eventsJSON struct {
	Accepted     int         `json:"accepted" jsonschema:"minimum=0" jsonschema_description:"Events newly recorded."`
	Duplicates   int         `json:"duplicates" jsonschema:"minimum=0" jsonschema_description:"Events already recorded before (same id)."`
	Rejected     []rejection `json:"rejected" jsonschema_description:"Malformed events, with their positions."`
	AcceptedIDs  []string    `json:"accepted_ids" jsonschema_description:"Ids of the newly recorded events."`
	DuplicateIDs []string    `json:"duplicate_ids" jsonschema_description:"Ids of the events already recorded."`
}

// handleAgentEvents is POST /v1/agent/events. Each malformed event is
// rejected with its index while the rest of the batch is kept; the answer
// is sent only after the accepted events are committed.
func (s *Server) handleAgentEvents(c echo.Context) error {
	var in struct {
		Events *[]json.RawMessage `json:"events"`
	}
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Events == nil {
		return nearby.Invalid("events", "is required")
	}
	raw := *in.Events
	if len(raw) > s.cfg.MaxEventBatch {
		return &nearby.Error{Code: nearby.ETOOLARGE, Message: "too many events in one batch",
			Fields: []nearby.FieldError{{Field: "events", Message: "must have at most " + strconv.Itoa(s.cfg.MaxEventBatch) + " entries"}}}
	}
	b := beaconOf(c)
	now := s.now()
	out := eventsJSON{Rejected: []rejection{}, AcceptedIDs: []string{}, DuplicateIDs: []string{}}
	evs := make([]nearby.Event, 0, len(raw))
	for i, r := range raw {
		ev, err := parseEvent(r, now)
		if err != nil {
			var ne *nearby.Error
			rej := rejection{Index: i, ID: ev.ID}
			if errors.As(err, &ne) && len(ne.Fields) > 0 {
				rej.Errors = ne.Fields
			} else {
				rej.Errors = []nearby.FieldError{{Field: "", Message: nearby.ErrorMessage(err)}}
			}
			out.Rejected = append(out.Rejected, rej)
			continue
		}
		evs = append(evs, ev)
	}
	if len(evs) > 0 {
		acc, dup, err := s.agents.RecordEvents(writeCtx(c), b, evs)
		if err != nil {
			return err
		}
		out.AcceptedIDs, out.DuplicateIDs = append(out.AcceptedIDs, acc...), append(out.DuplicateIDs, dup...)
	}
	out.Accepted, out.Duplicates = len(out.AcceptedIDs), len(out.DuplicateIDs)
	s.metrics.events.WithLabelValues("accepted").Add(float64(out.Accepted))
	s.metrics.events.WithLabelValues("duplicate").Add(float64(out.Duplicates))
	s.metrics.events.WithLabelValues("rejected").Add(float64(len(out.Rejected)))
	return c.JSON(http.StatusOK, out)
}

// parseEvent decodes and validates one event; the id is canonicalised so
// "A1B2..." and "a1b2..." are one event.
func parseEvent(raw []byte, now time.Time) (nearby.Event, error) {
	var in eventInput
	if err := decodeValue(raw, &in); err != nil {
		return nearby.Event{}, err
	}
	ev := nearby.Event{ID: in.ID, Type: nearby.EventType(in.Type), DeviceID: in.DeviceID,
		RSSI: in.RSSI, DistanceM: in.DistanceM, DwellMS: in.DwellMS}
	var p nearby.Problems
	if in.At != "" {
		at, err := time.Parse(time.RFC3339Nano, in.At)
		if err != nil {
			p.Addf("at", "must be an RFC 3339 time")
			at = now // reported above; keeps Validate from calling it missing
		}
		ev.At = at
	}
	if err := ev.Validate(now); err != nil {
		p.Merge("", err)
	}
	if err := dedupe(p).Err(); err != nil {
		return ev, err
	}
	if u, err := nearby.ParseUUID(ev.ID); err == nil {
		ev.ID = u.String()
	}
	return ev, nil
}
