package importer_test

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/importer"
)

// rowSummary is "name" for a good row, "!" + error field for a bad one.
func rowSummary(rows []importer.Row) []string {
	var out []string
	for _, r := range rows {
		if r.Err != nil {
			out = append(out, "!"+fieldOf(r.Err))
		} else {
			out = append(out, r.Store.Name)
		}
	}
	return out
}

// checkStop checks what a parser streamed (rows, by rowSummary joined by
// spaces) and how it ended (stopOf), and that a stop came after exactly
// the rows before it.
func checkStop(t *testing.T, rows []importer.Row, err error, want string, wantRow int, wantMsg string) {
	t.Helper()
	if got := strings.Join(rowSummary(rows), " "); got != want {
		t.Errorf("rows = %q, want %q", got, want)
	}
	stopOf(t, err, wantRow, wantMsg)
	if wantRow > 0 && len(rows) != wantRow-1 {
		t.Errorf("%d rows streamed before the stop at row %d, want %d", len(rows), wantRow, wantRow-1)
	}
}

// stopOf checks err: nil when wantRow is 0, else an EINVALID *StopError
// at wantRow whose message contains wantMsg.
func stopOf(t *testing.T, err error, wantRow int, wantMsg string) {
	t.Helper()
	if wantRow == 0 {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	var se *importer.StopError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *StopError at row %d", err, wantRow)
	}
	if se.Row != wantRow || !strings.Contains(nearby.ErrorMessage(err), wantMsg) || nearby.ErrorCode(err) != nearby.EINVALID {
		t.Errorf("stop = row %d %q (%s), want row %d, EINVALID, a message with %q", se.Row, nearby.ErrorMessage(err), nearby.ErrorCode(err), wantRow, wantMsg)
	}
}

func TestCSVWith_Stop(t *testing.T) {
	const head = "name,lat,lng,category\n"
	pad := func(name string, n int) string { // a row of exactly n bytes
		return name + strings.Repeat("x", n-len(name)-len(",1,1,shop\n")) + ",1,1,shop\n"
	}
	tests := []struct {
		name, in string
		max      int
		want     string // rowSummary joined by spaces
		wantRow  int    // StopError.Row; 0 for no error
		wantMsg  string
	}{
		{"UnterminatedQuoteToEnd", head + "a,1,1,shop\nb,\"2,2,shop\nc,3,3,shop\nd,4,4,shop\n", 0, "a", 2, "opened on line 3 is not closed"},
		{"UnterminatedQuoteLastLine", head + "a,1,1,shop\nb,\"2,2,shop\n", 0, "a !row", 0, ""},
		{"QuoteClosedBadlyLater", head + "a,1,1,shop\nb,\"2,2\nshop\"x,1\nc,3,3,shop\n", 0, "a !row c", 0, ""},
		{"TooLong", head + "a,1,1,shop\nb,95,2,shop\nc,\"" + strings.Repeat("y", 200) + "\",3,shop\nd,4,4,shop\n", 64, "a !lat", 3, "row 3 exceeds 64 bytes"},
		{"TooLongLines", head + "a,1,1,shop\nb,\"" + strings.Repeat("y\n", 100) + "\",3,shop\nd,4,4,shop\n", 64, "a", 2, "row 2 exceeds 64 bytes"},
		{"TooLongBadQuoteToo", head + "a,1,1,shop\nb\"" + strings.Repeat("y", 100) + ",3,3,shop\nd,4,4,shop\n", 64, "a", 2, "row 2 exceeds 64 bytes"},
		{"ExactlyMax", head + pad("a", 40) + pad("b", 40), 40, "a" + strings.Repeat("x", 29) + " b" + strings.Repeat("x", 29), 0, ""},
		{"ExactlyMaxNoNewline", head + strings.TrimSuffix(pad("a", 41), "\n"), 40, "a" + strings.Repeat("x", 30), 0, ""},
		{"OneOverMax", head + pad("a", 40) + pad("b", 41) + pad("c", 40), 40, "a" + strings.Repeat("x", 29), 2, "row 2 exceeds 40 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := collect(t, func(fn func(importer.Row) error) error {
				return importer.CSVWith(context.Background(), strings.NewReader(tt.in), importer.CSVOptions{MaxRecordBytes: tt.max}, fn)
			})
			checkStop(t, rows, err, tt.want, tt.wantRow, tt.wantMsg)
		})
	}
	t.Run("ErrHeaderTooLong", func(t *testing.T) {
		err := importer.CSVWith(context.Background(), strings.NewReader("name,lat,lng,category,"+strings.Repeat("z", 100)+"\n"),
			importer.CSVOptions{MaxRecordBytes: 64}, func(importer.Row) error { return nil })
		var se *importer.StopError
		if fieldOf(err) != "header" || errors.As(err, &se) {
			t.Errorf("err = %v, want an invalid header (not a StopError)", err)
		}
	})
}

func TestGeoJSONWith_Stop(t *testing.T) {
	point := func(name string) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":[2,1]},"properties":{"name":"` + name + `","category":"c"}}`
	}
	const head = `{"type":"FeatureCollection","features":[`
	tests := []struct {
		name, in string
		max      int
		want     string
		wantRow  int
		wantMsg  string
	}{
		{"Garbage", head + point("a") + "," + point("b") + `,{"type":garbage`, 0, "a b", 3, "bad JSON in feature 3"},
		{"NotClosed", head + point("a") + "," + point("b"), 0, "a b", 3, "after the features"},
		{"TypeAfter", `{"features":[` + point("a") + `],"type":"Point"}`, 0, "a", 2, `type is "Point"`},
		{"TooLong", head + point("a") + "," + point(strings.Repeat("y", 300)) + "," + point("c") + "]}", 200, "a", 2, "feature 2 exceeds 200 bytes"},
		{"TooLongSpace", head + point("a") + strings.Repeat(" ", 300) + "," + point("c") + "]}", 200, "a", 2, "feature 2 exceeds 200 bytes"},
		{"UnderMax", head + point("a") + "," + point(strings.Repeat("y", 80)) + "]}", 200, "a " + strings.Repeat("y", 80), 0, ""},
		{"BigMemberSkipped", `{"type":"FeatureCollection","bbox":[` + strings.Repeat("1,", 1000) + `1],"features":[` + point("a") + "]}", 200, "a", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := collect(t, func(fn func(importer.Row) error) error {
				return importer.GeoJSONWith(context.Background(), strings.NewReader(tt.in), importer.GeoJSONOptions{MaxRecordBytes: tt.max}, fn)
			})
			checkStop(t, rows, err, tt.want, tt.wantRow, tt.wantMsg)
		})
	}
	for _, tt := range []struct{ name, in string }{
		{"ErrFirstTooLong", head + point(strings.Repeat("y", 300)) + "]}"},
		{"ErrMemberTooLong", `{"type":"FeatureCollection","name":"` + strings.Repeat("y", 300) + `","features":[]}`},
		{"ErrFirstGarbage", head + `{"type":garbage`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := importer.GeoJSONWith(context.Background(), strings.NewReader(tt.in), importer.GeoJSONOptions{MaxRecordBytes: 200},
				func(importer.Row) error { return nil })
			var se *importer.StopError
			if nearby.ErrorCode(err) != nearby.EINVALID || errors.As(err, &se) {
				t.Errorf("err = %v, want EINVALID and not a StopError (no row was read)", err)
			}
		})
	}
}

// repeatReader yields n copies of b without holding them.
type repeatReader struct {
	b string
	n int
	i int // offset in b
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:], r.b[r.i:])
		k += c
		r.i += c
		if r.i == len(r.b) {
			r.i = 0
			r.n--
		}
	}
	return k, nil
}

// TestMaxRecordBytes_Memory: a 10 MB body whose second row opens a quote
// that never closes (or a feature with a 10 MB string) costs the parser
// about the cap, not the body: the row is reported and the rest unread.
func TestMaxRecordBytes_Memory(t *testing.T) {
	const size = 10 << 20
	tests := []struct {
		name    string
		body    func() io.Reader
		parse   func(io.Reader, func(importer.Row) error) error
		wantMsg string
	}{
		{"CSV", func() io.Reader {
			return io.MultiReader(strings.NewReader("name,lat,lng,category\na,1,1,shop\nb,\""), &repeatReader{b: "c,3,3,shop\n", n: size / 11})
		}, func(r io.Reader, fn func(importer.Row) error) error {
			return importer.CSV(context.Background(), r, fn)
		}, "row 2 exceeds 65536 bytes"},
		{"GeoJSON", func() io.Reader {
			return io.MultiReader(strings.NewReader(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,1]},"properties":{"name":"a","category":"c"}},{"type":"Feature","properties":{"name":"`),
				&repeatReader{b: "y", n: size}, strings.NewReader(`"}}]}`))
		}, func(r io.Reader, fn func(importer.Row) error) error {
			return importer.GeoJSON(context.Background(), r, fn)
		}, "feature 2 exceeds 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body()
			good := 0
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := tt.parse(body, func(r importer.Row) error {
				if r.Err == nil {
					good++
				}
				return nil
			})
			runtime.ReadMemStats(&after)
			stopOf(t, err, 2, tt.wantMsg)
			if good != 1 {
				t.Errorf("good rows = %d, want 1", good)
			}
			// The cap is 64 KiB; buffers grow by doubling, so a few
			// hundred KB at most. Holding the record would take 10 MB+.
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d KB for a %d MB body", alloc>>10, size>>20)
			if limit := uint64(1 << 20); alloc > limit {
				t.Errorf("allocated %d KB, want under %d KB", alloc>>10, limit>>10)
			}
		})
	}
}
