package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"time"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/daemon"
	"github.com/nearby-dev/nearby/httpconn"
)

// serve runs the real api.Server (middleware, handlers, JSON) over a
// catalog loaded straight from a generated world. The registry is an empty
// store in a temporary directory: GET /v1/nearby reads only the catalog,
// and loading a million stores through bbolt would only slow the set-up.
func serve(ctx context.Context, args []string, logw io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "listen address")
	stores := fs.Int("stores", 1_000_000, "stores in the generated world (every one carries a program)")
	seed := fs.Uint64("seed", 1, "seed of the generated world")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the serving phase to this file")
	memprofile := fs.String("memprofile", "", "write a heap profile after loading to this file")
	traceFile := fs.String("trace", "", "write a runtime execution trace of the serving phase to this file (go tool trace)")
	allocprofile := fs.String("allocprofile", "", "write a heap profile when serving ends to this file: with -memprofile as the base (go tool pprof -sample_index=alloc_space -diff_base), what serving allocated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	w := catalogtest.NewWorld(catalogtest.Options{Seed: *seed, Stores: *stores})
	fmt.Fprintf(logw, "generated %d stores, %d programs in %d cities in %v\n",
		len(w.Stores), len(w.Programs), len(w.Cities), time.Since(start).Round(time.Millisecond))

	dir, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := api.DefaultConfig()
	cfg.AdminToken = api.NewSecret()
	cfg.RateLimit = 0 // one client IP sends everything
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(dir, "nearby.db"), API: cfg})
	if err != nil {
		return err
	}
	defer d.Close()
	start = time.Now()
	// The generated world goes straight into the catalog, not through
	// bbolt: the registry only serves writes the load never makes.
	if err := d.Catalog.Load(w.Stores, w.Programs, nil); err != nil {
		return err
	}
	w = nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(logw, "loaded the catalog in %v; heap in use %d MiB\n",
		time.Since(start).Round(time.Millisecond), ms.HeapInuse>>20)
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			return err
		}
		err = pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
		if err != nil {
			return err
		}
	}
	d.Server.SetReady(true)
	srv := d.Server
	for _, r := range []struct {
		path  string
		start func(io.Writer) error
		stop  func()
	}{
		{*profile, pprof.StartCPUProfile, pprof.StopCPUProfile},
		{*traceFile, trace.Start, trace.Stop},
	} {
		if r.path == "" {
			continue
		}
		f, err := os.Create(r.path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := r.start(f); err != nil {
			return err
		}
		defer r.stop()
	}
	// As discoveryd serves.
	err = listenAndServe(ctx, *listen, &http.Server{Handler: srv.Handler(), ConnContext: httpconn.ConnContext}, httpconn.Listener, logw)
	if *allocprofile != "" {
		f, ferr := os.Create(*allocprofile)
		if ferr != nil {
			return errors.Join(err, ferr)
		}
		err = errors.Join(err, pprof.Lookup("heap").WriteTo(f, 0), f.Close())
	}
	return err
}
