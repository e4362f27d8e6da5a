package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
)

// ProblemTypeBase prefixes the "type" URI of the server's problems; the
// suffix is the nearby error code ("invalid", "not_found", ...). It is the
// server's api.ProblemTypeBase, repeated here to keep the client light.
const ProblemTypeBase = "https://nearby.dev/problems/"

// Error is a non-2xx answer from the server, with the fields of its RFC 9457
// problem+json body. Its chain holds a *nearby.Error of the same code, so
// callers test it with the domain's vocabulary:
//
//	if nearby.ErrorCode(err) == nearby.ENOTFOUND { ... }
//
// and recover the details with errors.As(err, &e) for an e of type *Error.
type Error struct {
	Method, Path string
	Status       int           // HTTP status code of the answer
	RetryAfter   time.Duration // from the Retry-After header; 0 when absent

	// Code is the nearby error code (nearby.EINVALID, ...): from the
	// problem type when it names a known code, else from Status.
	Code string

	Type      string // problem type URI
	Title     string // problem title
	Detail    string // problem detail, or the body when it was not a problem
	Fields    []nearby.FieldError
	RequestID string // the server's id of the request, for its logs
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "client: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	} else if e.Title != "" && e.Title != http.StatusText(e.Status) {
		b.WriteString(": ")
		b.WriteString(e.Title)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
		if i == len(e.Fields)-1 {
			b.WriteString(")")
		}
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// Unwrap returns the answer as the domain error: its Code, Detail as the
// message and Fields.
func (e *Error) Unwrap() error {
	return &nearby.Error{Code: e.Code, Message: e.Detail, Fields: e.Fields}
}

// HTTPStatus returns the status code; consumers that must not import this
// package (the agent) find it through an interface.
func (e *Error) HTTPStatus() int { return e.Status }

// RetryDelay returns how long the server asked the client to wait.
func (e *Error) RetryDelay() time.Duration { return e.RetryAfter }

// Retryable reports whether the same request may succeed later: the server
// was busy, overloaded or failing rather than refusing the request itself.
func (e *Error) Retryable() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// StatusOf returns the HTTP status of err's *Error, or 0 when err did not
// come from a server answer (a network failure, say).
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// problem is RFC 9457 problem+json as the API renders it.
type problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Errors    []nearby.FieldError `json:"errors"`
	RequestID string              `json:"request_id"`
}

// maxPlainDetail bounds the non-problem body kept as Detail: a proxy's
// error page is not worth carrying around in full.
const maxPlainDetail = 200

func newError(method, path string, resp *http.Response, data []byte) *Error {
	return parseProblem(method, path, resp.StatusCode, resp.Header.Get("Retry-After"), data, time.Now())
}

// parseProblem builds the *Error of a non-2xx answer. The HTTP status is
// authoritative: a body claiming another one does not change Status.
func parseProblem(method, path string, status int, retryAfter string, data []byte, now time.Time) *Error {
	e := &Error{Method: method, Path: path, Status: status, RetryAfter: parseRetryAfter(retryAfter, now)}
	var p problem
	if json.Unmarshal(data, &p) == nil && (p.Type != "" || p.Title != "" || p.Status != 0) {
		e.Type, e.Title, e.Detail, e.Fields, e.RequestID = p.Type, p.Title, p.Detail, p.Errors, p.RequestID
	} else if s := strings.TrimSpace(string(data)); s != "" && len(s) <= maxPlainDetail {
		e.Detail = s
	}
	e.Code = codeOf(e.Type, status)
	return e
}

// codes are the nearby error codes a problem type may name.
var codes = []string{nearby.EINVALID, nearby.EUNAUTHORIZED, nearby.EFORBIDDEN, nearby.ENOTFOUND,
	nearby.ECONFLICT, nearby.ETOOLARGE, nearby.EUNSUPPORTED, nearby.ERATELIMIT, nearby.EUNAVAILABLE, nearby.EINTERNAL}

// codeOf returns the nearby code of a problem type, or, when the type names
// none (another server, a proxy, echo's own errors), of the status.
func codeOf(typ string, status int) string {
	if c, ok := strings.CutPrefix(typ, ProblemTypeBase); ok {
		for _, code := range codes {
			if c == code {
				return code
			}
		}
	}
	switch status {
	case http.StatusUnauthorized:
		return nearby.EUNAUTHORIZED
	case http.StatusForbidden:
		return nearby.EFORBIDDEN
	case http.StatusNotFound:
		return nearby.ENOTFOUND
	case http.StatusConflict:
		return nearby.ECONFLICT
	case http.StatusRequestEntityTooLarge:
		return nearby.ETOOLARGE
	case http.StatusUnsupportedMediaType:
		return nearby.EUNSUPPORTED
	case http.StatusTooManyRequests:
		return nearby.ERATELIMIT
	case http.StatusRequestTimeout, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return nearby.EUNAVAILABLE // transient: a retry may succeed
	}
	if status >= 500 {
		return nearby.EINTERNAL
	}
	return nearby.EINVALID // any other 4xx: the request was refused as it is
}

// maxRetryAfter (seconds) bounds the wait a server may ask for.
const maxRetryAfter = 24 * 60 * 60

// parseRetryAfter reads either form of Retry-After (RFC 9110 10.2.3):
// delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		// Clamped so that a huge value cannot overflow the Duration.
		return time.Duration(min(n, maxRetryAfter)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter*time.Second)
	}
	return 0
}
