package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// Page is one page of a list: GET /v1/stores, /v1/programs, /v1/beacons.
// NextCursor is "" on the last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListOptions selects a page of a list. Zero values mean the server's
// defaults (20 items, the first page).
type ListOptions struct {
	Limit  int    // 1 to 100
	Cursor string // a NextCursor of the same list
}

func (o *ListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	if o.Limit != 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	return q
}

// iterPageSize is the page size the iterators ask for: the largest the
// server allows, for the fewest round trips.
const iterPageSize = 100

func list[T any](ctx context.Context, c *Client, path string, opts *ListOptions) (*Page[T], error) {
	var p Page[T]
	if err := c.Do(ctx, http.MethodGet, path, opts.query(), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// all iterates over every item of the pages fetch returns, starting with
// the first page and following each page's next cursor. An error is
// yielded once, with the zero T, and ends the iteration.
func all[T any](fetch func(cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := ""
		seen := map[string]bool{}
		for {
			items, next, err := fetch(cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if seen[next] { // a server bug must not make the loop endless
				yield(zero, fmt.Errorf("client: the server repeated cursor %q", next))
				return
			}
			seen[next] = true
			cursor = next
		}
	}
}

func listAll[T any](ctx context.Context, c *Client, path string) iter.Seq2[T, error] {
	return all(func(cursor string) ([]T, string, error) {
		p, err := list[T](ctx, c, path, &ListOptions{Limit: iterPageSize, Cursor: cursor})
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextCursor, nil
	})
}
