package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/importer"
)

const sharedData = "../../shared/data"

// TestCSV_RealData imports the two public store lists with a column
// mapping and checks the row counts SOURCES.md documents.
func TestCSV_RealData(t *testing.T) {
	tests := []struct {
		name, file string
		opts       importer.CSVOptions
		rows, good int
		badFields  map[string]int
	}{
		{
			// 25,600 rows; store 19773-160973 has empty coordinates. The
			// Timezone column is not read ("" mapping).
			name: "starbucks",
			file: "starbucks_directory.csv",
			opts: importer.CSVOptions{
				Columns: map[string]string{"name": "Store Name", "lat": "Latitude", "lng": "Longitude",
					"address": "Street Address", "timezone": ""},
				DefaultCategory: "coffee",
			},
			rows: 25600, good: 25599, badFields: map[string]int{"lat": 1},
		},
		{
			// With the Timezone column ("GMT+1:00 Europe/Andorra": the last
			// word is used), 2,942 rows name zones that are not IANA:
			// Asia/Beijing 2,731, Asia/New_Delhi 88, and names cut to 19
			// characters (America/Argentina/Bu 108, ...).
			name: "starbucks-timezones",
			file: "starbucks_directory.csv",
			opts: importer.CSVOptions{
				Columns:         map[string]string{"name": "Store Name", "lat": "Latitude", "lng": "Longitude"},
				DefaultCategory: "coffee",
			},
			rows: 25600, good: 25599 - 2942, badFields: map[string]int{"lat": 1, "timezone": 2942},
		},
		{
			// 10,000 rows, all in range (51 are outside the US, which
			// validation cannot know).
			name: "datafiniti",
			file: "datafiniti_fast_food_restaurants.csv",
			opts: importer.CSVOptions{
				Columns:         map[string]string{"lat": "latitude", "lng": "longitude"},
				DefaultCategory: "fast-food",
			},
			rows: 10000, good: 10000, badFields: map[string]int{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(sharedData, tt.file))
			if os.IsNotExist(err) {
				t.Skip("importer: ../shared/data not present")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, good := 0, 0
			bad := map[string]int{}
			err = importer.CSVWith(context.Background(), f, tt.opts, func(r importer.Row) error {
				rows++
				if r.Line != rows {
					t.Fatalf("Line = %d, want %d", r.Line, rows)
				}
				if r.Err != nil {
					bad[fieldOf(r.Err)]++
					return nil
				}
				if err := r.Store.Validate(); err != nil {
					t.Errorf("row %d passed but Validate says %v", r.Line, err)
				}
				good++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d rows, %d imported, failed by field %v", tt.file, rows, good, bad)
			if rows != tt.rows || good != tt.good {
				t.Errorf("rows, good = %d, %d; want %d, %d", rows, good, tt.rows, tt.good)
			}
			if len(bad) != len(tt.badFields) {
				t.Errorf("failed by field = %v, want %v", bad, tt.badFields)
			}
			for k, v := range tt.badFields {
				if bad[k] != v {
					t.Errorf("failed on %s = %d, want %d", k, bad[k], v)
				}
			}
		})
	}
}

// TestCSV_RealDataFirstRow checks that a Starbucks row's fields come
// through unchanged.
func TestCSV_RealDataFirstRow(t *testing.T) {
	f, err := os.Open(filepath.Join(sharedData, "starbucks_directory.csv"))
	if os.IsNotExist(err) {
		t.Skip("importer: ../shared/data not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var first nearby.Store
	opts := importer.CSVOptions{
		Columns:         map[string]string{"name": "Store Name", "lat": "Latitude", "lng": "Longitude", "address": "Street Address"},
		DefaultCategory: "coffee",
	}
	errStop := os.ErrClosed
	err = importer.CSVWith(context.Background(), f, opts, func(r importer.Row) error { first = r.Store; return errStop })
	if err != errStop {
		t.Fatal(err)
	}
	want := nearby.Store{Name: "Meritxell, 96", Lat: 42.51, Lng: 1.53, Category: "coffee", Address: "Av. Meritxell, 96"}
	if first.Name != want.Name || first.Lat != want.Lat || first.Lng != want.Lng || first.Address != want.Address || first.Category != want.Category {
		t.Errorf("first = %+v, want %+v", first, want)
	}
}
