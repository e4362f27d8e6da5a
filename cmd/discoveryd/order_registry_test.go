package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/store"
)

// jitterCatalog is the real catalog with a random pause before each write
// hook, so a handler that let its catalog update drift from its commit
// order would be caught often, not once in a blue moon.
type jitterCatalog struct {
	*catalog.Catalog
}

func jitter() { time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond) }

func (c jitterCatalog) PutStore(s *nearby.Store) error { jitter(); return c.Catalog.PutStore(s) }
func (c jitterCatalog) DeleteStore(id uint64)          { jitter(); c.Catalog.DeleteStore(id) }
func (c jitterCatalog) PutProgram(p *nearby.Program)   { jitter(); c.Catalog.PutProgram(p) }
func (c jitterCatalog) DeleteProgram(id uint64)        { jitter(); c.Catalog.DeleteProgram(id) }
func (c jitterCatalog) PutBeacon(b *nearby.Beacon)     { jitter(); c.Catalog.PutBeacon(b) }
func (c jitterCatalog) DeleteBeacon(id uint64)         { jitter(); c.Catalog.DeleteBeacon(id) }

// orderFixture is a real store, catalog and api server with one merchant.
type orderFixture struct {
	db  *store.DB
	ix  *geo.Index
	cat *catalog.Catalog
	srv *api.Server
	key string
	mid uint64
}

func newOrderFixture(t *testing.T) *orderFixture {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), DBFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := &nearby.Merchant{Name: "m", APIKeyHash: api.HashSecret("secret")}
	if err := db.CreateMerchant(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	f := &orderFixture{db: db, ix: geo.New(), mid: m.ID, key: fmt.Sprintf("mk_%x_secret", m.ID)}
	f.cat = catalog.New(f.ix, nil)
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = testAdminToken, 0
	// Wired by hand rather than with daemon.Open, to put the jitter
	// between the service and the catalog.
	svc, err := discovery.New(db, jitterCatalog{f.cat}, f.ix, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.srv, err = api.New(cfg, api.ServiceDeps(svc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	f.srv.SetReady(true)
	return f
}

// send makes one request; the status is returned for the test to judge
// (a DELETE racing a PUT may rightly answer 404 to either).
func (f *orderFixture) send(method, target, body string) (int, string) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+f.key)
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

// create POSTs body to the collection path (e.g. /v1/stores), fails
// unless the answer is 201, and returns the new record's id from it.
func (f *orderFixture) create(t *testing.T, path, kind, body string) uint64 {
	t.Helper()
	code, resp := f.send("POST", path, body)
	if code != 201 {
		t.Fatalf("create %s: %d %s", path, code, resp)
	}
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(resp), &v); err != nil {
		t.Fatalf("create %s: %v in %s", path, err, resp)
	}
	id, err := nearby.ParseID(kind, "id", v.ID)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	return id
}

// race runs the requests at once and fails on any error answer but 404
// (the DELETE came first).
func (f *orderFixture) race(t *testing.T, reqs [][3]string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, r := range reqs {
		wg.Go(func() {
			code, body := f.send(r[0], r[1], r[2])
			if code >= 300 && code != 404 {
				t.Errorf("%s %s: status %d: %s", r[0], r[1], code, body)
			}
		})
	}
	wg.Wait()
}

func storeBody(name string, lat, lng float64) string {
	return fmt.Sprintf(`{"name":%q,"lat":%v,"lng":%v,"category":"coffee"}`, name, lat, lng)
}

// TestServer_RegistryWriteOrder races PUTs and a DELETE of one record
// through the real store and checks that the catalog (and its geo index)
// ends up agreeing with the committed record.
func TestServer_RegistryWriteOrder(t *testing.T) {
	rounds := 100
	if testing.Short() {
		rounds = 20
	}
	ctx := context.Background()
	t.Run("Store", func(t *testing.T) {
		f := newOrderFixture(t)
		for i := range rounds {
			id := f.create(t, "/v1/stores", nearby.KindStore, storeBody("s", 1, 1))
			path := "/v1/stores/" + nearby.FormatID(nearby.KindStore, id)
			reqs := [][3]string{
				{"PUT", path, storeBody("a", 10, 10)},
				{"PUT", path, storeBody("b", 20, 20)},
			}
			if i%2 == 0 {
				reqs = append(reqs, [3]string{"DELETE", path, ""})
			}
			f.race(t, reqs)
			got, inCat := f.cat.Store(id)
			pt, inIx := f.ix.Get(id)
			want, err := f.db.GetStore(ctx, f.mid, id)
			switch {
			case err != nil:
				if inCat || inIx {
					t.Fatalf("round %d: store %d deleted, but in catalog %v, in index %v", i, id, inCat, inIx)
				}
			case !inCat || !inIx:
				t.Fatalf("round %d: store %d committed as %q, but in catalog %v, in index %v", i, id, want.Name, inCat, inIx)
			case got.Name != want.Name || pt != (geo.Point{Lat: want.Lat, Lng: want.Lng}):
				t.Fatalf("round %d: catalog store %q at %v, want %q at %v,%v", i, got.Name, pt, want.Name, want.Lat, want.Lng)
			}
		}
	})
	t.Run("Program", func(t *testing.T) {
		f := newOrderFixture(t)
		var stores []string
		for range 3 {
			id := f.create(t, "/v1/stores", nearby.KindStore, storeBody("s", 1, 1))
			stores = append(stores, nearby.FormatID(nearby.KindStore, id))
		}
		prog := func(name string, sids ...string) string {
			return fmt.Sprintf(`{"app_id":"wx1","name":%q,"category":"coffee","store_ids":["%s"]}`, name, strings.Join(sids, `","`))
		}
		for i := range rounds {
			id := f.create(t, "/v1/programs", nearby.KindProgram, prog("p", stores[0]))
			path := "/v1/programs/" + nearby.FormatID(nearby.KindProgram, id)
			reqs := [][3]string{
				{"PUT", path, prog("a", stores[1])},
				{"PUT", path, prog("b", stores[2], stores[0])},
			}
			if i%2 == 0 {
				reqs = append(reqs, [3]string{"DELETE", path, ""})
			}
			f.race(t, reqs)
			got, inCat := f.cat.Program(id)
			want, err := f.db.GetProgram(ctx, f.mid, id)
			switch {
			case err != nil:
				if inCat {
					t.Fatalf("round %d: program %d deleted, but still in the catalog as %q", i, id, got.Name)
				}
			case !inCat:
				t.Fatalf("round %d: program %d committed as %q, but not in the catalog", i, id, want.Name)
			case got.Name != want.Name || !slices.Equal(got.StoreIDs, slices.Sorted(slices.Values(want.StoreIDs))):
				t.Fatalf("round %d: catalog program %q %v, want %q %v", i, got.Name, got.StoreIDs, want.Name, want.StoreIDs)
			}
		}
	})
	t.Run("Beacon", func(t *testing.T) {
		f := newOrderFixture(t)
		sid := nearby.FormatID(nearby.KindStore, f.create(t, "/v1/stores", nearby.KindStore, storeBody("s", 1, 1)))
		beacon := func(label string) string {
			return fmt.Sprintf(`{"store_id":%q,"label":%q}`, sid, label)
		}
		for i := range rounds {
			b, err := f.db.GetBeacon(ctx, f.mid, f.create(t, "/v1/beacons", nearby.KindBeacon, beacon("x")))
			if err != nil {
				t.Fatal(err)
			}
			path := "/v1/beacons/" + nearby.FormatID(nearby.KindBeacon, b.ID)
			reqs := [][3]string{{"PUT", path, beacon("a")}, {"PUT", path, beacon("b")}}
			if i%2 == 0 {
				reqs = append(reqs, [3]string{"DELETE", path, ""})
			}
			f.race(t, reqs)
			res, err := f.cat.Resolve(ctx, []catalog.Sighting{{Identity: b.Identity}})
			if err != nil {
				t.Fatal(err)
			}
			want, err := f.db.GetBeacon(ctx, f.mid, b.ID)
			switch {
			case err != nil:
				if len(res) != 0 {
					t.Fatalf("round %d: beacon %d deleted, but resolves as %q", i, b.ID, res[0].Beacon.Label)
				}
			case len(res) != 1:
				t.Fatalf("round %d: beacon %d committed as %q, resolves to %d beacons", i, b.ID, want.Label, len(res))
			case res[0].Beacon.Label != want.Label:
				t.Fatalf("round %d: catalog beacon label %q, want %q", i, res[0].Beacon.Label, want.Label)
			}
		}
	})
}
