// Package daemon builds a whole discoveryd from its parts — the bbolt
// registry, the geo index, the catalog rendering the API's briefs, the
// discovery service and the HTTP API — in one call, so that the daemon,
// the load generator and the end-to-end tests run the same wiring.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/cluster"
	"github.com/nearby-dev/nearby/console"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/store"
)

// DefaultLockTimeout is how long Open waits for another process's lock on
// the bbolt file.
const DefaultLockTimeout = 5 * time.Second

// Config is what a daemon is built from.
type Config struct {
	// Path is the bbolt file (created if missing).
	Path string
	// API holds the HTTP server's tunables; API.AdminToken is required.
	API api.Config
	// Logger is the parent of every part's logger (each gets a "sys"
	// attribute); nil discards.
	Logger *slog.Logger
	// Now is every part's clock; nil means time.Now.
	Now func() time.Time
	// LockTimeout bounds the wait for the file lock; 0 means
	// DefaultLockTimeout.
	LockTimeout time.Duration
	// Console configures the browser console; the zero value shows its map
	// without tiles.
	Console console.Options
	// PseudonymKey keys the per-merchant device pseudonyms (see
	// discovery.Options.PseudonymKey); nil: a random key for this run.
	PseudonymKey []byte
	// MinCount is the k of the statistics' minimum counts: 0 means
	// nearby.DefaultMinCount; below nearby.MinMinCount is refused.
	MinCount int
	// TicketTTL is how long a shake's ticket answers and ShakeRetention
	// how long its record is kept (0: the store's defaults, 30 minutes and
	// 30 days).
	TicketTTL, ShakeRetention time.Duration
	// Cluster, if set, makes the daemon a replica of a cluster (see
	// package cluster): writes go through the replicated log. Nil: a
	// single node, no NATS at all.
	Cluster *cluster.Config
}

// PurgeEvery is how often a daemon purges expired records even when no
// write does it on the way.
const PurgeEvery = time.Hour

// Daemon is a built discoveryd: its parts are exported for the program
// that serves it and for tests.
type Daemon struct {
	DB      *store.DB
	Index   *geo.Index
	Catalog *catalog.Catalog
	Service *discovery.Service
	Server  *api.Server
	Console *console.Handler

	stopPurge context.CancelFunc
	purged    chan struct{} // closed when the purge loop has stopped

	// stopBG ends the service's background work (alert sweeps, webhook
	// deliveries), started by Load; bgDone is closed once it has.
	stopBG     func()
	bgDone     chan struct{}
	background atomic.Bool // a cluster node's Run is running (it leads)
	// Cluster is the replica's node in cluster mode, else nil.
	Cluster *cluster.Node

	logger *slog.Logger
}

// Open builds a daemon over the registry at cfg.Path. Its catalog starts
// empty and its server answers 503 until Load.
func Open(cfg Config) (*Daemon, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MinCount != 0 && cfg.MinCount < nearby.MinMinCount {
		return nil, fmt.Errorf("daemon: the minimum count must be at least %d, not %d", nearby.MinMinCount, cfg.MinCount)
	}
	timeout := cfg.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	con, err := console.New(cfg.Console)
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	db, err := store.Open(cfg.Path, &store.Options{Timeout: timeout, Now: cfg.Now, Logger: logger.With(slog.String("sys", "store")),
		MinCount: cfg.MinCount, TicketTTL: cfg.TicketTTL, ShakeRetention: cfg.ShakeRetention})
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	d := &Daemon{DB: db, Index: geo.New(), Console: con, logger: logger}
	// Briefs renders each store and program once, at write time, as the
	// API's JSON: the nearby answer then copies them instead of encoding.
	d.Catalog = catalog.New(d.Index, &catalog.Options{Renderer: api.Briefs{}, Now: cfg.Now})
	sopts := &discovery.Options{Logger: logger.With(slog.String("sys", "discovery")), Now: cfg.Now, PseudonymKey: cfg.PseudonymKey}
	if err := d.openCluster(cfg, logger, sopts); err != nil {
		db.Close()
		return nil, err
	}
	d.Service, err = discovery.New(db, d.Catalog, d.Index, sopts)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("daemon: %w", err)
	}
	deps := api.ServiceDeps(d.Service)
	deps.Logger, deps.Now = logger.With(slog.String("sys", "http")), cfg.Now
	deps.Collectors = append(deps.Collectors, db.Collector())
	if d.Cluster != nil {
		deps.Collectors = append(deps.Collectors, d.Cluster.Collector())
	}
	d.Server, err = api.New(cfg.API, deps)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("daemon: %w", err)
	}
	var ctx context.Context
	ctx, d.stopPurge = context.WithCancel(context.Background())
	d.purged = make(chan struct{})
	go d.purgeLoop(ctx, logger.With(slog.String("sys", "store")))
	return d, nil
}

// Handler serves the whole daemon: the browser console at /console/ (and
// the redirect of /) and the API everywhere else. The paths are split here
// rather than in a ServeMux so that the API sees its requests unchanged
// (no path cleaning or redirects of its own).
func (d *Daemon) Handler() http.Handler {
	apiHandler := d.Server.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if console.Owns(r.URL.Path) {
			d.Console.ServeHTTP(w, r)
			return
		}
		apiHandler.ServeHTTP(w, r)
	})
}

// purgeLoop purges expired shake records and event ids every PurgeEvery.
func (d *Daemon) purgeLoop(ctx context.Context, logger *slog.Logger) {
	defer close(d.purged)
	t := time.NewTicker(PurgeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := d.DB.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
				logger.Error("purging expired records failed", slog.Any("err", err))
			}
		}
	}
}

// Load fills the catalog from the registry and marks the server ready. In
// cluster mode it first joins the cluster (restoring a snapshot into the
// registry if the log no longer reaches back to it) and, after loading,
// follows the log until caught up.
func (d *Daemon) Load(ctx context.Context) (discovery.LoadStats, error) {
	if err := d.joinCluster(ctx); err != nil {
		return discovery.LoadStats{}, err
	}
	st, err := d.Service.Load(ctx)
	if err != nil {
		return st, err
	}
	if err := d.DB.ReleaseMapped(); err != nil {
		d.logger.Warn("could not release the database's mapped pages", slog.Any("err", err))
	}
	if err := d.followCluster(ctx); err != nil {
		return st, err
	}
	d.Server.SetReady(true)
	if d.stopBG == nil {
		bg, stop := context.WithCancel(context.WithoutCancel(ctx))
		d.stopBG, d.bgDone = stop, make(chan struct{})
		go func() { defer close(d.bgDone); d.runBackground(bg) }()
	}
	return st, nil
}

// LeaderCheckEvery is how often a cluster node checks whether it leads the
// command stream, and so runs the service's background work.
const LeaderCheckEvery = 2 * time.Second

// runBackground runs the service's background work (alert sweeps, webhook
// deliveries) until ctx is done: always on a single node; in a cluster with
// embedded servers only while this node leads the command stream, so that
// one node delivers each webhook (a leader change may briefly overlap or
// pause them: deliveries are at least once, keyed by webhook-id). With
// --nats-url every node runs it.
func (d *Daemon) runBackground(ctx context.Context) {
	if d.Cluster == nil || !d.Cluster.Embedded() {
		d.Service.Run(ctx)
		return
	}
	var cur *bgRun
	defer func() { cur.halt(); d.background.Store(false) }()
	t := time.NewTicker(LeaderCheckEvery)
	defer t.Stop()
	for {
		leads := d.Cluster.Leads()
		switch {
		case leads && cur == nil:
			cur = startBG(ctx, d.Service.Run)
			d.background.Store(true)
		case !leads && cur != nil:
			cur.halt()
			cur = nil
			d.background.Store(false)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// bgRun is one run of the background work, stopped by halt.
type bgRun struct {
	stop context.CancelFunc
	done chan struct{}
}

func startBG(ctx context.Context, run func(context.Context)) *bgRun {
	rctx, cancel := context.WithCancel(ctx)
	r := &bgRun{stop: cancel, done: make(chan struct{})}
	go func() { defer close(r.done); run(rctx) }()
	return r
}

// halt stops the run and waits for it; a nil run is a no-op.
func (r *bgRun) halt() {
	if r == nil {
		return
	}
	r.stop()
	<-r.done
}

// RunsBackground reports whether this daemon runs the service's background
// work now (in a cluster: whether it leads).
func (d *Daemon) RunsBackground() bool {
	if d.Cluster == nil || !d.Cluster.Embedded() {
		return d.stopBG != nil
	}
	return d.background.Load()
}

// Close stops the server's background work and closes the registry. It
// does not stop an HTTP server serving d.Server.Handler(): shut that down
// first.
func (d *Daemon) Close() error {
	d.stopPurge()
	<-d.purged
	var errs []error
	if d.stopBG != nil {
		d.stopBG()
		<-d.bgDone
	}
	if d.Cluster != nil {
		if err := d.Cluster.Close(); err != nil {
			errs = append(errs, fmt.Errorf("daemon: close cluster: %w", err))
		}
	}
	if err := d.Server.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := d.DB.Close(); err != nil {
		errs = append(errs, fmt.Errorf("daemon: close db: %w", err))
	}
	return errors.Join(errs...)
}
