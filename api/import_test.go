package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

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
	req := httptest.NewRequest("POST", "/v1/stores/import"+query, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+key)
	w := httptest.NewRecorder()
	ts.Handler().ServeHTTP(w, req)
	return w
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
