package api

import (
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// knownQuery wraps a route's handler to answer 400 naming every query
// parameter the route does not document, instead of ignoring it: a
// misspelt filter (?app=, ?catgory=) silently ignored answers a different
// question than the one asked, as unknown JSON fields are rejected for the
// same reason. The route table's Query list is the one source of both this
// check and the OpenAPI document. It wraps the handler rather than being a
// middleware because echo composes route middleware on every request (an
// allocation each); so it runs after authentication. It does not allocate
// for a query without unknown names.
func knownQuery(rt route) echo.HandlerFunc {
	names := make([]string, len(rt.Query))
	for i, q := range rt.Query {
		names[i] = q.Name
	}
	next := rt.Handler
	return func(c echo.Context) error {
		if err := checkQueryNames(c.Request().URL.RawQuery, names); err != nil {
			return err
		}
		return next(c)
	}
}

// checkQueryNames returns an EINVALID error naming each parameter of raw
// that is not in names.
func checkQueryNames(raw string, names []string) error {
	var p nearby.Problems
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, _, _ := strings.Cut(kv, "=")
		if k == "" {
			continue
		}
		if strings.ContainsAny(k, "%+") {
			uk, err := url.QueryUnescape(k)
			if err != nil {
				p.Addf(k, "is not URL-encoded correctly")
				continue
			}
			k = uk
		}
		if !slices.Contains(names, k) {
			p.Addf(k, "is not a query parameter of this route")
		}
	}
	return p.Err()
}
