package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// listPage is one page of a list response.
type listPage[T any] struct {
	Items      []T    `json:"items" jsonschema_description:"This page's items."`
	NextCursor string `json:"next_cursor,omitempty" jsonschema_description:"Cursor of the next page; absent on the last."`
}

// pageParams reads ?limit and ?cursor of a list of kind.
func pageParams(c echo.Context, kind string) (afterID uint64, limit int, err error) {
	limit = nearby.DefaultLimit
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > nearby.MaxLimit {
			return 0, 0, nearby.Invalid("limit", "must be an integer between 1 and %d", nearby.MaxLimit)
		}
		limit = n
	}
	if v := c.QueryParam("cursor"); v != "" {
		afterID, err = decodeCursor(kind, v)
		if err != nil {
			return 0, 0, err
		}
	}
	return afterID, limit, nil
}

// encodeCursor makes the opaque cursor after id: base64url of "kind:id",
// so a cursor of one list is refused by another.
func encodeCursor(kind string, id uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatUint(id, 16)))
}

func decodeCursor(kind, s string) (uint64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	bad := nearby.Invalid("cursor", "is not a cursor of this list")
	if err != nil {
		return 0, bad
	}
	k, hexID, ok := strings.Cut(string(b), ":")
	if !ok || k != kind {
		return 0, bad
	}
	id, err := strconv.ParseUint(hexID, 16, 64)
	if err != nil {
		return 0, bad
	}
	return id, nil
}

// listResponse renders items, fetched with limit+1, as one page.
func listResponse[E any, T any](c echo.Context, kind string, items []E, limit int, id func(E) uint64, view func(E) T) error {
	page := listPage[T]{Items: make([]T, 0, min(len(items), limit))}
	for i, it := range items {
		if i == limit {
			page.NextCursor = encodeCursor(kind, id(items[i-1]))
			break
		}
		page.Items = append(page.Items, view(it))
	}
	return c.JSON(http.StatusOK, page)
}

// pathID parses the :id path parameter as an id of kind.
func pathID(c echo.Context, kind string) (uint64, error) {
	return nearby.ParseID(kind, "id", c.Param("id"))
}
