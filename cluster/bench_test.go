package cluster_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/daemon"
)

// TestClusterBench measures, in one run, a single node against node A of
// a 3-node in-process cluster: CPU per nearby request (reads never touch
// NATS), store-create latency p50/p99 and agent events per second. It
// prints a table for BENCHMARKS.md; CLUSTER_BENCH=1 runs it.
func TestClusterBench(t *testing.T) {
	if os.Getenv("CLUSTER_BENCH") == "" {
		t.Skip("CLUSTER_BENCH=1 runs the cluster benchmark")
	}
	single := singleNode(t)
	nodes := startCluster(t, 3)
	rows := [][]string{{"", "single node", "cluster (node A of 3)"}}
	var res [2]benchResult
	for i, n := range []*tnode{single, nodes[0]} {
		res[i] = measure(t, n)
	}
	// Reads alternate between the two, twice, against order effects
	// (the first measured ran slower in trials).
	for round := range 2 {
		for i, n := range []*tnode{single, nodes[0]} {
			cpu, idle := readCPU(t, n)
			if round == 0 {
				res[i].nearbyCPU, res[i].idleCPU = cpu/2, idle/2
			} else {
				res[i].nearbyCPU += cpu / 2
				res[i].idleCPU += idle / 2
			}
		}
	}
	rows = append(rows,
		[]string{"nearby CPU per request", fmt.Sprintf("%.1f µs", res[0].nearbyCPU), fmt.Sprintf("%.1f µs (%+.1f%%)", res[1].nearbyCPU, 100*(res[1].nearbyCPU/res[0].nearbyCPU-1))},
		[]string{"idle process CPU (subtracted above)", fmt.Sprintf("%.2f%% of a core", res[0].idleCPU), fmt.Sprintf("%.2f%% of a core", res[1].idleCPU)},
		[]string{"store create p50", res[0].p50.String(), res[1].p50.String()},
		[]string{"store create p99", res[0].p99.String(), res[1].p99.String()},
		[]string{"agent events/s (4 agents, batches of 20)", fmt.Sprintf("%.0f", res[0].eventsPerSec), fmt.Sprintf("%.0f", res[1].eventsPerSec)},
	)
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r[0], r[1], r[2])
	}
}

type benchResult struct {
	nearbyCPU    float64 // µs of process CPU per request, idle CPU subtracted
	idleCPU      float64 // % of a core the idle process uses
	p50, p99     time.Duration
	eventsPerSec float64
}

// singleNode is a daemon without cluster mode, served like a tnode.
func singleNode(t *testing.T) *tnode {
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = adminToken, 0
	d, err := daemon.Open(daemon.Config{Path: t.TempDir() + "/nearby.db", API: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := &tnode{tb: t, name: "single", d: d, hs: httptest.NewServer(d.Server.Handler()), up: true}
	t.Cleanup(n.stop)
	return n
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measure(t *testing.T, n *tnode) benchResult {
	var r benchResult
	f := newFixture(t, n, "bench", 51.5, -0.12)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 { // a neighbourhood to answer from
		st := n.must(201, "POST", "/v1/stores", f.key, map[string]any{"name": fmt.Sprint("s", i),
			"lat": 51.5 + (rng.Float64()-0.5)*0.02, "lng": -0.12 + (rng.Float64()-0.5)*0.03, "category": "coffee"}).JSON(t)["id"].(string)
		n.must(201, "POST", "/v1/programs", f.key, map[string]any{"app_id": fmt.Sprint("a", i), "name": fmt.Sprint("p", i),
			"category": "coffee", "store_ids": []string{st}})
	}
	// Writes: serial store creates.
	var lat []time.Duration
	for i := range 300 {
		start := time.Now()
		n.must(201, "POST", "/v1/stores", f.key, map[string]any{"name": fmt.Sprint("w", i), "lat": 10, "lng": 10, "category": "x"})
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	// Events: 4 agents on one beacon's token, batches of 20, for 3 s.
	var wg sync.WaitGroup
	var mu sync.Mutex
	events := 0
	deadline := time.Now().Add(3 * time.Second)
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				var evs []any
				for range 20 {
					evs = append(evs, map[string]any{"id": uuid.NewString(), "type": "enter", "at": time.Now().UTC().Format(time.RFC3339), "device_id": "d"})
				}
				n.must(200, "POST", "/v1/agent/events", f.agentToken, map[string]any{"events": evs})
				mu.Lock()
				events += 20
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r.eventsPerSec = float64(events) / 3
	return r
}

// readCPU returns the process CPU per nearby request on n, in µs (the
// cluster's three nodes and their NATS servers included, idle), and the
// idle CPU in % of a core, which is subtracted over the same wall time so
// that the figure is the requests' own.
func readCPU(t *testing.T, n *tnode) (perRequest, idlePercent float64) {
	time.Sleep(500 * time.Millisecond)
	idle0, idleStart := cpuNow(), time.Now()
	time.Sleep(2 * time.Second)
	idleRate := float64(cpuNow()-idle0) / float64(time.Since(idleStart))
	const reads = 3000
	cpu0, start := cpuNow(), time.Now()
	for i := range reads {
		n.must(200, "GET", fmt.Sprintf("/v1/nearby?lat=%f&lng=-0.12&radius_m=1500", 51.495+float64(i%10)/1000), "", nil)
	}
	used := float64(cpuNow()-cpu0) - idleRate*float64(time.Since(start))
	return used / 1e3 / reads, idleRate * 100
}
