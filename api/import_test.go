package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
)

// withMerchant makes the fake registry accept merchant key mk_1_secret.
func withMerchant(ts *testServer) string {
	ts.Reg.GetMerchantFn = func(_ context.Context, id uint64) (*nearby.Merchant, error) {
		if id != 1 {
			return nil, nearby.Errorf(nearby.ENOTFOUND, "no merchant")
		}
		return &nearby.Merchant{ID: 1, APIKeyHash: api.HashSecret("secret")}, nil
	}
	return "mk_1_secret"
}

func postCSV(ts *testServer, key, query, body string) *httptest.ResponseRecorder {
	return postImportTo(ts, key, "/v1/stores/import"+query, "text/csv", body)
}

func TestServer_Import(t *testing.T) {
	const csv = "name,lat,lng,category\n" +
		"a,1,1,shop\n" +
		"b,2,2,shop\n" +
		"c,95,3,shop\n" + // row 3: bad lat
		"d,4,4,shop\n" +
		"e,5,5,shop\n"
	t.Run("OK", func(t *testing.T) {
		ts := newTestServer(t, func(c *api.Config) { c.ImportBatch = 2 })
		key := withMerchant(ts)
		var mu sync.Mutex
		var batches [][]string
		next := uint64(100)
		ts.Reg.CreateStoresFn = func(_ context.Context, ss []*nearby.Store) error {
			mu.Lock()
			defer mu.Unlock()
			var names []string
			for _, s := range ss {
				if s.MerchantID != 1 {
					t.Errorf("store %q merchant = %d, want 1", s.Name, s.MerchantID)
				}
				next++
				s.ID = next
				names = append(names, s.Name)
			}
			batches = append(batches, names)
			return nil
		}
		w := postCSV(ts, key, "", csv)
		var got struct {
			Imported int
			Failed   []struct {
				Row    int
				Errors []nearby.FieldError
			}
			FailedCount int `json:"failed_count"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
			t.Fatalf("status %d body %s (%v)", w.Code, w.Body, err)
		}
		if got.Imported != 4 || got.FailedCount != 1 || got.Failed[0].Row != 3 || got.Failed[0].Errors[0].Field != "lat" {
			t.Errorf("result = %+v, want 4 imported and row 3 failed on lat", got)
		}
		if want := "[[a b] [d e]]"; fmtBatches(batches) != want {
			t.Errorf("batches = %v, want %s", fmtBatches(batches), want)
		}
		if st, _, _ := ts.Cat.Counts(); st != 4 {
			t.Errorf("catalog has %d stores, want 4", st)
		}
	})
	t.Run("ErrCommit", func(t *testing.T) {
		ts := newTestServer(t, func(c *api.Config) { c.ImportBatch = 2 })
		key := withMerchant(ts)
		calls := 0
		ts.Reg.CreateStoresFn = func(_ context.Context, ss []*nearby.Store) error {
			calls++
			if calls == 1 {
				for i, s := range ss {
					s.ID = uint64(i + 1)
				}
				return nil
			}
			return errors.New("disk full")
		}
		w := postCSV(ts, key, "", csv+strings.Repeat("f,6,6,shop\n", 10))
		if p := problemOf(t, w); p.Status != 500 {
			t.Errorf("status = %d, want 500", p.Status)
		}
		if calls != 2 {
			t.Errorf("CreateStores called %d times, want 2 (no commit after a failure)", calls)
		}
		if st, _, _ := ts.Cat.Counts(); st != 2 {
			t.Errorf("catalog has %d stores, want the 2 committed", st)
		}
	})
	t.Run("ErrColumns", func(t *testing.T) {
		ts := newTestServer(t, nil)
		p := problemOf(t, postCSV(ts, withMerchant(ts), "?columns=lat", csv))
		if p.Status != 400 || p.Errors[0].Field != "columns" {
			t.Errorf("problem = %+v, want 400 naming columns", p)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		ts := newTestServer(t, func(c *api.Config) { c.MaxImportBytes = 64; c.ImportBatch = 1 })
		key := withMerchant(ts)
		ts.Reg.CreateStoresFn = func(_ context.Context, ss []*nearby.Store) error { ss[0].ID = 1; return nil }
		p := problemOf(t, postCSV(ts, key, "", csv+strings.Repeat("g,7,7,shop\n", 20)))
		if p.Status != 413 {
			t.Errorf("status = %d, want 413", p.Status)
		}
	})
	t.Run("ErrTooLargeKeepsBatch", func(t *testing.T) {
		// The limit falls inside row 4 ("d,4,4,shop"): a and b, in the
		// batch in progress, are committed and the answer counts them.
		ts := newTestServer(t, func(c *api.Config) { c.MaxImportBytes = 64 })
		committed := countingStores(ts)
		p := problemOf(t, postCSV(ts, withMerchant(ts), "", csv))
		if p.Status != 413 || !strings.Contains(p.Detail, "2 rows were imported") {
			t.Errorf("problem = %+v, want 413 saying 2 rows were imported", p)
		}
		if got := strings.Join(committed(), " "); got != "a b" {
			t.Errorf("committed %q, want %q", got, "a b")
		}
	})
}

func fmtBatches(b [][]string) string {
	var parts []string
	for _, names := range b {
		parts = append(parts, "["+strings.Join(names, " ")+"]")
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestServer_ImportGeoJSON(t *testing.T) {
	ts := newTestServer(t, nil)
	key := withMerchant(ts)
	var got []*nearby.Store
	ts.Reg.CreateStoresFn = func(_ context.Context, ss []*nearby.Store) error {
		for i, s := range ss {
			s.ID = uint64(len(got) + i + 1)
		}
		got = append(got, ss...)
		return nil
	}
	body := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","geometry":{"type":"Point","coordinates":[-0.1365,51.5136]},"properties":{"name":"Soho","category":"coffee"}},
	 {"type":"Feature","geometry":{"type":"Point","coordinates":[200,51]},"properties":{"name":"Nowhere","category":"coffee"}},
	 {"type":"Feature","geometry":{"type":"Point","coordinates":[2.35,48.85]},"properties":{"name":"Paris"}}]}`
	req := httptest.NewRequest("POST", "/v1/stores/import?category=bakery", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/geo+json")
	req.Header.Set("Authorization", "Bearer "+key)
	w := httptest.NewRecorder()
	ts.Handler().ServeHTTP(w, req)
	var res struct {
		Imported int
		Failed   []struct {
			Row    int
			Errors []nearby.FieldError
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	if res.Imported != 2 || len(res.Failed) != 1 || res.Failed[0].Errors[0].Field != "lng" {
		t.Errorf("result = %+v, want 2 imported and the second feature failed on lng", res)
	}
	if len(got) != 2 || got[0].Lat != 51.5136 || got[0].Lng != -0.1365 || got[1].Category != "bakery" {
		t.Errorf("stores = %+v %+v, want Soho at 51.5136,-0.1365 and Paris as bakery", got[0], got[1])
	}
}

// importResult is the import answer with the fields a truncated file adds.
type importResult struct {
	Imported int
	Failed   []struct {
		Row   int
		Error string
	}
	FailedCount int `json:"failed_count"`
	Truncated   bool
	Error       *struct {
		Row     int
		Message string
	}
}

// countingStores makes the fake registry accept every batch and returns
// the names committed so far.
func countingStores(ts *testServer) func() []string {
	var mu sync.Mutex
	var names []string
	ts.Reg.CreateStoresFn = func(_ context.Context, ss []*nearby.Store) error {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range ss {
			names = append(names, s.Name)
			s.ID = uint64(len(names))
		}
		return nil
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(names)
	}
}

func postImport(ts *testServer, key, contentType, body string) *httptest.ResponseRecorder {
	return postImportTo(ts, key, "/v1/stores/import", contentType, body)
}

func postImportTo(ts *testServer, key, target, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", target, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+key)
	w := httptest.NewRecorder()
	ts.Handler().ServeHTTP(w, req)
	return w
}

// TestServer_ImportTruncated: a file that breaks partway keeps every good
// row before the break, in the batch in progress too, and says where
// reading stopped.
func TestServer_ImportTruncated(t *testing.T) {
	feature := func(name string, lng float64) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":[` + strconv.FormatFloat(lng, 'f', -1, 64) +
			`,1]},"properties":{"name":"` + name + `","category":"shop"}}`
	}
	const geo, csv = "application/geo+json", "text/csv"
	tests := []struct {
		name, ct, body string
		batch          int
		wantNames      string // committed, in order
		wantFailed     []int
		wantStopRow    int
		wantMessage    string // substring of error.message
	}{
		{"GeoJSONGarbage", geo, `{"type":"FeatureCollection","features":[` + feature("a", 1) + "," + feature("b", 2) + `,{"type":garbage`,
			0, "a b", nil, 3, "feature 3"},
		{"GeoJSONGarbageAfterBatches", geo, `{"type":"FeatureCollection","features":[` + feature("a", 1) + "," + feature("b", 2) + "," +
			feature("c", 3) + "," + feature("bad", 300) + "," + feature("d", 4) + `,]}`, 2, "a b c d", []int{4}, 6, "feature 6"},
		{"GeoJSONNotClosed", geo, `{"type":"FeatureCollection","features":[` + feature("a", 1), 0, "a", nil, 2, ""},
		{"CSVUnterminatedQuote", csv, "name,lat,lng,category\na,1,1,shop\nb,2,2,shop\nc,95,3,shop\nd,\"4,4,shop\ne,5,5,shop\nf,6,6,shop\n",
			0, "a b", []int{3}, 4, "line 5"},
		{"CSVUnterminatedQuoteAfterBatch", csv, "name,lat,lng,category\na,1,1,shop\nb,2,2,shop\nc,3,3,shop\nd,\"4,4,shop\ne,5,5,shop\n",
			2, "a b c", nil, 4, "not closed"},
		{"CSVRecordTooLong", csv, "name,lat,lng,category\na,1,1,shop\nb,\"" + strings.Repeat("x", 70_000) + "\",2,shop\nc,3,3,shop\n",
			0, "a", nil, 2, "row 2 exceeds 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(c *api.Config) {
				if tt.batch > 0 {
					c.ImportBatch = tt.batch
				}
			})
			committed := countingStores(ts)
			w := postImport(ts, withMerchant(ts), tt.ct, tt.body)
			var got importResult
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
				t.Fatalf("status %d body %s (%v), want 200", w.Code, w.Body, err)
			}
			if names := strings.Join(committed(), " "); names != tt.wantNames {
				t.Errorf("committed %q, want %q", names, tt.wantNames)
			}
			if st, _, _ := ts.Cat.Counts(); st != len(strings.Fields(tt.wantNames)) {
				t.Errorf("catalog has %d stores, want %d", st, len(strings.Fields(tt.wantNames)))
			}
			if got.Imported != len(strings.Fields(tt.wantNames)) {
				t.Errorf("imported = %d, want %d", got.Imported, len(strings.Fields(tt.wantNames)))
			}
			var failed []int
			for _, f := range got.Failed {
				failed = append(failed, f.Row)
			}
			if !slices.Equal(failed, tt.wantFailed) || got.FailedCount != len(tt.wantFailed) {
				t.Errorf("failed rows = %v (count %d), want %v", failed, got.FailedCount, tt.wantFailed)
			}
			if !got.Truncated || got.Error == nil {
				t.Fatalf("truncated = %v, error = %v; want the stop reported (body %s)", got.Truncated, got.Error, w.Body)
			}
			if got.Error.Row != tt.wantStopRow || !strings.Contains(got.Error.Message, tt.wantMessage) {
				t.Errorf("error = %+v, want row %d and a message with %q", *got.Error, tt.wantStopRow, tt.wantMessage)
			}
			// Exact counts: every row before the stop is imported or failed.
			if n := got.Imported + got.FailedCount; n != tt.wantStopRow-1 {
				t.Errorf("imported + failed = %d, want %d (the rows before %d)", n, tt.wantStopRow-1, tt.wantStopRow)
			}
		})
	}
}

// TestServer_ImportUnreadable: a file of which nothing can be read is still
// a 400, and nothing is committed.
func TestServer_ImportUnreadable(t *testing.T) {
	tests := []struct{ name, ct, body, wantField string }{
		{"NoHeader", "text/csv", "", "header"},
		{"HeaderTooLong", "text/csv", "name,lat,lng,category," + strings.Repeat("x", 70_000) + "\na,1,1,shop\n", "header"},
		{"NotCollection", "application/geo+json", `{"type":"Feature"}`, "body"},
		{"GarbageFirst", "application/geo+json", `{"type":"FeatureCollection","features":[{"type":garbage`, "body"},
		{"CSVFirstRowNotClosed", "text/csv", "name,lat,lng,category\na,\"1,1,shop\nb,2,2,shop\n", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, nil)
			committed := countingStores(ts)
			p := problemOf(t, postImport(ts, withMerchant(ts), tt.ct, tt.body))
			if p.Status != 400 || len(p.Errors) == 0 || p.Errors[0].Field != tt.wantField {
				t.Errorf("problem = %+v, want 400 naming %s", p, tt.wantField)
			}
			if n := len(committed()); n != 0 {
				t.Errorf("%d stores committed, want none", n)
			}
		})
	}
}

// TestServer_ImportClientGone: a client that goes away mid-import is a
// 499 (logged as such, counted as such, answered with nothing), not a 500
// and not a 400 for a "malformed" file: the batches committed before stay.
func TestServer_ImportClientGone(t *testing.T) {
	tests := []struct {
		name string
		stop func(pw *io.PipeWriter, cancel context.CancelFunc)
	}{
		// net/http cancels the request's context when the connection
		// drops, and the body's next read fails.
		{"BodyBroken", func(pw *io.PipeWriter, cancel context.CancelFunc) {
			cancel()
			pw.CloseWithError(io.ErrUnexpectedEOF)
		}},
		// The body still flows; the importer sees the cancelled context.
		{"ContextSeen", func(pw *io.PipeWriter, cancel context.CancelFunc) {
			cancel()
			for {
				if _, err := io.WriteString(pw, "x,1,1,shop\n"); err != nil {
					return
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServerLogging(t, func(c *api.Config) { c.ImportBatch = 2 }, nil, jsonLogs)
			key := withMerchant(ts)
			committed := make(chan struct{}, 1)
			var next atomic.Uint64
			ts.Reg.CreateStoresFn = func(_ context.Context, ss []*nearby.Store) error {
				for _, s := range ss {
					s.ID = next.Add(1)
				}
				select {
				case committed <- struct{}{}:
				default:
				}
				return nil
			}
			pr, pw := io.Pipe()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			req := httptest.NewRequest("POST", "/v1/stores/import", pr).WithContext(ctx)
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set("Authorization", "Bearer "+key)
			w := httptest.NewRecorder()
			done := make(chan struct{})
			go func() {
				defer close(done)
				ts.Handler().ServeHTTP(w, req)
			}()
			if _, err := io.WriteString(pw, "name,lat,lng,category\na,1,1,shop\nb,2,2,shop\nc,3,3,shop\n"); err != nil {
				t.Fatal(err)
			}
			<-committed // mid-body, with a batch in
			go tt.stop(pw, cancel)
			<-done
			pr.Close() // ends a writer still going
			checkClientClosed(t, ts, ts.Logs.String(), "POST", "/v1/stores/import", "INFO", w)
			if st, _, _ := ts.Cat.Counts(); st < 2 {
				t.Errorf("catalog has %d stores, want the committed batch's 2", st)
			}
		})
	}
}

// TestServer_ImportClientGoneHTTP is TestServer_ImportClientGone over a
// real connection that the client drops: net/http's own body error and
// cancellation, and the connection closed without an answer.
func TestServer_ImportClientGoneHTTP(t *testing.T) {
	var logs syncBuffer
	ts := newTestServerLogging(t, func(c *api.Config) { c.ImportBatch = 2 }, nil,
		func(io.Writer) slog.Handler { return jsonLogs(&logs) })
	key := withMerchant(ts)
	committed := make(chan struct{}, 1)
	var next atomic.Uint64
	ts.Reg.CreateStoresFn = func(_ context.Context, ss []*nearby.Store) error {
		for _, s := range ss {
			s.ID = next.Add(1)
		}
		select {
		case committed <- struct{}{}:
		default:
		}
		return nil
	}
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()

	pr, pw := io.Pipe()
	defer pr.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/stores/import", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+key)
	errc := make(chan error, 1)
	go func() {
		res, err := srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
			err = fmt.Errorf("answered %s", res.Status)
		}
		errc <- err
	}()
	if _, err := io.WriteString(pw, "name,lat,lng,category\na,1,1,shop\nb,2,2,shop\nc,3,3,shop\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-committed:
	case <-time.After(10 * time.Second):
		t.Fatal("no batch committed after 10 s")
	}
	// The client goes away: its transport closes the connection, and its
	// body stops.
	cancel()
	pw.CloseWithError(errors.New("client gone"))
	if err := <-errc; err == nil || strings.HasPrefix(err.Error(), "answered") {
		t.Fatalf("client: %v, want no answer", err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), `"status":499`); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no 499 access record after 10 s; logs:\n%s", logs.String())
		}
	}
	checkClientClosed(t, ts, logs.String(), "POST", "/v1/stores/import", "INFO", httptest.NewRecorder())
}
