package e2e_test

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/daemon"
)

// BenchmarkNearbyHandler serves GET /v1/nearby (2 km, limit 20) through the
// api server's handler in process, over a clustered world of
// NEARBY_BENCH_STORES stores (default 1,000,000), every one with a program:
// the per-request CPU and allocations without the network.
func BenchmarkNearbyHandler(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("NEARBY_BENCH_STORES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	w := catalogtest.NewWorld(catalogtest.Options{Seed: 1, Stores: n})
	cfg := api.DefaultConfig()
	cfg.AdminToken = "x"
	cfg.RateLimit = 0
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(b.TempDir(), "nearby.db"), API: cfg})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := d.Catalog.Load(w.Stores, w.Programs, nil); err != nil {
		b.Fatal(err)
	}
	d.Server.SetReady(true)
	srv := d.Server
	h := srv.Handler()
	rng := rand.New(rand.NewPCG(2, 99))
	reqs := make([]*http.Request, 4096)
	for i := range reqs {
		lat, lng := w.Point(rng)
		reqs[i] = httptest.NewRequest(http.MethodGet, "/v1/nearby?lat="+strconv.FormatFloat(lat, 'f', 6, 64)+
			"&lng="+strconv.FormatFloat(lng, 'f', 6, 64)+"&radius_m=2000&limit=20", nil)
	}
	rec := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		rec.reset()
		h.ServeHTTP(rec, reqs[i%len(reqs)])
		if rec.status != http.StatusOK {
			b.Fatalf("status %d", rec.status)
		}
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(p), nil
}
func (d *discardWriter) WriteHeader(s int) { d.status = s }
func (d *discardWriter) reset() {
	d.status = 0
	clear(d.h)
}
