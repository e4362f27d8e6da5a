package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// window is one run of a fixed number of consecutive queries.
type window struct {
	Index    int     `json:"index"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Non200   int     `json:"non_200"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50us    float64 `json:"p50_us"`
	P99us    float64 `json:"p99_us"`
	P999us   float64 `json:"p999_us"`
	MaxUs    float64 `json:"max_us"`
	// With -pid: the server's memory and CPU time per request, sampled
	// as the window closes.
	RSSMiB      float64 `json:"rss_mib,omitempty"`
	HWMMiB      float64 `json:"hwm_mib,omitempty"`
	ServerCPUus float64 `json:"server_cpu_us_per_req,omitempty"`
}

// windowTarget is what every window must meet: issue 14's stall target is
// 10 consecutive windows of 20,000 queries at 16 connections, spanning at
// least 3 minutes, each at ≥ 0.8 × the median window's throughput and with
// a p99.9 ≤ 3 ms.
type windowTarget struct {
	MinRatio float64       // of a window's throughput to the median window's
	MaxP999  time.Duration // every window's p99.9
	MinSpan  time.Duration // all the windows together
}

// windowSummary says how the windows compare with each other and with the
// target.
type windowSummary struct {
	Windows       int     `json:"windows"`
	PerWindow     int     `json:"per_window"`
	Conns         int     `json:"conns"`
	SpanSeconds   float64 `json:"span_seconds"`
	MinRPS        float64 `json:"min_rps"`
	MedianRPS     float64 `json:"median_rps"`
	MinOverMedian float64 `json:"min_over_median"`
	MaxP999us     float64 `json:"max_p999_us"`
	MaxP999Window int     `json:"max_p999_window"`
	MinRPSWindow  int     `json:"min_rps_window"`
	MaxRSSMiB     float64 `json:"max_rss_mib,omitempty"`
	ThroughputOK  bool    `json:"throughput_ok"`
	P999OK        bool    `json:"p999_ok"`
	SpanOK        bool    `json:"span_ok"`
	Met           bool    `json:"met"`
}

// percentile is the p-quantile of sorted latencies (nanoseconds) in
// microseconds, by the same rule as load's.
func percentile(sorted []int64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(p*float64(len(sorted)-1))]) / 1e3
}

// windowStats fills a window's statistics from its latencies (nanoseconds,
// sorted here) and its duration.
func windowStats(index int, lat []int64, d time.Duration) window {
	slices.Sort(lat)
	w := window{Index: index, Requests: len(lat), Seconds: d.Seconds()}
	if d > 0 {
		w.RPS = float64(len(lat)) / d.Seconds()
	}
	if len(lat) > 0 {
		w.P50us, w.P99us, w.P999us = percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 0.999)
		w.MaxUs = float64(lat[len(lat)-1]) / 1e3
	}
	return w
}

// summarize compares the windows with each other and with t.
func summarize(ws []window, perWindow, conns int, t windowTarget) windowSummary {
	s := windowSummary{Windows: len(ws), PerWindow: perWindow, Conns: conns}
	if len(ws) == 0 {
		return s
	}
	rps := make([]float64, len(ws))
	s.MinRPS, s.MinRPSWindow = ws[0].RPS, ws[0].Index
	for i, w := range ws {
		rps[i] = w.RPS
		s.SpanSeconds += w.Seconds
		if w.RPS < s.MinRPS {
			s.MinRPS, s.MinRPSWindow = w.RPS, w.Index
		}
		if w.P999us > s.MaxP999us || i == 0 {
			s.MaxP999us, s.MaxP999Window = w.P999us, w.Index
		}
		s.MaxRSSMiB = max(s.MaxRSSMiB, w.RSSMiB)
	}
	slices.Sort(rps)
	// The median of an even count is the mean of the middle two, so that
	// 10 windows are judged against the middle of the run, not its upper
	// half.
	if n := len(rps); n%2 == 1 {
		s.MedianRPS = rps[n/2]
	} else {
		s.MedianRPS = (rps[n/2-1] + rps[n/2]) / 2
	}
	if s.MedianRPS > 0 {
		s.MinOverMedian = s.MinRPS / s.MedianRPS
	}
	s.ThroughputOK = s.MinOverMedian >= t.MinRatio
	s.P999OK = s.MaxP999us <= float64(t.MaxP999)/1e3
	s.SpanOK = s.SpanSeconds >= t.MinSpan.Seconds()
	s.Met = s.ThroughputOK && s.P999OK && s.SpanOK
	return s
}

// loadWindows keeps conns closed-loop connections busy until windows × n
// queries have completed, and cuts the completions, in the order they
// complete, into windows of n: the load never pauses between windows, so a
// stall (a collection, a compaction) lands in whichever window it falls in.
// With a pid it samples the server's RSS and CPU time as each window closes.
func loadWindows(ctx context.Context, host string, targets []string, conns, windows, n, pid int) ([]window, error) {
	if conns < 1 || windows < 1 || n < 1 {
		return nil, fmt.Errorf("windows: want conns, windows and queries per window ≥ 1")
	}
	cs := make([]*conn, conns)
	for i := range cs {
		c, err := dial(host, host)
		if err != nil {
			for _, c := range cs[:i] {
				c.nc.Close()
			}
			return nil, err
		}
		cs[i] = c
	}
	defer func() {
		for _, c := range cs {
			c.nc.Close()
		}
	}()
	type perConn struct {
		lat          [][]int64 // by window
		errs, non200 []int     // by window
		err          error
	}
	total := int64(windows) * int64(n)
	var issued, done atomic.Int64
	ends := make([]time.Time, windows) // each written once, by the connection completing the window's last query
	type sample struct {
		rss, hwm int64
		cpu      int64
		ok       bool
	}
	samples := make([]sample, windows)
	closed := make(chan int, windows)
	var sampler sync.WaitGroup
	cpu0, _ := cpuTime(pid)
	if pid > 0 {
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			for w := range closed {
				rss, hwm, err1 := memStatus(pid)
				cpu, err2 := cpuTime(pid)
				samples[w] = sample{rss: rss, hwm: hwm, cpu: cpu, ok: err1 == nil && err2 == nil}
			}
		}()
	}
	res := make([]perConn, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for ci := range cs {
		wg.Add(1)
		go func(ci int) {
			defer wg.Done()
			r := &res[ci]
			r.lat = make([][]int64, windows)
			r.errs, r.non200 = make([]int, windows), make([]int, windows)
			c := cs[ci]
			i := ci * 7919
			for ctx.Err() == nil {
				if issued.Add(1) > total {
					return
				}
				// A slot taken is a completion owed: a failed request is
				// retried on a new connection, so that every window holds
				// n answered queries.
				var status int
				var lat int64
				for {
					t0 := time.Now()
					var err error
					status, _, err = c.get(targets[i%len(targets)])
					lat = int64(time.Since(t0))
					if err == nil {
						break
					}
					r.errs[min(int(done.Load()/int64(n)), windows-1)]++
					if err := c.redial(); err != nil {
						r.err = err
						return
					}
					if ctx.Err() != nil {
						return
					}
				}
				i++
				k := done.Add(1) - 1
				w := int(k / int64(n))
				r.lat[w] = append(r.lat[w], lat)
				if status != 200 {
					r.non200[w]++
				}
				if k%int64(n) == int64(n)-1 {
					ends[w] = time.Now()
					if pid > 0 {
						closed <- w // buffered for every window: never blocks
					}
				}
			}
		}(ci)
	}
	wg.Wait()
	close(closed)
	sampler.Wait()
	for _, r := range res {
		if r.err != nil {
			return nil, r.err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]window, windows)
	prev, prevCPU := start, cpu0
	for w := range out {
		var lat []int64
		errs, non200 := 0, 0
		for _, r := range res {
			lat = append(lat, r.lat[w]...)
			errs += r.errs[w]
			non200 += r.non200[w]
		}
		out[w] = windowStats(w, lat, ends[w].Sub(prev))
		out[w].Errors, out[w].Non200 = errs, non200
		prev = ends[w]
		if s := samples[w]; s.ok {
			out[w].RSSMiB, out[w].HWMMiB = float64(s.rss)/(1<<20), float64(s.hwm)/(1<<20)
			out[w].ServerCPUus = float64(s.cpu-prevCPU) / 1e3 / float64(n)
			prevCPU = s.cpu
		}
	}
	return out, nil
}

// runWindows is run's -windows mode: a warm-up, the windows, a line each,
// the summary line, then everything as one JSON line.
func runWindows(ctx context.Context, out io.Writer, host string, targets []string, conns, windows, n int, warm time.Duration, pid int, t windowTarget) error {
	if warm > 0 {
		if _, err := load(ctx, host, targets, conns, warm); err != nil {
			return err
		}
	}
	ws, err := loadWindows(ctx, host, targets, conns, windows, n, pid)
	if err != nil {
		return err
	}
	for _, w := range ws {
		fmt.Fprintf(out, "window %2d: %d queries in %.2fs, %.0f req/s, p50 %.0fµs p99 %.0fµs p99.9 %.0fµs max %.0fµs, %d errors, %d non-200",
			w.Index+1, w.Requests, w.Seconds, w.RPS, w.P50us, w.P99us, w.P999us, w.MaxUs, w.Errors, w.Non200)
		if w.RSSMiB > 0 {
			fmt.Fprintf(out, ", server RSS %.0f MiB (HWM %.0f MiB), CPU %.1fµs/req", w.RSSMiB, w.HWMMiB, w.ServerCPUus)
		}
		fmt.Fprintln(out)
	}
	s := summarize(ws, n, conns, t)
	verdict := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "MISSED"
	}
	fmt.Fprintf(out, "summary: %d windows of %d at c=%d over %.1fs (want ≥ %v: %s); min/median throughput %.0f/%.0f = %.2f (window %d; want ≥ %.2f: %s); max p99.9 %.0fµs (window %d; want ≤ %v: %s)",
		s.Windows, n, conns, s.SpanSeconds, t.MinSpan, verdict(s.SpanOK), s.MinRPS, s.MedianRPS, s.MinOverMedian, s.MinRPSWindow+1, t.MinRatio, verdict(s.ThroughputOK),
		s.MaxP999us, s.MaxP999Window+1, t.MaxP999, verdict(s.P999OK))
	if s.MaxRSSMiB > 0 {
		fmt.Fprintf(out, "; max server RSS %.0f MiB", s.MaxRSSMiB)
	}
	fmt.Fprintf(out, "; target %s\n", map[bool]string{true: "met", false: "not met"}[s.Met])
	return json.NewEncoder(out).Encode(struct {
		Windows []window      `json:"windows"`
		Summary windowSummary `json:"summary"`
	}{ws, s})
}
