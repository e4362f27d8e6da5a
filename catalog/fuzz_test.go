package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

// FuzzNearbyQuery_Cursor feeds client-supplied cursors to a query. A cursor
// is outside bytes: any string must be either accepted (and then page
// without error) or rejected as an EINVALID error naming "cursor".
func FuzzNearbyQuery_Cursor(f *testing.F) {
	c, _ := MustNew(f, nil)
	for i := uint64(1); i <= 5; i++ {
		c.PutStore(store(i, 48.85, 2.35+float64(i)*0.001))
		c.PutProgram(program(i, "coffee", i))
	}
	base := catalog.NearbyQuery{Lat: 48.85, Lng: 2.35, Limit: 2}
	page, err := c.Nearby(context.Background(), base)
	if err != nil || page.NextCursor == "" {
		f.Fatalf("first page: %+v, %v", page, err)
	}
	f.Add(page.NextCursor)
	f.Add("")
	f.Add("AQ")
	f.Add(page.NextCursor[:len(page.NextCursor)-1] + "_")
	f.Fuzz(func(t *testing.T, cursor string) {
		q := base
		q.Cursor = cursor
		got, err := c.Nearby(context.Background(), q)
		if err != nil {
			var e *nearby.Error
			if !errors.As(err, &e) || e.Code != nearby.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
				t.Fatalf("cursor %q: error %v, want EINVALID naming cursor", cursor, err)
			}
			return
		}
		if len(got.Results) > q.Limit {
			t.Fatalf("cursor %q: %d results over limit %d", cursor, len(got.Results), q.Limit)
		}
	})
}
