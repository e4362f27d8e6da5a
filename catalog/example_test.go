package catalog_test

import (
	"context"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
)

func ExampleCatalog_Nearby() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := catalog.New(geo.New(), &catalog.Options{Now: func() time.Time { return now }})
	// A chain of two cafés and a bakery; the API calls these hooks after
	// each committed write.
	c.PutStore(&nearby.Store{ID: 1, Name: "Rivoli", Lat: 48.8606, Lng: 2.3376, Category: "coffee"})
	c.PutStore(&nearby.Store{ID: 2, Name: "Halles", Lat: 48.8620, Lng: 2.3450, Category: "coffee"})
	c.PutStore(&nearby.Store{ID: 3, Name: "Fournil", Lat: 48.8640, Lng: 2.3400, Category: "food"})
	c.PutProgram(&nearby.Program{ID: 1, Name: "Cafe", Category: "coffee", StoreIDs: []uint64{1, 2}})
	c.PutProgram(&nearby.Program{ID: 2, Name: "Bread", Category: "food", StoreIDs: []uint64{3}})

	page, err := c.Nearby(context.Background(), catalog.NearbyQuery{Lat: 48.8610, Lng: 2.3390, RadiusM: 2000, Limit: 1})
	if err != nil {
		panic(err)
	}
	for _, r := range page.Results {
		fmt.Printf("%s at %s, %.0f m, score %.3f\n", r.Program.Name, r.Store.Name, r.DistanceM, r.Score)
	}
	// The next page continues after the last result.
	page, _ = c.Nearby(context.Background(), catalog.NearbyQuery{Lat: 48.8610, Lng: 2.3390, RadiusM: 2000, Limit: 1, Cursor: page.NextCursor})
	for _, r := range page.Results {
		fmt.Printf("%s at %s, %.0f m, score %.3f\n", r.Program.Name, r.Store.Name, r.DistanceM, r.Score)
	}
	// Output:
	// Cafe at Rivoli, 112 m, score 0.805
	// Bread at Fournil, 342 m, score 0.724
}
