package importer_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/importer"
)

// checkRows is the invariant of both parsers: rows are numbered 1, 2, ...;
// a row without Err holds a valid store; a row with Err has an EINVALID
// *nearby.Error.
func checkRows(t *testing.T) func(importer.Row) error {
	n := 0
	return func(r importer.Row) error {
		n++
		if r.Line != n {
			t.Fatalf("Line = %d, want %d", r.Line, n)
		}
		if r.Err == nil {
			if err := r.Store.Validate(); err != nil {
				t.Fatalf("row %d passed but Validate says %v", r.Line, err)
			}
		} else if nearby.ErrorCode(r.Err) != nearby.EINVALID {
			t.Fatalf("row %d: error %v is not EINVALID", r.Line, r.Err)
		}
		return nil
	}
}

func FuzzCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/stores.csv"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("name,lat,lng,category\nA,1,2,coffee\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := importer.CSV(context.Background(), bytes.NewReader(data), checkRows(t))
		if err != nil && nearby.ErrorCode(err) != nearby.EINVALID {
			t.Fatalf("file error %v is not EINVALID", err)
		}
	})
}

func FuzzGeoJSON(f *testing.F) {
	if b, err := os.ReadFile("testdata/stores.geojson"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[2,1]},"properties":{"name":"A","category":"c"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := importer.GeoJSON(context.Background(), bytes.NewReader(data), checkRows(t))
		if err != nil && nearby.ErrorCode(err) != nearby.EINVALID {
			t.Fatalf("file error %v is not EINVALID", err)
		}
	})
}
