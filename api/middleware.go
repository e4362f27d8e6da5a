package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/logattr"
)

// Constant log attribute keys.
const (
	slogRequestID = "request_id"
	slogError     = "err"
)

// observe assigns the request id, renders a handler's error through the
// one error handler (so the status is known here), then records metrics and
// the access log line.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		req := c.Request()
		rid := req.Header.Get(echo.HeaderXRequestID)
		if !validRequestID(rid) {
			var b [32]byte // one allocation, the string
			rid = string(strconv.AppendUint(append(b[:0], s.ridPrefix...), s.ridSeq.Add(1), 36))
		}
		c.Response().Header()[echo.HeaderXRequestID] = []string{rid}
		if err := next(c); err != nil {
			s.handleError(err, c)
		}
		dur := time.Since(start)
		route := c.Path()
		if route == "" || c.Response().Status == http.StatusNotFound && route == "/*" {
			route = "unmatched"
		}
		status := c.Response().Status
		s.metrics.observe(route, req.Method, status, dur)
		level := slog.LevelInfo
		switch {
		case status == http.StatusServiceUnavailable && !s.ready.Load():
			// Still loading: every request is refused as designed,
			// and /readyz is polled until it is done.
		case status >= 500:
			level = slog.LevelError
		case s.quietRoutes[route]:
			// Phone routes run at tens of thousands of requests a second:
			// a line each would cost more than the request. They are
			// logged at debug level, and counted in /metrics.
			level = slog.LevelDebug
		}
		if s.logger.Enabled(req.Context(), level) {
			attrs := []slog.Attr{
				slog.String(slogRequestID, rid),
				slog.String("method", req.Method),
				slog.String("route", route),
				slog.String("path", req.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", c.Response().Size),
				logattr.Millis("latency_ms", dur),
			}
			// A phone's address would identify it in the logs: it is
			// logged for the merchant, agent and admin routes only.
			if !s.quietRoutes[route] {
				attrs = append(attrs, slog.String("ip", c.RealIP()))
			}
			s.logger.LogAttrs(req.Context(), level, "request", attrs...)
		}
		return nil
	}
}

// validRequestID accepts a client's id when short and printable.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// requestID returns the id observe assigned.
func requestID(c echo.Context) string {
	if v := c.Response().Header()[echo.HeaderXRequestID]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// recover turns a handler panic into a 500 and logs the stack.
func (s *Server) recover(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				buf := make([]byte, 8<<10)
				buf = buf[:runtime.Stack(buf, false)]
				s.logger.Error("panic in handler", slogRequestID, requestID(c),
					slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(buf)))
				err = nearby.Internal(fmt.Errorf("api: panic: %v", r))
			}
		}()
		return next(c)
	}
}

// requireReady answers 503 until the index is loaded.
func (s *Server) requireReady(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.ready.Load() {
			c.Response().Header().Set("Retry-After", "1")
			return nearby.Errorf(nearby.EUNAVAILABLE, "discoveryd is starting: the index is loading")
		}
		return next(c)
	}
}

// rateLimit applies the per-client-IP token bucket of public routes.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ok, wait := s.limiter.allow(c.RealIP()); !ok {
			secs := int(wait/time.Second) + 1
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return nearby.Errorf(nearby.ERATELIMIT, "too many requests from this client; retry after %d s", secs)
		}
		return next(c)
	}
}
