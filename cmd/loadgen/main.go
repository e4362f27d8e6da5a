// Command loadgen measures GET /v1/nearby over HTTP.
//
//	loadgen seed -data-dir /dev/shm/nearby -stores 1000000 # the world into a discoveryd data dir
//	loadgen serve -listen 127.0.0.1:8080 -stores 1000000   # or: api + catalog over the world, no bbolt
//	loadgen floor -listen 127.0.0.1:8081 -size 4200        # a minimal handler with a fixed body
//	loadgen run -url http://127.0.0.1:8080 -c 16 -d 10s    # the load, with query points of the same world
//	loadgen compare -url http://127.0.0.1:8080 -floor http://127.0.0.1:8081 -pid P -floor-pid F
//	                                                       # alternate runs against both, Markdown medians
//	loadgen run -url http://127.0.0.1:8080 -c 16 -windows 10 -window-n 20000 -pid P
//	                                                       # stall windows: consecutive fixed-size windows
//	loadgen growth -bin /tmp/discoveryd -n 10k,100k,1M     # seed, start, measure each size; docs/growth/
//
// run drives keep-alive HTTP/1.1 connections with a small hand-written
// client (the net/http client would cost more CPU than the server under
// test) and prints throughput, latency percentiles, status counts and the
// mean body size, as text and as one JSON line. Pin the server and the
// generator to different cores with taskset.
//
// nearby.pgo is a CPU profile of serve under 16 connections (1M stores),
// for profile-guided optimisation of the daemon:
//
//	go build -pgo=cmd/loadgen/nearby.pgo ./cmd/discoveryd
//
// (see BENCHMARKS.md, "nearby over HTTP"; copied to
// cmd/discoveryd/default.pgo it would apply to every build).
//
// growth seeds a world of each size into -data-root (tmpfs), starts the
// given discoveryd on it pinned to one core, and measures start-up to
// /readyz, VmRSS/VmHWM after loading and after the queries, and the nearby
// query's latency at one connection and throughput at -c, from this
// process pinned to the other core. It writes growth.md, growth.json and
// SVG plots (stores on a log axis) into -out.
//
// run -windows N -window-n Q keeps the connections busy for N × Q queries
// and cuts them, as they complete, into N windows of Q: per window the
// duration, throughput, p99, p99.9 and max (and with -pid the server's RSS),
// then the smallest window's throughput against the median window's and the
// largest p99.9, checked against -window-min-ratio, -window-max-p999 and
// -window-min-span.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/nearby-dev/nearby/internal/sweepkick"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if runtime.GOMAXPROCS(0) == 1 {
		// Pinned to one core, as the benchmarks run it: without the kicker
		// the client's (and the floor's and serve's) own sweeps would
		// hold its connections for up to 10 ms (golang/go#56060).
		go sweepkick.New().Run(ctx)
	}
	if err := Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// Run dispatches a subcommand.
func Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: loadgen run|compare|growth|serve|floor|seed [flags] (-h for flags)")
	}
	switch args[0] {
	case "run":
		return runLoad(ctx, args[1:], os.Stdout)
	case "serve":
		return serve(ctx, args[1:], os.Stderr)
	case "floor":
		return floor(ctx, args[1:], os.Stderr)
	case "seed":
		return seed(ctx, args[1:], os.Stderr)
	case "compare":
		return compare(ctx, args[1:], os.Stdout)
	case "growth":
		return growth(ctx, args[1:], os.Stdout, os.Stderr)
	}
	return fmt.Errorf("unknown subcommand %q: want run, compare, growth, serve, floor or seed", args[0])
}
