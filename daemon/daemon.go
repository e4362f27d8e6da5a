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
	"time"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/cluster"
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
	// Cluster, if set, makes the daemon a replica of a cluster (see
	// package cluster): writes go through the replicated log. Nil: a
	// single node, no NATS at all.
	Cluster *cluster.Config
}

// Daemon is a built discoveryd: its parts are exported for the program
// that serves it and for tests.
type Daemon struct {
	DB      *store.DB
	Index   *geo.Index
	Catalog *catalog.Catalog
	Service *discovery.Service
	Server  *api.Server
	// Cluster is the replica's node in cluster mode, else nil.
	Cluster *cluster.Node
}

// Open builds a daemon over the registry at cfg.Path. Its catalog starts
// empty and its server answers 503 until Load.
func Open(cfg Config) (*Daemon, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	db, err := store.Open(cfg.Path, &store.Options{Timeout: timeout, Now: cfg.Now, Logger: logger.With(slog.String("sys", "store"))})
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	d := &Daemon{DB: db, Index: geo.New()}
	// Briefs renders each store and program once, at write time, as the
	// API's JSON: the nearby answer then copies them instead of encoding.
	d.Catalog = catalog.New(d.Index, &catalog.Options{Renderer: api.Briefs{}, Now: cfg.Now})
	sopts := &discovery.Options{Logger: logger.With(slog.String("sys", "discovery")), Now: cfg.Now}
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
	return d, nil
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
	if err := d.followCluster(ctx); err != nil {
		return st, err
	}
	d.Server.SetReady(true)
	return st, nil
}

// Close stops the server's background work and closes the registry. It
// does not stop an HTTP server serving d.Server.Handler(): shut that down
// first.
func (d *Daemon) Close() error {
	var errs []error
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
