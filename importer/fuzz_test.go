package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
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
		checkCapped(t, func(max int, fn func(importer.Row) error) error {
			return importer.CSVWith(context.Background(), bytes.NewReader(data), importer.CSVOptions{MaxRecordBytes: max}, fn)
		})
	})
}

func FuzzGeoJSON(f *testing.F) {
	if b, err := os.ReadFile("testdata/stores.geojson"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[2,1]},"properties":{"name":"A","category":"c"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCapped(t, func(max int, fn func(importer.Row) error) error {
			return importer.GeoJSONWith(context.Background(), bytes.NewReader(data), importer.GeoJSONOptions{MaxRecordBytes: max}, fn)
		})
	})
}

// checkCapped parses with the default record cap and with a tiny one. Both
// runs keep the row invariant, a file error is EINVALID, a StopError names
// the row after the last one streamed, and the capped rows are a prefix of
// the uncapped ones: the cap only ever stops a file early.
func checkCapped(t *testing.T, parse func(max int, fn func(importer.Row) error) error) {
	var runs [2][]string
	for i, max := range []int{0, 16} {
		check := checkRows(t)
		err := parse(max, func(r importer.Row) error {
			runs[i] = append(runs[i], fmt.Sprintf("%d %v %+v", r.Line, r.Err, r.Store))
			return check(r)
		})
		if err != nil && nearby.ErrorCode(err) != nearby.EINVALID {
			t.Fatalf("cap %d: file error %v is not EINVALID", max, err)
		}
		var se *importer.StopError
		if errors.As(err, &se) && se.Row != len(runs[i])+1 {
			t.Fatalf("cap %d: stop at row %d after %d rows, want row %d", max, se.Row, len(runs[i]), len(runs[i])+1)
		}
	}
	if len(runs[1]) > len(runs[0]) || !slices.Equal(runs[1], runs[0][:len(runs[1])]) {
		t.Fatalf("rows with a 16-byte cap\n%q\nare not a prefix of the rows without\n%q", runs[1], runs[0])
	}
}
