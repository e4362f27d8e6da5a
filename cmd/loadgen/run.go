package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nearby-dev/nearby/catalog/catalogtest"
)

// report is the outcome of one run.
type report struct {
	URL         string  `json:"url"`
	Conns       int     `json:"conns"`
	Seconds     float64 `json:"seconds"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Non200      int     `json:"non_200"`
	RPS         float64 `json:"rps"`
	P50us       float64 `json:"p50_us"`
	P90us       float64 `json:"p90_us"`
	P99us       float64 `json:"p99_us"`
	P999us      float64 `json:"p999_us"`
	MaxUs       float64 `json:"max_us"`
	MeanBodyLen float64 `json:"mean_body_bytes"`
	// ServerCPUus is the server's CPU time per request (with -pid): what
	// the throughput on a dedicated core would be limited by, and steadier
	// than the throughput when other work shares the machine.
	ServerCPUus float64 `json:"server_cpu_us_per_req,omitempty"`
}

func runLoad(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	path := fs.String("path", "/v1/nearby", "request path; query points are added as lat, lng, radius_m, limit")
	fixed := fs.Bool("fixed", false, "request -path as is, without query points (for the floor server)")
	conns := fs.Int("c", 1, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "measured duration")
	warm := fs.Duration("warmup", 2*time.Second, "unmeasured warm-up")
	radius := fs.Float64("radius", 2000, "radius_m of each query")
	limit := fs.Int("limit", 20, "limit of each query")
	stores := fs.Int("stores", 1_000_000, "stores of the generated world (same as serve's, for the same cities)")
	seed := fs.Uint64("seed", 1, "seed of the generated world (same as serve's)")
	points := fs.Int("points", 100_000, "distinct query points")
	pid := fs.Int("pid", 0, "server process id: report its CPU time per request (Linux /proc/PID/schedstat) and, with -windows, its RSS")
	windows := fs.Int("windows", 0, "stall windows: instead of -d, run this many consecutive windows of -window-n queries and report each")
	windowN := fs.Int("window-n", 20_000, "queries per window (with -windows)")
	minRatio := fs.Float64("window-min-ratio", 0.8, "target: every window's throughput at least this share of the median window's")
	maxP999 := fs.Duration("window-max-p999", 3*time.Millisecond, "target: every window's p99.9 at most this")
	minSpan := fs.Duration("window-min-span", 3*time.Minute, "target: the windows together last at least this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("bad -url %q", *target)
	}
	targets := []string{*path}
	if !*fixed {
		targets = queryTargets(*path, *seed, *stores, *points, *radius, *limit)
	}
	if *windows > 0 {
		return runWindows(ctx, out, u.Host, targets, *conns, *windows, *windowN, *warm, *pid,
			windowTarget{MinRatio: *minRatio, MaxP999: *maxP999, MinSpan: *minSpan})
	}
	r, err := measure(ctx, u.Host, targets, *conns, *warm, *dur, *pid)
	if err != nil {
		return err
	}
	r.URL = *target + *path
	fmt.Fprintf(out, "%s c=%d: %.0f req/s over %.1fs (%d requests, %d errors, %d non-200), p50 %.0fµs p90 %.0fµs p99 %.0fµs p99.9 %.0fµs max %.0fµs, body %.0f B, server CPU %.1fµs/req\n",
		r.URL, r.Conns, r.RPS, r.Seconds, r.Requests, r.Errors, r.Non200, r.P50us, r.P90us, r.P99us, r.P999us, r.MaxUs, r.MeanBodyLen, r.ServerCPUus)
	return json.NewEncoder(out).Encode(r)
}

// queryTargets draws query points where the world's people are.
func queryTargets(path string, seed uint64, stores, n int, radius float64, limit int) []string {
	w := catalogtest.NewCities(catalogtest.Options{Seed: seed, Stores: stores})
	rng := rand.New(rand.NewPCG(seed+1, 99))
	out := make([]string, n)
	for i := range out {
		lat, lng := w.Point(rng)
		out[i] = path + "?lat=" + strconv.FormatFloat(lat, 'f', 6, 64) + "&lng=" + strconv.FormatFloat(lng, 'f', 6, 64) +
			"&radius_m=" + strconv.FormatFloat(radius, 'f', -1, 64) + "&limit=" + strconv.Itoa(limit)
	}
	return out
}

// load runs conns closed-loop connections for d.
func load(ctx context.Context, host string, targets []string, conns int, d time.Duration) (report, error) {
	type result struct {
		lat          []int64
		errs, non200 int
		bytes        int64
		err          error
	}
	results := make([]result, conns)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			res := &results[w]
			c, err := dial(host, host)
			if err != nil {
				res.err = err
				return
			}
			defer c.nc.Close()
			res.lat = make([]int64, 0, 1<<16)
			i := w * 7919
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				status, n, err := c.get(targets[i%len(targets)])
				i++
				if err != nil {
					res.errs++
					if err := c.redial(); err != nil {
						res.err = err
						return
					}
					continue
				}
				res.lat = append(res.lat, int64(time.Since(t0)))
				res.bytes += int64(n)
				if status != 200 {
					res.non200++
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []int64
	r := report{Conns: conns, Seconds: elapsed.Seconds()}
	var bytes int64
	for _, res := range results {
		if res.err != nil {
			return r, res.err
		}
		all = append(all, res.lat...)
		r.Errors += res.errs
		r.Non200 += res.non200
		bytes += res.bytes
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	slices.Sort(all)
	r.Requests = len(all)
	if len(all) == 0 {
		return r, fmt.Errorf("no successful request")
	}
	r.RPS = float64(len(all)) / elapsed.Seconds()
	pct := func(p float64) float64 {
		i := int(p * float64(len(all)-1))
		return float64(all[i]) / 1e3
	}
	r.P50us, r.P90us, r.P99us, r.P999us = pct(0.5), pct(0.9), pct(0.99), pct(0.999)
	r.MaxUs = float64(all[len(all)-1]) / 1e3
	r.MeanBodyLen = float64(bytes) / float64(len(all))
	return r, nil
}

// measure warms up (connections, caches, the server's pools) for warm,
// unless it is 0, then loads for dur and, with a pid, adds the server's CPU
// time per request to the report.
func measure(ctx context.Context, host string, targets []string, conns int, warm, dur time.Duration, pid int) (report, error) {
	if warm > 0 {
		if _, err := load(ctx, host, targets, conns, warm); err != nil {
			return report{}, err
		}
	}
	cpu0, _ := cpuTime(pid)
	r, err := load(ctx, host, targets, conns, dur)
	if err != nil {
		return report{}, err
	}
	if cpu1, err := cpuTime(pid); err == nil && pid > 0 {
		r.ServerCPUus = float64(cpu1-cpu0) / 1e3 / float64(r.Requests)
	}
	return r, nil
}

// cpuTime returns the CPU time of process pid so far, in nanoseconds: the
// sum over its threads of the first field of /proc/PID/task/TID/schedstat.
func cpuTime(pid int) (int64, error) {
	if pid <= 0 {
		return 0, nil
	}
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread exited
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("schedstat of %s: %w", t.Name(), err)
		}
		total += n
	}
	return total, nil
}
