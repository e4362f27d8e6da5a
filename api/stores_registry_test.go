package api_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
)

// failingCatalog is a real catalog whose PutStore fails after the commit.
type failingCatalog struct {
	*catalog.Catalog
}

func (failingCatalog) PutStore(s *nearby.Store) error {
	return errors.New("catalog: injected failure")
}

func TestServer_DeleteStore(t *testing.T) {
	t.Run("RefreshesOnlyChangedPrograms", func(t *testing.T) {
		ts := newTestServer(t, nil)
		key, cat, fake := withMerchant(ts), ts.Cat, ts.Reg
		for _, st := range []*nearby.Store{
			{ID: 1, MerchantID: 1, Name: "a", Lat: 1, Lng: 1, Category: "coffee"},
			{ID: 2, MerchantID: 1, Name: "b", Lat: 1, Lng: 1.001, Category: "coffee"},
		} {
			if err := cat.PutStore(st); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []*nearby.Program{
			{ID: 10, MerchantID: 1, Name: "only", Category: "coffee", StoreIDs: []uint64{1}},
			{ID: 11, MerchantID: 1, Name: "both", Category: "coffee", StoreIDs: []uint64{1, 2}},
			{ID: 12, MerchantID: 1, Name: "other", Category: "coffee", StoreIDs: []uint64{2}},
		} {
			cat.PutProgram(p)
		}
		fake.ListProgramsFn = func(context.Context, uint64, uint64, int) ([]*nearby.Program, error) {
			t.Error("ListPrograms called: the delete must not reload the merchant's programs")
			return nil, nil
		}
		fake.DeleteStoreChangedFn = func(_ context.Context, mid, id uint64) ([]*nearby.Program, error) {
			if mid != 1 || id != 1 {
				t.Errorf("DeleteStoreChanged(%d, %d), want (1, 1)", mid, id)
			}
			return []*nearby.Program{
				{ID: 10, MerchantID: 1, Name: "only", Category: "coffee", StoreIDs: []uint64{}},
				{ID: 11, MerchantID: 1, Name: "both", Category: "coffee", StoreIDs: []uint64{2}},
			}, nil
		}
		w := ts.serve("DELETE", "/v1/stores/st_1", key, "")
		if w.Code != 204 {
			t.Fatalf("status = %d, want 204 (body %s)", w.Code, w.Body)
		}
		if _, ok := cat.Store(1); ok {
			t.Error("store 1 still in the catalog")
		}
		for id, want := range map[uint64][]uint64{10: {}, 11: {2}, 12: {2}} {
			p, ok := cat.Program(id)
			if !ok {
				t.Errorf("program %d missing from the catalog", id)
				continue
			}
			if got := p.StoreIDs; len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				t.Errorf("program %d StoreIDs = %v, want %v", id, got, want)
			}
		}
	})
	t.Run("ErrConflictLeavesCatalog", func(t *testing.T) {
		ts := newTestServer(t, nil)
		key, cat, fake := withMerchant(ts), ts.Cat, ts.Reg
		if err := cat.PutStore(&nearby.Store{ID: 1, MerchantID: 1, Name: "a", Lat: 1, Lng: 1, Category: "coffee"}); err != nil {
			t.Fatal(err)
		}
		fake.DeleteStoreChangedFn = func(context.Context, uint64, uint64) ([]*nearby.Program, error) {
			return nil, nearby.Errorf(nearby.ECONFLICT, "has beacons")
		}
		if w := ts.serve("DELETE", "/v1/stores/st_1", key, ""); w.Code != 409 {
			t.Fatalf("status = %d, want 409 (body %s)", w.Code, w.Body)
		}
		if _, ok := cat.Store(1); !ok {
			t.Error("store 1 left the catalog although the delete was refused")
		}
	})
}

// wantAfterCommitLog checks the error-level line of a catalog failure
// after a commit, tied to the request.
func wantAfterCommitLog(t *testing.T, logs *bytes.Buffer, w *httptest.ResponseRecorder, id string) {
	t.Helper()
	got := logs.String()
	for _, want := range []string{"level=ERROR", "catalog update failed after commit",
		"request_id=" + w.Header().Get("X-Request-Id"), "id=" + id} {
		if !strings.Contains(got, want) {
			t.Errorf("logs = %q, want them to contain %q", got, want)
		}
	}
}

func TestServer_StoreCatalogFailureAfterCommit(t *testing.T) {
	const body = `{"name":"a","lat":1,"lng":2,"category":"coffee"}`
	tests := []struct {
		name, method, target string
		want                 int
	}{
		{"Create", "POST", "/v1/stores", 201},
		{"Update", "PUT", "/v1/stores/st_7", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServerOver(t, nil, func(c *catalog.Catalog) discovery.Catalog { return failingCatalog{c} })
			key, fake := withMerchant(ts), ts.Reg
			commits := 0
			fake.CreateStoreFn = func(_ context.Context, s *nearby.Store) error { commits++; s.ID = 7; return nil }
			fake.GetStoreFn = func(context.Context, uint64, uint64) (*nearby.Store, error) {
				return &nearby.Store{ID: 7, MerchantID: 1}, nil
			}
			fake.UpdateStoreFn = func(context.Context, *nearby.Store) error { commits++; return nil }
			w := ts.serve(tt.method, tt.target, key, body)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d (body %s)", w.Code, tt.want, w.Body)
			}
			if commits != 1 {
				t.Errorf("commits = %d, want 1", commits)
			}
			if !strings.Contains(w.Body.String(), `"id":"st_7"`) {
				t.Errorf("body = %s, want the committed store st_7", w.Body)
			}
			wantAfterCommitLog(t, ts.Logs, w, "st_7")
		})
	}
}

func TestServer_StoreBadLocationRefusedBeforeCommit(t *testing.T) {
	// The catalog's geo index refuses what Store.Validate refuses, so a bad
	// location is a 400 before the commit, never a catalog failure after.
	for _, body := range []string{
		`{"name":"a","lat":91,"lng":2,"category":"coffee"}`,
		`{"name":"a","lat":1,"lng":-180.5,"category":"coffee"}`,
	} {
		ts := newTestServer(t, nil)
		key, fake := withMerchant(ts), ts.Reg
		fake.CreateStoreFn = func(context.Context, *nearby.Store) error {
			t.Errorf("CreateStore called for %s", body)
			return nil
		}
		if w := ts.serve("POST", "/v1/stores", key, body); w.Code != 400 {
			t.Errorf("POST %s: status = %d, want 400", body, w.Code)
		}
	}
}
