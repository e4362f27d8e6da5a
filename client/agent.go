package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/nearby-dev/nearby"
)

// AgentConfig fetches the beacon identity the agent token speaks for
// (GET /v1/agent/config).
func (c *Client) AgentConfig(ctx context.Context) (*nearby.AgentConfig, error) {
	var cfg nearby.AgentConfig
	if err := c.Do(ctx, http.MethodGet, "/v1/agent/config", nil, nil, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// heartbeat is the wire form of POST /v1/agent/heartbeat.
type heartbeat struct {
	UptimeS      int64    `json:"uptime_s"`
	Version      string   `json:"version"`
	Battery      *float64 `json:"battery,omitempty"`
	TemperatureC *float64 `json:"temperature_c,omitempty"`
	SpoolDepth   *int64   `json:"spool_depth,omitempty"`
	Dropped      *int64   `json:"dropped,omitempty"`
	InstanceID   string   `json:"instance_id,omitempty"`
}

// Heartbeat reports the agent's state (POST /v1/agent/heartbeat). h.At is
// not sent: the server stamps the time it received the heartbeat.
func (c *Client) Heartbeat(ctx context.Context, h *nearby.Heartbeat) error {
	in := heartbeat{UptimeS: h.UptimeS, Version: h.Version, Battery: h.Battery,
		TemperatureC: h.TemperatureC, SpoolDepth: h.SpoolDepth, Dropped: h.Dropped, InstanceID: h.InstanceID}
	return c.Do(ctx, http.MethodPost, "/v1/agent/heartbeat", nil, in, nil)
}

// EventsResult is the answer to a batch of events. Every event of the batch
// is exactly one of accepted, duplicate or rejected.
type EventsResult struct {
	Accepted   int
	Duplicates int
	Rejected   []Rejection // may be shorter than RejectedN when the server sends only a count
	RejectedN  int
	// AcceptedIDs and DuplicateIDs are the (canonical) ids of the
	// accepted and duplicate events, when the server lists them.
	AcceptedIDs, DuplicateIDs []string
}

// Rejection says why the event at Index of a batch was refused.
type Rejection struct {
	Index  int                 `json:"index"`
	ID     string              `json:"id,omitempty"`
	Reason string              `json:"reason,omitempty"`
	Errors []nearby.FieldError `json:"errors,omitempty"`
}

func (r Rejection) String() string {
	var parts []string
	if r.Reason != "" {
		parts = append(parts, r.Reason)
	}
	for _, f := range r.Errors {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return fmt.Sprintf("events[%d]: %s", r.Index, strings.Join(parts, "; "))
}

// PostEvents uploads a batch (POST /v1/agent/events) and returns how many
// events the server accepted and how many it already had. A nil error means
// the server committed every accepted event durably; the remaining
// len(evs)-accepted-duplicates were rejected as malformed.
func (c *Client) PostEvents(ctx context.Context, evs []nearby.Event) (accepted, duplicates int, err error) {
	r, err := c.PostEventsResult(ctx, evs)
	if err != nil {
		return 0, 0, err
	}
	return r.Accepted, r.Duplicates, nil
}

// PostEventsResult is PostEvents with the rejections.
func (c *Client) PostEventsResult(ctx context.Context, evs []nearby.Event) (*EventsResult, error) {
	if evs == nil {
		evs = []nearby.Event{}
	}
	in := struct {
		Events []nearby.Event `json:"events"`
	}{evs}
	const path = "/v1/agent/events"
	var raw json.RawMessage
	if err := c.Do(ctx, http.MethodPost, path, nil, in, &raw); err != nil {
		return nil, err
	}
	r, err := decodeEventsResult(raw, len(evs), c.DisallowUnknownFields)
	if err != nil {
		return nil, fmt.Errorf("client: POST %s: %w", path, err)
	}
	return r, nil
}

// decodeEventsResult reads the answer to a batch of n events, checking that
// it does not acknowledge more events than were sent; strict refuses
// unknown fields.
func decodeEventsResult(data []byte, n int, strict bool) (*EventsResult, error) {
	var out struct {
		Accepted     json.RawMessage `json:"accepted"`
		Duplicates   json.RawMessage `json:"duplicates"`
		Rejected     json.RawMessage `json:"rejected"`
		AcceptedIDs  []string        `json:"accepted_ids"`
		DuplicateIDs []string        `json:"duplicate_ids"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	r := EventsResult{AcceptedIDs: out.AcceptedIDs, DuplicateIDs: out.DuplicateIDs}
	var err error
	if r.Accepted, err = countOf(out.Accepted); err != nil {
		return nil, fmt.Errorf("accepted: %w", err)
	}
	if r.Duplicates, err = countOf(out.Duplicates); err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	if r.RejectedN, err = countOf(out.Rejected); err != nil {
		return nil, fmt.Errorf("rejected: %w", err)
	}
	if t := bytes.TrimSpace(out.Rejected); len(t) > 0 && t[0] == '[' {
		dec := json.NewDecoder(bytes.NewReader(t))
		if strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(&r.Rejected); err != nil {
			return nil, fmt.Errorf("rejected: %w", err)
		}
	}
	if len(r.AcceptedIDs) > r.Accepted || len(r.DuplicateIDs) > r.Duplicates {
		return nil, fmt.Errorf("server listed %d accepted and %d duplicate ids for counts %d and %d",
			len(r.AcceptedIDs), len(r.DuplicateIDs), r.Accepted, r.Duplicates)
	}
	if r.Accepted+r.Duplicates+r.RejectedN > n {
		return nil, fmt.Errorf("server acknowledged %d+%d+%d events of %d sent", r.Accepted, r.Duplicates, r.RejectedN, n)
	}
	return &r, nil
}

// countOf reads a count the server sends either as a number or as the list
// of the ids (or objects) counted. Absent means zero.
func countOf(raw json.RawMessage) (int, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return 0, nil
	}
	if t[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(t, &list); err != nil {
			return 0, err
		}
		return len(list), nil
	}
	var n int
	if err := json.Unmarshal(t, &n); err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("negative count %d", n)
	}
	return n, nil
}
