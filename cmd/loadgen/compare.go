package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
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
	target := fs.String("url", "http://127.0.0.1:8080", "server under test; several, comma-separated, are measured in turn (e.g. two builds)")
	floorURL := fs.String("floor", "http://127.0.0.1:8081", "floor server (loadgen floor)")
	pids := fs.String("pid", "", "server under test's pid, for CPU per request (comma-separated, as -url)")
	labels := fs.String("label", "", "names of the servers under test in the table (comma-separated, as -url)")
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
	fu, err := url.Parse(*floorURL)
	if err != nil || fu.Host == "" {
		return fmt.Errorf("bad -floor %q", *floorURL)
	}
	targets := queryTargets("/v1/nearby", *seed, *stores, 100_000, *radius, *limit)
	type side struct {
		name    string
		host    string
		targets []string
		pid     int
		reports map[int][]report
	}
	var sides []*side
	urls, pidList, names := strings.Split(*target, ","), splitList(*pids), splitList(*labels)
	for i, u := range urls {
		tu, err := url.Parse(strings.TrimSpace(u))
		if err != nil || tu.Host == "" {
			return fmt.Errorf("bad -url %q", u)
		}
		s := &side{name: "`GET /v1/nearby`", host: tu.Host, targets: targets, reports: map[int][]report{}}
		if i < len(names) {
			s.name = names[i]
		} else if len(urls) > 1 {
			s.name += " " + tu.Host
		}
		if i < len(pidList) {
			if s.pid, err = strconv.Atoi(pidList[i]); err != nil {
				return fmt.Errorf("bad -pid %q", *pids)
			}
		}
		sides = append(sides, s)
	}
	floorSide := &side{name: "floor (fixed body)", host: fu.Host, targets: []string{"/"}, pid: *floorPid, reports: map[int][]report{}}
	sides = append(sides, floorSide)
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
				rep, err := measure(ctx, s.host, s.targets, c, *warm, *dur, s.pid)
				if err != nil {
					return err
				}
				s.reports[c] = append(s.reports[c], rep)
				fmt.Fprintf(out, "run %d c=%d %s: %.0f req/s p50 %.0fµs p99 %.0fµs p99.9 %.0fµs cpu %.1fµs/req errors %d non-200 %d load %s\n",
					r+1, c, s.name, rep.RPS, rep.P50us, rep.P99us, rep.P999us, rep.ServerCPUus, rep.Errors, rep.Non200, loadAvg())
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
		f := floorSide.reports[c]
		for _, s := range sides[:len(sides)-1] {
			t := s.reports[c]
			fmt.Fprintf(out, "| ratio %s / floor | %d | %.2f | | | | %.2f | |\n", s.name, c,
				med(t, func(r report) float64 { return r.RPS })/med(f, func(r report) float64 { return r.RPS }),
				med(t, func(r report) float64 { return r.ServerCPUus })/med(f, func(r report) float64 { return r.ServerCPUus }))
		}
	}
	return nil
}

// splitList splits a comma-separated flag value; "" is no element.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	f := strings.Split(s, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

// loadAvg is the 1-minute load average (Linux), to tell a run on a busy
// machine from a quiet one; "?" elsewhere.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
