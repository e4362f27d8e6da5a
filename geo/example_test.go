package geo_test

import (
	"fmt"

	"github.com/nearby-dev/nearby/geo"
)

// A store just east of the antimeridian is 2 km from a phone just west of
// it: the index measures great-circle distance, not longitude difference.
func Example() {
	ix := geo.New()
	_ = ix.Insert(1, geo.Point{Lat: 0, Lng: 179.99})   // store east of 180
	_ = ix.Insert(2, geo.Point{Lat: 0, Lng: 179.9})    // 11 km further
	_ = ix.Insert(3, geo.Point{Lat: 45, Lng: -179.99}) // far north

	phone := geo.Point{Lat: 0, Lng: -179.99}
	hits, err := ix.Nearby(geo.Query{Center: phone, RadiusM: 50000, Limit: 20}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range hits {
		fmt.Printf("store %d at %.0f m\n", h.ID, h.DistM)
	}

	_, err = ix.Nearby(geo.Query{Center: phone, RadiusM: -1, Limit: 20}, nil)
	fmt.Println(err)
	// Output:
	// store 1 at 2224 m
	// store 2 at 12231 m
	// geo: radius_m: must be between 0 and 20015114 metres, got -1
}

func ExampleIndex_Cells() {
	ix := geo.New()
	_ = ix.Load([]uint64{1, 2, 3}, []geo.Point{{Lat: 48.8584, Lng: 2.2945}, {Lat: 48.8585, Lng: 2.2946}, {Lat: 48.8606, Lng: 2.3376}})
	cells, _ := ix.Cells(7, geo.Bounds{MinLat: 48.8, MinLng: 2.2, MaxLat: 48.9, MaxLng: 2.4})
	for _, c := range cells {
		fmt.Println(c.Cell, c.Count)
	}
	// Output:
	// 871fb4674ffffff 2
	// 871fb4675ffffff 1
}
