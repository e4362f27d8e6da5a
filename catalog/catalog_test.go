package catalog_test

import (
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/ranking"
)

// monday is a fixed query time: Monday 2026-11-23 12:00 UTC.
var monday = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// MustNew returns an empty catalog over a fresh index with a fixed clock,
// and checks at cleanup that the index and the catalog agree on the stores.
func MustNew(tb testing.TB, opts *catalog.Options) (*catalog.Catalog, *geo.Index) {
	tb.Helper()
	var o catalog.Options
	if opts != nil {
		o = *opts
	}
	if o.Now == nil {
		o.Now = func() time.Time { return monday }
	}
	if o.Renderer == nil {
		o.Renderer = fieldsRenderer{}
	}
	ix := geo.New()
	c := catalog.New(ix, &o)
	tb.Cleanup(func() {
		if stores, _, _ := c.Counts(); stores != ix.Len() {
			tb.Errorf("catalog has %d stores, index %d", stores, ix.Len())
		}
	})
	return c, ix
}

func store(id uint64, lat, lng float64) *nearby.Store {
	return &nearby.Store{ID: id, MerchantID: 1, Name: "s", Lat: lat, Lng: lng, Category: "coffee"}
}

func program(id uint64, category string, stores ...uint64) *nearby.Program {
	return &nearby.Program{ID: id, MerchantID: 1, AppID: "wx", Name: "p", Category: category, StoreIDs: stores}
}

func TestCatalog_Counts(t *testing.T) {
	c, ix := MustNew(t, nil)
	for i := uint64(1); i <= 3; i++ {
		if err := c.PutStore(store(i, 48.85, 2.35+float64(i)*0.001)); err != nil {
			t.Fatal(err)
		}
	}
	c.PutProgram(program(1, "coffee", 1, 2))
	c.PutProgram(program(2, "food", 3))
	c.PutBeacon(&nearby.Beacon{ID: 1, StoreID: 1, Identity: nearby.Identity{UUID: nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e"), Major: 1, Minor: 2}})
	if s, p, b := c.Counts(); s != 3 || p != 2 || b != 1 {
		t.Fatalf("Counts() = %d, %d, %d, want 3, 2, 1", s, p, b)
	}
	// Updating keeps the counts and moves the store.
	if err := c.PutStore(store(2, 10, 10)); err != nil {
		t.Fatal(err)
	}
	if p, ok := ix.Get(2); !ok || p.Lat != 10 {
		t.Errorf("index has store 2 at %v (%v), want lat 10", p, ok)
	}
	c.PutProgram(program(1, "coffee", 1))
	c.DeleteStore(3)
	c.DeleteStore(99) // unknown: no-op
	c.DeleteProgram(2)
	c.DeleteBeacon(1)
	if s, p, b := c.Counts(); s != 2 || p != 1 || b != 0 {
		t.Fatalf("after deletes Counts() = %d, %d, %d, want 2, 1, 0", s, p, b)
	}
	if _, ok := ix.Get(3); ok {
		t.Errorf("deleted store 3 is still in the index")
	}
}

func TestNew_ErrWeights(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("New with a negative weight did not panic")
		}
	}()
	w := ranking.DefaultWeights()
	w.Distance = -1
	catalog.New(geo.New(), &catalog.Options{Weights: w})
}
