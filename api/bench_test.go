package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/geo"
)

// nullWriter is a ResponseWriter that keeps only the status, so the
// benchmark measures the server, not a recorder.
type nullWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) WriteHeader(code int)        { w.status = code }
func (w *nullWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// BenchmarkServer_Nearby runs GET /v1/nearby through the whole echo stack
// (middleware, hand-parsed query, catalog, pooled JSON) over a generated
// world of 100,000 stores, one program each; the catalog query alone is the
// baseline, so the ratio is the HTTP layer's cost:
//
//	go test -run '^$' -bench Server_Nearby -cpu 1 -count 5 ./api
func BenchmarkServer_Nearby(b *testing.B) {
	w := catalogtest.NewWorld(catalogtest.Options{Seed: 1, Stores: 100_000})
	ix := geo.New()
	cat := catalog.New(ix, &catalog.Options{Renderer: api.Briefs{}})
	if err := cat.Load(w.Stores, w.Programs, nil); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const points = 1024
	targets := make([]string, points)
	queries := make([]catalog.NearbyQuery, points)
	for i := range targets {
		lat, lng := w.Point(rng)
		targets[i] = fmt.Sprintf("/v1/nearby?lat=%.5f&lng=%.5f&radius_m=2000&limit=20", lat, lng)
		queries[i] = catalog.NearbyQuery{Lat: lat, Lng: lng, RadiusM: 2000, Limit: 20, BriefsOnly: true} // as the handler asks
	}
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = "x", 0
	srv, err := api.New(cfg, serviceDeps(b, &Registry{}, cat, ix, nil))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.SetReady(true)
	h := srv.Handler()

	b.Run("catalog", func(b *testing.B) {
		i := 0
		for b.Loop() {
			q := queries[i%points]
			if err := q.Validate(); err != nil {
				b.Fatal(err)
			}
			if _, err := cat.Nearby(b.Context(), q); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("http", func(b *testing.B) {
		reqs := make([]*http.Request, points)
		for i, t := range targets {
			reqs[i] = httptest.NewRequest("GET", t, nil)
		}
		nw := &nullWriter{h: http.Header{}}
		i, bytes := 0, 0
		for b.Loop() {
			clear(nw.h)
			nw.status, nw.n = 0, 0
			h.ServeHTTP(nw, reqs[i%points])
			if nw.status != 200 {
				b.Fatalf("status %d", nw.status)
			}
			bytes += nw.n
			i++
		}
		b.ReportMetric(float64(bytes)/float64(i), "B/resp")
	})
}
