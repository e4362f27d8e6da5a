// Command loadgen measures GET /v1/nearby over HTTP.
//
//	loadgen seed -data-dir /dev/shm/nearby -stores 1000000 # the world into a discoveryd data dir
//	loadgen serve -listen 127.0.0.1:8080 -stores 1000000   # or: api + catalog over the world, no bbolt
//	loadgen floor -listen 127.0.0.1:8081 -size 4200        # a minimal handler with a fixed body
//	loadgen run -url http://127.0.0.1:8080 -c 16 -d 10s    # the load, with query points of the same world
//	loadgen compare -url http://127.0.0.1:8080 -floor http://127.0.0.1:8081 -pid P -floor-pid F
//	                                                       # alternate runs against both, Markdown medians
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
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// Run dispatches a subcommand.
func Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: loadgen run|compare|serve|floor|seed [flags] (-h for flags)")
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
	}
	return fmt.Errorf("unknown subcommand %q: want run, compare, serve, floor or seed", args[0])
}
