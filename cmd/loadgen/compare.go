package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// compare alternates runs against the server under test and the floor
// server, so that both see the same background load, and prints the
// medians as a Markdown table.
func compare(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:8080", "server under test")
	floorURL := fs.String("floor", "http://127.0.0.1:8081", "floor server (loadgen floor)")
	pid := fs.Int("pid", 0, "server under test's pid, for CPU per request")
	floorPid := fs.Int("floor-pid", 0, "floor server's pid")
	concs := fs.String("c", "1,16", "connection counts, comma-separated")
	runs := fs.Int("runs", 5, "runs per server and connection count")
	dur := fs.Duration("d", 5*time.Second, "measured duration of one run")
	warm := fs.Duration("warmup", time.Second, "warm-up before each run")
	radius := fs.Float64("radius", 2000, "radius_m")
	limit := fs.Int("limit", 20, "limit")
	stores := fs.Int("stores", 1_000_000, "stores of the generated world")
	seed := fs.Uint64("seed", 1, "seed of the generated world")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tu, err1 := url.Parse(*target)
	fu, err2 := url.Parse(*floorURL)
	if err1 != nil || err2 != nil || tu.Host == "" || fu.Host == "" {
		return fmt.Errorf("bad -url or -floor")
	}
	targets := queryTargets("/v1/nearby", *seed, *stores, 100_000, *radius, *limit)
	type side struct {
		name    string
		host    string
		targets []string
		pid     int
		reports map[int][]report
	}
	sides := []*side{
		{name: "GET /v1/nearby", host: tu.Host, targets: targets, pid: *pid, reports: map[int][]report{}},
		{name: "floor (fixed body)", host: fu.Host, targets: []string{"/"}, pid: *floorPid, reports: map[int][]report{}},
	}
	var cs []int
	for _, f := range strings.Split(*concs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -c %q", *concs)
		}
		cs = append(cs, n)
	}
	for r := 0; r < *runs; r++ {
		for _, c := range cs {
			for _, s := range sides {
				if _, err := load(ctx, s.host, s.targets, c, *warm); err != nil {
					return err
				}
				cpu0, _ := cpuTime(s.pid)
				rep, err := load(ctx, s.host, s.targets, c, *dur)
				if err != nil {
					return err
				}
				if cpu1, err := cpuTime(s.pid); err == nil && s.pid > 0 {
					rep.ServerCPUus = float64(cpu1-cpu0) / 1e3 / float64(rep.Requests)
				}
				s.reports[c] = append(s.reports[c], rep)
				fmt.Fprintf(out, "run %d c=%d %s: %.0f req/s p50 %.0fµs p99 %.0fµs cpu %.1fµs/req errors %d non-200 %d\n",
					r+1, c, s.name, rep.RPS, rep.P50us, rep.P99us, rep.ServerCPUus, rep.Errors, rep.Non200)
			}
		}
	}
	med := func(rs []report, f func(report) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	fmt.Fprintf(out, "\n| server | conns | req/s | p50 | p99 | p99.9 | server CPU/req | body |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range cs {
		for _, s := range sides {
			rs := s.reports[c]
			fmt.Fprintf(out, "| %s | %d | %.0f | %.0f µs | %.0f µs | %.0f µs | %.1f µs | %.0f B |\n", s.name, c,
				med(rs, func(r report) float64 { return r.RPS }), med(rs, func(r report) float64 { return r.P50us }),
				med(rs, func(r report) float64 { return r.P99us }), med(rs, func(r report) float64 { return r.P999us }),
				med(rs, func(r report) float64 { return r.ServerCPUus }), med(rs, func(r report) float64 { return r.MeanBodyLen }))
		}
		t, f := sides[0].reports[c], sides[1].reports[c]
		fmt.Fprintf(out, "| ratio nearby/floor | %d | %.2f | | | | %.2f | |\n", c,
			med(t, func(r report) float64 { return r.RPS })/med(f, func(r report) float64 { return r.RPS }),
			med(t, func(r report) float64 { return r.ServerCPUus })/med(f, func(r report) float64 { return r.ServerCPUus }))
	}
	return nil
}
