package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// ProblemTypeBase prefixes the "type" URI of every problem; the suffix is
// the nearby error code ("invalid", "not_found", ...).
const ProblemTypeBase = "https://nearby.dev/problems/"

// Problem is an RFC 9457 problem+json body.
type Problem struct {
	Type      string              `json:"type" jsonschema:"format=uri" jsonschema_description:"URI naming the kind of problem: https://nearby.dev/problems/ and the error code."`
	Title     string              `json:"title" jsonschema_description:"HTTP status text."`
	Status    int                 `json:"status" jsonschema:"minimum=400,maximum=599" jsonschema_description:"HTTP status code."`
	Detail    string              `json:"detail,omitempty" jsonschema_description:"What went wrong, for a human."`
	Errors    []nearby.FieldError `json:"errors,omitempty" jsonschema_description:"The offending input fields, each named by its JSON path."`
	RequestID string              `json:"request_id,omitempty" jsonschema_description:"The request's X-Request-ID, for the logs."`
}

// codeStatus maps each application error code to its one HTTP status.
var codeStatus = map[string]int{
	nearby.EINVALID:      http.StatusBadRequest,
	nearby.EUNAUTHORIZED: http.StatusUnauthorized,
	nearby.EFORBIDDEN:    http.StatusForbidden,
	nearby.ENOTFOUND:     http.StatusNotFound,
	nearby.ECONFLICT:     http.StatusConflict,
	nearby.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	nearby.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	nearby.ERATELIMIT:    http.StatusTooManyRequests,
	nearby.EUNAVAILABLE:  http.StatusServiceUnavailable,
	nearby.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an application error code.
func StatusOf(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// codeOfStatus is the reverse mapping for echo's own errors.
func codeOfStatus(status int) string {
	for code, s := range codeStatus {
		if s == status {
			return code
		}
	}
	if status == http.StatusMethodNotAllowed {
		return "method_not_allowed"
	}
	if status >= 500 {
		return nearby.EINTERNAL
	}
	return nearby.EINVALID
}

// toProblem converts any handler error into the problem a client may see.
func toProblem(err error) Problem {
	var ne *nearby.Error
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ne):
		st := StatusOf(ne.Code)
		p := Problem{Type: ProblemTypeBase + ne.Code, Title: http.StatusText(st), Status: st, Errors: ne.Fields}
		if ne.Code != nearby.EINTERNAL {
			p.Detail = ne.Message
		}
		return p
	case errors.As(err, &mbe):
		return problemOf(nearby.ETOOLARGE, "request body is larger than "+strconv.FormatInt(mbe.Limit, 10)+" bytes")
	case errors.As(err, &he):
		code := codeOfStatus(he.Code)
		p := Problem{Type: ProblemTypeBase + code, Title: http.StatusText(he.Code), Status: he.Code}
		if msg, ok := he.Message.(string); ok && he.Code < 500 {
			p.Detail = msg
		}
		if he.Code == http.StatusNotFound {
			p.Detail = "no such route"
		}
		return p
	}
	return problemOf(nearby.EINTERNAL, "")
}

func problemOf(code, detail string) Problem {
	st := StatusOf(code)
	return Problem{Type: ProblemTypeBase + code, Title: http.StatusText(st), Status: st, Detail: detail}
}

// statusClientClosed is recorded, never sent, for a request whose client
// went away before its answer (nginx's 499): the access log and
// http_requests_total say so, and it is not counted as a server error.
const statusClientClosed = 499

// clientGone reports whether err is the request's own context cancelled:
// net/http does that when the client closes the connection (or resets its
// HTTP/2 stream), so there is nobody left to answer.
func clientGone(err error, r *http.Request) bool {
	return errors.Is(err, context.Canceled) && errors.Is(r.Context().Err(), context.Canceled)
}

// handleError is the server's one echo HTTPErrorHandler.
func (s *Server) handleError(err error, c echo.Context) {
	if clientGone(err, c.Request()) {
		s.clientClosed(err, c)
		return
	}
	if c.Response().Committed {
		s.logger.Warn("error after response was committed", slogRequestID, requestID(c), slogError, err)
		return
	}
	p := toProblem(err)
	p.RequestID = requestID(c)
	if p.Status >= 500 {
		s.logger.Error("request failed", slogRequestID, p.RequestID, slog.String("route", c.Path()), slogError, err)
	}
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="nearby"`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	writeProblem(c.Response(), p)
}

// clientClosed records a request whose client went away: logged as what it
// is (at debug level on the quiet phone routes), not as a failure, and
// answered with nothing. Before any answer began, the status becomes 499
// for observe, and an HTTP/1 connection is closed: net/http would
// otherwise send an empty 200 after the handler returns.
func (s *Server) clientClosed(err error, c echo.Context) {
	res := c.Response()
	level := slog.LevelInfo
	if s.quietRoutes[c.Path()] {
		level = slog.LevelDebug
	}
	s.logger.LogAttrs(c.Request().Context(), level, "client closed the request",
		slog.String(slogRequestID, requestID(c)), slog.String("route", c.Path()),
		slog.Bool("answer_begun", res.Committed), slog.Any(slogError, err))
	if res.Committed {
		return // the status sent stays the one recorded
	}
	res.Status = statusClientClosed
	if conn, _, herr := http.NewResponseController(res.Writer).Hijack(); herr == nil {
		conn.Close()
	}
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, p Problem) {
	b, err := json.Marshal(p)
	if err != nil { // only plain strings and ints: cannot happen
		b = []byte(`{"type":"` + ProblemTypeBase + `internal","title":"Internal Server Error","status":500}`)
	}
	w.Header().Set(echo.HeaderContentType, "application/problem+json")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(b, '\n'))
}
