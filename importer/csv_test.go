package importer_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/importer"
)

// collect runs parse and returns every row it produced.
func collect(t *testing.T, parse func(fn func(importer.Row) error) error) ([]importer.Row, error) {
	t.Helper()
	var rows []importer.Row
	err := parse(func(r importer.Row) error { rows = append(rows, r); return nil })
	return rows, err
}

// fieldOf returns the first field an error names, or "" for none.
func fieldOf(err error) string {
	var e *nearby.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func TestCSV(t *testing.T) {
	f, err := os.Open("testdata/stores.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := collect(t, func(fn func(importer.Row) error) error { return importer.CSV(context.Background(), f, fn) })
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, errField string
	}{
		{"Blue Bottle", ""}, {"Quoted, Name", ""}, {"", "row"}, {"No Lat", "lat"}, {"Bad Lat", "lat"},
		{"Out Of Range", "lat"}, {"Bad Category", "category"}, {"Bad Hours", "hours"}, {"Bad Zone", "timezone"},
		{"Last", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.Line != i+1 {
			t.Errorf("row %d: Line = %d, want %d", i, r.Line, i+1)
		}
		if got := fieldOf(r.Err); got != w.errField {
			t.Errorf("row %d (%s): error field = %q (%v), want %q", r.Line, w.name, got, r.Err, w.errField)
		}
		if r.Err != nil && nearby.ErrorCode(r.Err) != nearby.EINVALID {
			t.Errorf("row %d: code = %q, want %q", r.Line, nearby.ErrorCode(r.Err), nearby.EINVALID)
		}
		if w.name != "" && r.Store.Name != w.name {
			t.Errorf("row %d: Name = %q, want %q", r.Line, r.Store.Name, w.name)
		}
	}
	first := rows[0].Store
	wantFirst := nearby.Store{
		Name: "Blue Bottle", Lat: 37.7823, Lng: -122.4077, Category: "coffee", Address: "66 Mint St",
		Timezone: "America/Los_Angeles", Tags: []string{"wifi", "outdoor"},
		Hours: nearby.Hours{"mon": {{"07:00", "19:00"}}},
	}
	if !reflect.DeepEqual(first, wantFirst) {
		t.Errorf("first store = %+v\nwant %+v", first, wantFirst)
	}
	if got := rows[1].Store.Address; got != "1-2-3 Shibuya\nTokyo" {
		t.Errorf("multi-line address = %q", got)
	}
	if got := fieldOf(rows[5].Err); got != "lat" || len(rows[5].Err.(*nearby.Error).Fields) != 2 {
		t.Errorf("out of range: %v, want both lat and lng", rows[5].Err)
	}
}

func TestCSV_Header(t *testing.T) {
	tests := []struct {
		name, in  string
		opts      importer.CSVOptions
		wantErr   string // substring; "" for success
		wantStore nearby.Store
	}{
		{"MissingLng", "name,lat,category\nx,1,coffee\n", importer.CSVOptions{}, `"lng"`, nearby.Store{}},
		{"MissingTwo", "name,category\n", importer.CSVOptions{}, `"lat"`, nearby.Store{}},
		{"Empty", "", importer.CSVOptions{}, "empty", nearby.Store{}},
		{"BadMappingKey", "name,lat,lng,category\n", importer.CSVOptions{Columns: map[string]string{"latitude": "x"}}, "columns.latitude", nearby.Store{}},
		{"BOMAndSpaces", "\ufeff name , lat ,lng,CATEGORY\nA,1,2,coffee\n", importer.CSVOptions{},
			"", nearby.Store{Name: "A", Lat: 1, Lng: 2, Category: "coffee"}},
		{"Mapped", "Store Name,Longitude,Latitude\nB,3,4\n",
			importer.CSVOptions{Columns: map[string]string{"name": "store name", "lat": "Latitude", "lng": "Longitude"}, DefaultCategory: "coffee"},
			"", nearby.Store{Name: "B", Lat: 4, Lng: 3, Category: "coffee"}},
		{"Semicolons", "name;lat;lng;category\nC;5;6;tea\n", importer.CSVOptions{Comma: ';'},
			"", nearby.Store{Name: "C", Lat: 5, Lng: 6, Category: "tea"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := collect(t, func(fn func(importer.Row) error) error {
				return importer.CSVWith(context.Background(), strings.NewReader(tt.in), tt.opts, fn)
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %s", err, tt.wantErr)
				}
				if nearby.ErrorCode(err) != nearby.EINVALID {
					t.Errorf("code = %q, want %q", nearby.ErrorCode(err), nearby.EINVALID)
				}
				return
			}
			if err != nil || len(rows) != 1 || rows[0].Err != nil {
				t.Fatalf("rows = %+v, err = %v; want one good row", rows, err)
			}
			if !reflect.DeepEqual(rows[0].Store, tt.wantStore) {
				t.Errorf("store = %+v, want %+v", rows[0].Store, tt.wantStore)
			}
		})
	}
}

func TestCSV_BadQuoteContinues(t *testing.T) {
	in := "name,lat,lng,category\nA,1,2,coffee\nB\"x,1,2,coffee\nC,3,4,coffee\n"
	rows, err := collect(t, func(fn func(importer.Row) error) error {
		return importer.CSV(context.Background(), strings.NewReader(in), fn)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Err != nil || rows[1].Err == nil || rows[2].Err != nil || rows[2].Store.Name != "C" || rows[2].Line != 3 {
		t.Errorf("rows = %+v; want good, bad (row 2), good C (row 3)", rows)
	}
}

func TestCSV_CallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := importer.CSV(context.Background(), strings.NewReader("name,lat,lng,category\nA,1,2,c\nB,1,2,c\n"), func(importer.Row) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err = %v after %d rows; want stop after 1", err, n)
	}
}
