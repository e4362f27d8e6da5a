package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
)

// newFakeServer is an api.Server over the small fakes, with merchant 1's
// key "mk_1_secret".
func newFakeServer(t *testing.T) (*api.Server, *fakes) {
	t.Helper()
	f := &fakes{status: fakeStatus{index: 7}}
	f.merchants.GetMerchantFn = func(_ context.Context, id uint64) (*nearby.Merchant, error) {
		if id != 1 {
			return nil, nearby.Errorf(nearby.ENOTFOUND, "no merchant")
		}
		return &nearby.Merchant{ID: 1, APIKeyHash: api.HashSecret("secret")}, nil
	}
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = adminToken, 0
	srv, err := api.New(cfg, f.deps())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.SetReady(true)
	return srv, f
}

// TestHandlers_OverFakes checks that each handler decodes its request,
// hands the service exactly what it was asked, and encodes the answer.
func TestHandlers_OverFakes(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		fake                       func(t *testing.T, f *fakes)
		want                       int
		wantBody                   string
	}{
		{"CreateStore", "POST", "/v1/stores", `{"name":"a","lat":1,"lng":2,"category":"coffee"}`, func(t *testing.T, f *fakes) {
			f.stores.CreateStoreFn = func(_ context.Context, st *nearby.Store) error {
				if st.MerchantID != 1 || st.Name != "a" || st.Lat != 1 || st.Lng != 2 {
					t.Errorf("CreateStore got %+v", st)
				}
				st.ID = 5
				return nil
			}
		}, 201, `"id":"st_5"`},
		{"UpdateStoreEditsTheCurrent", "PUT", "/v1/stores/st_5", `{"name":"b","lat":1,"lng":2,"category":"coffee"}`, func(t *testing.T, f *fakes) {
			f.stores.UpdateStoreFn = func(_ context.Context, mid, id uint64, edit func(*nearby.Store) error) (*nearby.Store, error) {
				st := &nearby.Store{ID: id, MerchantID: mid, Address: "kept?"}
				if err := edit(st); err != nil {
					return nil, err
				}
				return st, nil
			}
		}, 200, `"name":"b"`},
		{"UpdateStoreInvalid", "PUT", "/v1/stores/st_5", `{"name":"b","lat":91,"lng":2,"category":"coffee"}`, func(t *testing.T, f *fakes) {
			f.stores.UpdateStoreFn = func(_ context.Context, mid, id uint64, edit func(*nearby.Store) error) (*nearby.Store, error) {
				return nil, edit(&nearby.Store{ID: id, MerchantID: mid})
			}
		}, 400, `"field":"lat"`},
		{"DeleteStoreConflict", "DELETE", "/v1/stores/st_5", "", func(t *testing.T, f *fakes) {
			f.stores.DeleteStoreFn = func(context.Context, uint64, uint64) error {
				return nearby.Errorf(nearby.ECONFLICT, "store has beacons")
			}
		}, 409, `store has beacons`},
		{"DeleteProgram", "DELETE", "/v1/programs/pg_3", "", func(t *testing.T, f *fakes) {
			f.programs.DeleteProgramFn = func(_ context.Context, mid, id uint64) error {
				if mid != 1 || id != 3 {
					t.Errorf("DeleteProgram(%d, %d), want (1, 3)", mid, id)
				}
				return nil
			}
		}, 204, ""},
		{"Heatmap", "GET", "/v1/stats/heatmap?min_lat=1&min_lng=2&max_lat=3&max_lng=4&res=6", "", func(t *testing.T, f *fakes) {
			f.stats.HeatmapFn = func(_ context.Context, q discovery.HeatmapQuery) ([]discovery.HeatCell, error) {
				if q.MerchantID != 1 || q.Res != 6 || q.Bounds.MaxLng != 4 || q.MaxStores != api.DefaultMaxHeatmap {
					t.Errorf("Heatmap got %+v", q)
				}
				return []discovery.HeatCell{{Cell: "86195da4fffffff", Count: ptrTo(int64(9)), Stores: 2}}, nil
			}
		}, 200, `"cells":[{"cell":"86195da4fffffff","count":9,"stores":2}]`},
		{"ShakeByLocation", "POST", "/v1/shake", `{"device_id":"p","lat":1,"lng":2}`, func(t *testing.T, f *fakes) {
			f.phones.ShakeFn = func(_ context.Context, req discovery.ShakeRequest) (discovery.ShakeResult, error) {
				if req.DeviceID != "p" || *req.Lat != 1 || *req.Lng != 2 {
					t.Errorf("Shake got %+v", req)
				}
				return discovery.ShakeResult{By: discovery.ShakeByLocation, Shake: &nearby.Shake{Ticket: "t-1"},
					Nearby: &catalog.NearbyResult{Store: &nearby.Store{ID: 4, Name: "s"}, Program: &nearby.Program{ID: 8}, DistanceM: 12}}, nil
			}
		}, 200, `"fallback":"location"`},
		{"Healthz", "GET", "/healthz", "", nil, 200, `"stores":7`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, f := newFakeServer(t)
			if tt.fake != nil {
				tt.fake(t, f)
			}
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Authorization", "Bearer mk_1_secret")
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, req)
			if w.Code != tt.want || !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s = %d %s; want %d containing %s", tt.method, tt.target, w.Code, w.Body, tt.want, tt.wantBody)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
