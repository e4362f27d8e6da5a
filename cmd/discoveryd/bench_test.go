package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/store"
)

// benchStores is the size of the start-up and import benchmarks; set
// DISCOVERYD_BENCH_STORES to change it (default 1,000,000).
func benchStores(b *testing.B) int {
	if v := os.Getenv("DISCOVERYD_BENCH_STORES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("DISCOVERYD_BENCH_STORES=%q", v)
		}
		return n
	}
	return 1_000_000
}

// randomStore is a store somewhere on the populated latitudes.
func randomStore(rng *rand.Rand, i int) nearby.Store {
	return nearby.Store{
		MerchantID: 1, Name: "Store " + strconv.Itoa(i), Category: "shop",
		Lat: rng.Float64()*120 - 55, Lng: rng.Float64()*360 - 180,
		Address: strconv.Itoa(i) + " Main Street", Timezone: "Europe/London",
	}
}

// startupFixture returns a data dir holding n stores, built once per n in
// the temp dir and reused by later runs (building 1M stores takes a while).
func startupFixture(b *testing.B, n int) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("discoveryd-bench-%d", n))
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	start := time.Now()
	db, err := store.Open(filepath.Join(dir, DBFile), nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := db.CreateMerchant(ctx, &nearby.Merchant{Name: "bench", APIKeyHash: make([]byte, 32)}); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 10_000
	for i := 0; i < n; i += batch {
		ss := make([]*nearby.Store, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			s := randomStore(rng, j)
			ss = append(ss, &s)
		}
		if err := db.CreateStores(ctx, ss); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("built a fixture of %d stores in %v at %s", n, time.Since(start).Round(time.Millisecond), dir)
	return dir
}

// BenchmarkMain_Startup measures the time from Run to /readyz 200 over a
// data dir with DISCOVERYD_BENCH_STORES stores (default 1,000,000):
//
//	go test -run '^$' -bench Startup -benchtime 1x -count 5 ./cmd/discoveryd
func BenchmarkMain_Startup(b *testing.B) {
	n := benchStores(b)
	dir := startupFixture(b, n)
	// gogc=0 is the baseline: the collector's default pacing while loading.
	for _, gc := range []int{0, LoadGCPercent} {
		b.Run(fmt.Sprintf("gogc=%d", gc), func(b *testing.B) { benchStartup(b, dir, n, gc) })
	}
}

func benchStartup(b *testing.B, dir string, n, gcPercent int) {
	for b.Loop() {
		cpu0 := cpuTime()
		start := time.Now()
		m := NewMain()
		m.Config.Listen, m.Config.DataDir, m.Config.AdminToken, m.Config.LogLevel = "127.0.0.1:0", dir, testAdminToken, "error"
		m.Stdout, m.Stderr = discard{}, discard{}
		m.LoadGCPercent = gcPercent
		if err := m.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		for {
			res, err := http.Get("http://" + m.Addr() + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
		ready := time.Since(start)
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s")
		if got := m.Index.Len(); got != n {
			b.Fatalf("index has %d stores, want %d", got, n)
		}
		b.ReportMetric(ready.Seconds(), "s-to-ready")
		b.ReportMetric(m.LoadTook().Seconds(), "s-load")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap")
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
	}
}

// BenchmarkMain_Import streams a generated CSV of DISCOVERYD_BENCH_STORES
// rows from a file through the CLI to POST /v1/stores/import on a real
// server and reports rows/s; the baseline is the same rows committed
// straight into the store with CreateStores in batches of the same size
// (no HTTP, no parsing, no catalog):
//
//	go test -run '^$' -bench Import -benchtime 1x -count 5 ./cmd/discoveryd
func BenchmarkMain_Import(b *testing.B) {
	n := benchStores(b)
	csvPath := filepath.Join(b.TempDir(), "stores.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "name,lat,lng,category,address")
	rng := rand.New(rand.NewPCG(3, 4))
	rows := make([]nearby.Store, n)
	for i := range n {
		rows[i] = randomStore(rng, i)
		s := &rows[i]
		fmt.Fprintf(w, "%s,%.6f,%.6f,%s,%s\n", s.Name, s.Lat, s.Lng, s.Category, s.Address)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(csvPath)

	b.Run("baseline=store.CreateStores", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db, err := store.Open(filepath.Join(b.TempDir(), DBFile), nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := db.CreateMerchant(context.Background(), &nearby.Merchant{Name: "bench", APIKeyHash: make([]byte, 32)}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			for i := 0; i < n; i += api.DefaultImportBatch {
				batch := make([]*nearby.Store, 0, api.DefaultImportBatch)
				for j := i; j < min(i+api.DefaultImportBatch, n); j++ {
					s := rows[j]
					batch = append(batch, &s)
				}
				if err := db.CreateStores(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	})
	b.Run("http", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			m := NewMain()
			m.Config.Listen, m.Config.DataDir, m.Config.AdminToken, m.Config.LogLevel = "127.0.0.1:0", b.TempDir(), testAdminToken, "error"
			m.Stdout, m.Stderr = discard{}, discard{}
			if err := m.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			<-m.Loaded()
			_, key := newMerchant(call{tb: b, base: "http://" + m.Addr()}, "bench")
			runtime.GC()
			b.StartTimer()
			start := time.Now()
			res, err := importFile(context.Background(), importConfig{Server: "http://" + m.Addr(), Token: key, Format: "csv", File: csvPath},
				http.DefaultClient, discard{}, false)
			took := time.Since(start)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if res.Imported != n || res.FailedCount != 0 {
				b.Fatalf("imported %d, failed %d; want %d, 0", res.Imported, res.FailedCount, n)
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
			b.ReportMetric(float64(fi.Size())/(1<<20)/took.Seconds(), "MiB/s")
			b.ReportMetric(float64(after.HeapInuse)/(1<<20), "MiB-heap-after")
			if err := m.Close(); err != nil {
				b.Fatal(err)
			}
			m = nil
			runtime.GC()
			b.StartTimer()
		}
	})
}

// cpuTime is the process's user+system CPU time: on a shared machine it is
// a steadier figure than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
