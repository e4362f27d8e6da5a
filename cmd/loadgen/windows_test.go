package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWindowStats(t *testing.T) {
	// 1000 latencies of 1..1000 µs, shuffled: the percentiles are ranks.
	lat := make([]int64, 1000)
	for i := range lat {
		lat[i] = int64((i*389)%1000+1) * 1000
	}
	w := windowStats(3, lat, 2*time.Second)
	want := window{Index: 3, Requests: 1000, Seconds: 2, RPS: 500, P50us: 500, P99us: 990, P999us: 999, MaxUs: 1000}
	if w != want {
		t.Errorf("windowStats = %+v\nwant          %+v", w, want)
	}
	if e := windowStats(0, nil, time.Second); e.Requests != 0 || e.RPS != 0 || e.P999us != 0 {
		t.Errorf("empty window = %+v", e)
	}
}

func TestSummarize(t *testing.T) {
	target := windowTarget{MinRatio: 0.8, MaxP999: 3 * time.Millisecond, MinSpan: 3 * time.Minute}
	win := func(i int, rps, p999us, secs float64) window {
		return window{Index: i, RPS: rps, P999us: p999us, Seconds: secs}
	}
	for _, tc := range []struct {
		name       string
		ws         []window
		minOverMed float64
		maxP999    float64
		maxWin     int
		minWin     int
		tput, p999 bool
		span, met  bool
	}{
		{"steady, long enough", []window{win(0, 1000, 2000, 60), win(1, 1100, 2500, 60), win(2, 900, 1800, 61)},
			0.9, 2500, 1, 2, true, true, true, true},
		{"one stalled window", []window{win(0, 1000, 2000, 60), win(1, 700, 9000, 60), win(2, 1000, 2000, 60)},
			0.7, 9000, 1, 1, false, false, true, false},
		{"steady but short", []window{win(0, 1000, 1000, 5), win(1, 1000, 1000, 5)},
			1, 1000, 0, 0, true, true, false, false},
		// An even count: the median is the mean of the middle two.
		{"even count", []window{win(0, 800, 3000, 50), win(1, 1000, 100, 50), win(2, 1200, 100, 50), win(3, 2000, 100, 50)},
			0.8 / 1.1, 3000, 0, 0, false, true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := summarize(tc.ws, 20000, 16, target)
			if diff := s.MinOverMedian - tc.minOverMed; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("min/median = %v, want %v", s.MinOverMedian, tc.minOverMed)
			}
			if s.MaxP999us != tc.maxP999 || s.MaxP999Window != tc.maxWin || s.MinRPSWindow != tc.minWin {
				t.Errorf("max p99.9 %v in window %d, min throughput in window %d; want %v, %d, %d",
					s.MaxP999us, s.MaxP999Window, s.MinRPSWindow, tc.maxP999, tc.maxWin, tc.minWin)
			}
			if s.ThroughputOK != tc.tput || s.P999OK != tc.p999 || s.SpanOK != tc.span || s.Met != tc.met {
				t.Errorf("verdicts throughput %v p99.9 %v span %v met %v; want %v %v %v %v",
					s.ThroughputOK, s.P999OK, s.SpanOK, s.Met, tc.tput, tc.p999, tc.span, tc.met)
			}
			if s.Windows != len(tc.ws) || s.PerWindow != 20000 || s.Conns != 16 {
				t.Errorf("summary %+v: counts not carried", s)
			}
		})
	}
}

func TestLoadWindows(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every 97th request fails by dropping the connection: a retried
		// request must still complete its window.
		if served.Add(1)%97 == 0 {
			hj, _ := w.(http.Hijacker)
			c, _, err := hj.Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		w.Write(fixedBody(64))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	targets := queryTargets("/v1/nearby", 1, 10_000, 50, 2000, 20)
	ws, err := loadWindows(context.Background(), u.Host, targets, 4, 5, 300, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 5 {
		t.Fatalf("%d windows, want 5", len(ws))
	}
	errs := 0
	for i, w := range ws {
		if w.Index != i || w.Requests != 300 || w.Non200 != 0 || w.Seconds <= 0 || w.RPS <= 0 ||
			w.P50us <= 0 || w.P99us < w.P50us || w.P999us < w.P99us || w.MaxUs < w.P999us {
			t.Errorf("window %d = %+v: want 300 answered queries, ordered percentiles", i, w)
		}
		errs += w.Errors
	}
	if errs == 0 {
		t.Error("no errors counted, though the server dropped every 97th connection")
	}
}

func TestRunWindows(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(fixedBody(64))
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := runLoad(context.Background(), []string{"-url", srv.URL, "-stores", "10000", "-points", "50", "-c", "2",
		"-warmup", "0", "-windows", "3", "-window-n", "200", "-window-min-span", "1h"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("output %q: want 3 window lines, a summary and JSON", out.String())
	}
	if !strings.HasPrefix(lines[3], "summary: 3 windows of 200 at c=2") || !strings.Contains(lines[3], "target not met") {
		t.Errorf("summary line %q: want 3 windows of 200, the span of 1h missed", lines[3])
	}
	var got struct {
		Windows []window
		Summary windowSummary
	}
	if err := json.Unmarshal([]byte(lines[4]), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Windows) != 3 || got.Summary.SpanOK || got.Summary.Met || got.Summary.MedianRPS <= 0 {
		t.Errorf("JSON %+v: want 3 windows, the span missed", got)
	}
}
