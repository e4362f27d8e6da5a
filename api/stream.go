package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// Streams serves a merchant's event stream.
type Streams interface {
	ReadStream(ctx context.Context, merchantID, afterSeq uint64, limit int) ([]nearby.StreamEvent, error)
	StreamHead(ctx context.Context) (uint64, error)
	// StreamChanged returns a channel closed at the next change.
	StreamChanged() <-chan struct{}
}

// streamKeepAlive is how often an idle stream sends a comment, so that
// proxies keep the connection and the client notices a dead one.
const streamKeepAlive = 15 * time.Second

// streamPage bounds the events read at once.
const streamPage = 100

var streamQuery = []param{
	{Name: "last_event_id", Desc: "Resume after this event id (as the Last-Event-ID header, which wins); absent: from now.",
		Schema: obj{"type": "string", "pattern": "^[0-9]+$"}},
	qBool("follow", "Keep the connection open for new events (default true); false returns what there is and ends."),
}

// streamPayload is one event's data line: the webhook body.
type streamPayload struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// streamParams reads where to resume and whether to follow.
func (s *Server) streamParams(c echo.Context) (after uint64, follow bool, err error) {
	last := c.Request().Header.Get("Last-Event-ID")
	if last == "" {
		last = c.QueryParam("last_event_id")
	}
	follow = true
	if v := c.QueryParam("follow"); v != "" {
		if follow, err = strconv.ParseBool(v); err != nil {
			return 0, false, nearby.Invalid("follow", "must be true or false")
		}
	}
	if last == "" {
		after, err = s.streams.StreamHead(c.Request().Context())
		return after, follow, err
	}
	if after, err = strconv.ParseUint(last, 10, 64); err != nil {
		return 0, false, nearby.Invalid("last_event_id", "must be an event id of this stream")
	}
	return after, follow, nil
}

// handleEventStream is GET /v1/events/stream: the merchant's events as
// Server-Sent Events (id = the event's sequence number, event = its type,
// data = the webhook body), resumable with Last-Event-ID.
func (s *Server) handleEventStream(c echo.Context) error {
	after, follow, err := s.streamParams(c)
	if err != nil {
		return err
	}
	ctx, merchant := c.Request().Context(), merchantOf(c)
	evs, err := s.streams.ReadStream(ctx, merchant, after, streamPage)
	if err != nil {
		return err // before the first byte: a problem answer
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w.Writer).SetWriteDeadline(time.Time{}) // a stream outlives any write timeout
	for {
		changed := s.streams.StreamChanged()
		for _, ev := range evs {
			data, _ := json.Marshal(streamPayload{Type: ev.Type, Timestamp: ev.At, Data: ev.Data})
			fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Type, data)
			after = ev.Seq
		}
		w.Flush()
		if len(evs) < streamPage && !follow {
			return nil
		}
		if len(evs) < streamPage && !waitStream(ctx, w, changed) {
			return nil
		}
		if evs, err = s.streams.ReadStream(ctx, merchant, after, streamPage); err != nil {
			return nil // mid-stream: the client reconnects with Last-Event-ID
		}
	}
}

// waitStream waits for a change, sending keep-alive comments; false when
// the client went away.
func waitStream(ctx context.Context, w *echo.Response, changed <-chan struct{}) bool {
	t := time.NewTicker(streamKeepAlive)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-changed:
			return true
		case <-t.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			w.Flush()
		}
	}
}
