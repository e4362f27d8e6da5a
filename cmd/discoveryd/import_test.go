package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/geo"
)

// sharedData is ../shared/data from the repo root.
var sharedData = filepath.Join("..", "..", "..", "shared", "data")

func needSharedData(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(sharedData, name)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		t.Skip("discoveryd: ../shared/data not present")
	} else if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMain_ImportRealData imports the Starbucks directory through the HTTP
// endpoint and the fast-food list through the CLI, checks the exact row
// counts, and finds the stores through the geo index.
func TestMain_ImportRealData(t *testing.T) {
	starbucks := needSharedData(t, "starbucks_directory.csv")
	fastFood := needSharedData(t, "datafiniti_fast_food_restaurants.csv")
	m := MustRunMain(t, t.TempDir())
	c := clientOf(t, m)
	_, key := newMerchant(c, "Importer")

	t.Run("HTTP", func(t *testing.T) {
		body, err := os.ReadFile(starbucks)
		if err != nil {
			t.Fatal(err)
		}
		q := "?category=coffee&columns=" + strings.NewReplacer(" ", "%20", "=", "%3D", ",", "%2C").Replace(
			"name=Store Name,lat=Latitude,lng=Longitude,address=Street Address,timezone=")
		r := c.doType("POST", "/v1/stores/import"+q, key, "text/csv", string(body))
		if r.Status != 200 {
			t.Fatalf("import status = %d: %s", r.Status, r.Body)
		}
		var got struct {
			Imported int
			Failed   []struct {
				Row    int
				Error  string
				Errors []struct{ Field string }
			}
			FailedCount int `json:"failed_count"`
		}
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatal(err)
		}
		// SOURCES.md: 25,600 rows, one (store 19773-160973) without coordinates.
		if got.Imported != 25599 || got.FailedCount != 1 || len(got.Failed) != 1 {
			t.Fatalf("imported, failed = %d, %d; want 25599, 1", got.Imported, got.FailedCount)
		}
		if f := got.Failed[0]; f.Row < 1 || len(f.Errors) == 0 || f.Errors[0].Field != "lat" {
			t.Errorf("failed row = %+v, want a row number and field lat", f)
		}
	})
	t.Run("CLI", func(t *testing.T) {
		var stdout, stderr strings.Builder
		code := runImport(t.Context(), []string{"--server", "http://" + m.Addr(), "--token", key,
			"--columns", "lat=latitude,lng=longitude", "--category", "fast-food", fastFood}, &stdout, &stderr)
		if code != 0 {
			t.Fatalf("exit code %d: %s", code, stderr.String())
		}
		var got struct {
			Imported    int
			Failed      []any
			FailedCount int `json:"failed_count"`
		}
		if err := json.Unmarshal([]byte(stdout.String()), &got); err != nil {
			t.Fatalf("stdout %q: %v", stdout.String(), err)
		}
		if got.Imported != 10000 || got.FailedCount != 0 || len(got.Failed) != 0 {
			t.Errorf("imported, failed = %d, %d; want 10000, 0 (stdout %s)", got.Imported, got.FailedCount, stdout.String())
		}
		if !strings.Contains(stderr.String(), "imported 10000 rows") {
			t.Errorf("stderr = %q, want a plain summary (not a terminal)", stderr.String())
		}
	})
	t.Run("GeoIndex", func(t *testing.T) {
		if got, want := m.Index.Len(), 25599+10000; got != want {
			t.Errorf("index size = %d, want %d", got, want)
		}
		// The first Starbucks row: "Meritxell, 96", Andorra la Vella, 42.51,1.53.
		hits, err := m.Index.Nearby(geo.Query{Center: geo.Point{Lat: 42.51, Lng: 1.53}, RadiusM: 100, Limit: 10}, nil)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range hits {
			if s, ok := m.Catalog.Store(h.ID); ok && s.Name == "Meritxell, 96" && s.Category == "coffee" {
				found = true
			}
		}
		if !found {
			t.Errorf("no store \"Meritxell, 96\" within 100 m of 42.51,1.53 (hits %v)", hits)
		}
		// A fast-food row: 324 Main St, Massena NY (44.9213,-74.89021).
		hits, _ = m.Index.Nearby(geo.Query{Center: geo.Point{Lat: 44.9213, Lng: -74.89021}, RadiusM: 10, Limit: 10}, nil)
		found = false
		for _, h := range hits {
			if s, ok := m.Catalog.Store(h.ID); ok && s.Address == "324 Main St" {
				found = true
			}
		}
		if !found {
			t.Errorf("no store at 324 Main St, Massena (hits %v)", hits)
		}
	})
}

func TestProgressReader_Draw(t *testing.T) {
	p := &progressReader{r: strings.NewReader(strings.Repeat("x", 1000)), total: 2000}
	if _, err := io.Copy(io.Discard, p); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	p.draw(&out, time.Now().Add(-time.Second))
	if got := out.String(); !strings.HasPrefix(got, "\r[===============               ]  50.0%") {
		t.Errorf("progress line = %q, want a half-full bar at 50.0%%", got)
	}
}
