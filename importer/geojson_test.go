package importer_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/importer"
)

func TestGeoJSON(t *testing.T) {
	f, err := os.Open("testdata/stores.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := collect(t, func(fn func(importer.Row) error) error { return importer.GeoJSON(context.Background(), f, fn) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "", "geometry.type", "geometry", "lng", "name", "geometry.coordinates", "name", "feature", ""}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if rows[i].Line != i+1 {
			t.Errorf("feature %d: Line = %d", i+1, rows[i].Line)
		}
		if got := fieldOf(rows[i].Err); got != w {
			t.Errorf("feature %d: error field = %q (%v), want %q", i+1, got, rows[i].Err, w)
		}
	}
	wantFirst := nearby.Store{
		Name: "Blue Bottle", Lat: 37.7823, Lng: -122.4077, Category: "coffee", Address: "66 Mint St",
		Timezone: "America/Los_Angeles", Tags: []string{"wifi"}, Hours: nearby.Hours{"mon": {{"07:00", "19:00"}}},
	}
	if !reflect.DeepEqual(rows[0].Store, wantFirst) {
		t.Errorf("first = %+v\nwant %+v", rows[0].Store, wantFirst)
	}
	if s := rows[1].Store; s.Lat != 35.6595 || s.Lng != 139.7005 {
		t.Errorf("[lng, lat, alt] read as lat %v lng %v", s.Lat, s.Lng)
	}
}

func TestGeoJSON_Structure(t *testing.T) {
	point := `{"type":"Feature","geometry":{"type":"Point","coordinates":[2,1]},"properties":{"name":"A"}}`
	tests := []struct {
		name, in string
		wantErr  bool
		wantRows int
	}{
		{"OK", `{"type":"FeatureCollection","features":[` + point + `]}`, false, 1},
		{"TypeLast", `{"features":[` + point + `],"type":"FeatureCollection"}`, false, 1},
		{"Empty", `{"type":"FeatureCollection","features":[]}`, false, 0},
		{"ErrFeature", point, true, 0},
		{"ErrArray", `[` + point + `]`, true, 0},
		{"ErrNoType", `{"features":[]}`, true, 0},
		{"ErrNoFeatures", `{"type":"FeatureCollection"}`, true, 0},
		{"ErrNotJSON", `type,lat`, true, 0},
		{"ErrTruncated", `{"type":"FeatureCollection","features":[` + point, true, 1},
		{"ErrTrailing", `{"type":"FeatureCollection","features":[]} {}`, true, 0},
		{"ErrFeaturesNotArray", `{"type":"FeatureCollection","features":{}}`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := collect(t, func(fn func(importer.Row) error) error {
				return importer.GeoJSONWith(context.Background(), strings.NewReader(tt.in), importer.GeoJSONOptions{DefaultCategory: "shop"}, fn)
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && nearby.ErrorCode(err) != nearby.EINVALID {
				t.Errorf("code = %q, want %q", nearby.ErrorCode(err), nearby.EINVALID)
			}
			if len(rows) != tt.wantRows {
				t.Fatalf("rows = %d, want %d", len(rows), tt.wantRows)
			}
			for _, r := range rows {
				if r.Err != nil || r.Store.Category != "shop" || r.Store.Lat != 1 || r.Store.Lng != 2 {
					t.Errorf("row = %+v, want A at lat 1 lng 2 in the default category", r)
				}
			}
		})
	}
}
