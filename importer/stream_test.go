package importer_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/nearby-dev/nearby/importer"
)

// genReader produces a file of n rows lazily, so that the test itself never
// holds the file: header, then rows from row(i), then footer.
type genReader struct {
	header, footer string
	row            func(i int) string
	n, i           int
	buf            []byte
	done           bool
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.done:
			return 0, io.EOF
		case g.i == 0 && g.header != "":
			g.buf = append(g.buf, g.header...)
			g.header = ""
		case g.i < g.n:
			g.buf = append(g.buf, g.row(g.i)...)
			g.i++
		default:
			g.buf = append(g.buf, g.footer...)
			g.done = true
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func csvGen(n int) io.Reader {
	return &genReader{
		header: "name,lat,lng,category,address,tags\n", n: n,
		row: func(i int) string {
			return fmt.Sprintf("Store %d,%.5f,%.5f,coffee,%d Long Street Name,wifi;takeaway\n", i, float64(i%170)-85, float64(i%360)-180, i)
		},
	}
}

func geojsonGen(n int) io.Reader {
	return &genReader{
		header: `{"type":"FeatureCollection","features":[`, footer: "]}", n: n,
		row: func(i int) string {
			sep := ","
			if i == 0 {
				sep = ""
			}
			return fmt.Sprintf(`%s{"type":"Feature","geometry":{"type":"Point","coordinates":[%.5f,%.5f]},"properties":{"name":"Store %d","category":"coffee","tags":["wifi"]}}`,
				sep, float64(i%360)-180, float64(i%170)-85, i)
		},
	}
}

// TestStream parses a generated file and checks that the heap does not grow
// with it. 200,000 rows (a 13 MB CSV) by default, 20,000 with -short or
// -race;
// NEARBY_IMPORT_ROWS=1000000 for the million-row check.
func TestStream(t *testing.T) {
	n := 200_000
	if testing.Short() || raceEnabled {
		n = 20_000
	}
	if v, err := strconv.Atoi(os.Getenv("NEARBY_IMPORT_ROWS")); err == nil && v > 0 {
		n = v
	}
	for _, tt := range []struct {
		name  string
		gen   func(int) io.Reader
		parse func(context.Context, io.Reader, func(importer.Row) error) error
	}{
		{"CSV", csvGen, importer.CSV},
		{"GeoJSON", geojsonGen, importer.GeoJSON},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			var peak uint64
			good := 0
			err := tt.parse(context.Background(), tt.gen(n), func(r importer.Row) error {
				if r.Err != nil {
					t.Fatalf("row %d: %v", r.Line, r.Err)
				}
				good++
				if good%10000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if good != n {
				t.Errorf("rows = %d, want %d", good, n)
			}
			growth := int64(peak) - int64(base)
			t.Logf("%d rows, heap growth at most %d KB", n, growth>>10)
			// Garbage between GCs is bounded by GOGC, not by the file: a
			// few MB whatever n is. Holding the file (13 MB at 200,000 rows)
			// or its stores (over 40 MB) would break the limit.
			if limit := int64(12 << 20); growth > limit {
				t.Errorf("heap grew by %d MB, want under %d MB", growth>>20, limit>>20)
			}
		})
	}
}

func BenchmarkCSV(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		if err := importer.CSV(context.Background(), csvGen(n), func(importer.Row) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkGeoJSON(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		if err := importer.GeoJSON(context.Background(), geojsonGen(n), func(importer.Row) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
