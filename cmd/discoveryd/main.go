// Command discoveryd is the Nearby daemon: the merchant registry on bbolt,
// the in-memory geo index and catalog, and the HTTP API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // store time zones work on machines without a zoneinfo database

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/buildinfo"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/console"
	"github.com/nearby-dev/nearby/daemon"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/httpconn"
	"github.com/nearby-dev/nearby/internal/sweepkick"
	"github.com/nearby-dev/nearby/logattr"
	"github.com/nearby-dev/nearby/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "import" {
		os.Exit(runImport(ctx, os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "compact" {
		os.Exit(runCompact(ctx, os.Args[2:], os.Getenv, os.Stdout, os.Stderr))
	}
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:]); errors.Is(err, flag.ErrHelp) || errors.Is(err, ErrVersion) {
		os.Exit(0)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		m.Close()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var runErr error
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down", slog.String("signal", "SIGINT/SIGTERM"))
	case runErr = <-m.ServeErr():
	}
	stop()
	if err := m.Close(); err != nil || runErr != nil {
		fmt.Fprintln(os.Stderr, errors.Join(runErr, err))
		os.Exit(1)
	}
}

// DBFile is the name of the bbolt file in the data dir.
const DBFile = "nearby.db"

// Main is the daemon: NewMain, ParseFlags, Run, then Close.
type Main struct {
	Config Config
	Stdout io.Writer // start-up summary (text log format only) and --version
	Stderr io.Writer // logs and usage
	Getenv func(string) string
	// LoadGCPercent is the GOGC while loading the index (LoadGCPercent by
	// default: off under a memory limit; 0 leaves the collector alone).
	LoadGCPercent int

	Logger   *slog.Logger
	Daemon   *daemon.Daemon
	DB       *store.DB
	Index    *geo.Index
	Catalog  *catalog.Catalog
	Server   *api.Server
	HTTP     *http.Server
	Listener net.Listener

	loaded   chan struct{} // closed when the index is loaded (or loading failed)
	loadErr  error         // set before loaded is closed
	loadTook time.Duration // set before loaded is closed
	serveErr chan error    // the HTTP server's unexpected end
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the loader and the HTTP server
	closed   sync.Once
	closeErr error
}

// NewMain returns a Main with the default configuration and the process's
// standard streams.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		LoadGCPercent: LoadGCPercent, loaded: make(chan struct{}), serveErr: make(chan error, 1)}
}

// ParseFlags parses the command line over the environment. For --version
// it prints the build on Stdout and returns ErrVersion.
func (m *Main) ParseFlags(args []string) error {
	c, err := ParseConfig(args, m.Getenv, m.Stderr)
	if errors.Is(err, ErrVersion) {
		fmt.Fprintln(m.Stdout, buildinfo.Read().Line("discoveryd"))
		return err
	}
	if err != nil {
		return err
	}
	m.Config = c
	return nil
}

// Addr is the bound listen address (useful with port 0).
func (m *Main) Addr() string { return m.Listener.Addr().String() }

// Loaded is closed when start-up loading has finished; LoadErr says how.
func (m *Main) Loaded() <-chan struct{} { return m.loaded }

// LoadErr is the loading error, valid after Loaded is closed.
func (m *Main) LoadErr() error { return m.loadErr }

// LoadTook is how long loading took, valid after Loaded is closed.
func (m *Main) LoadTook() time.Duration { return m.loadTook }

// ServeErr delivers an error if the HTTP server stops on its own.
func (m *Main) ServeErr() <-chan error { return m.serveErr }

// Run opens the database, binds the listener, starts serving (every /v1
// route answers 503 until the index is loaded) and loads the catalog in the
// background. It returns once the listener is bound.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	if m.Logger == nil {
		m.Logger = c.newLogger(m.Stderr)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("discoveryd: data dir: %w", err)
	}
	token, tokenSource, err := adminToken(c.AdminToken, c.DataDir)
	if err != nil {
		return err
	}
	pkey, err := pseudonymKey(c.DataDir, m.Getenv("DISCOVERYD_PSEUDONYM_KEY"))
	if err != nil {
		return err
	}
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit, cfg.RateBurst, cfg.MaxImportBytes = token, c.RateLimit, c.RateBurst, c.MaxImportBytes
	cfg.TrustForwardedFor = c.TrustForwarded
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(c.DataDir, DBFile), API: cfg, Logger: m.Logger, PseudonymKey: pkey,
		MinCount: c.MinCount, TicketTTL: c.TicketTTL, ShakeRetention: time.Duration(c.RetentionDays) * 24 * time.Hour,
		Console: console.Options{Tiles: c.ConsoleTiles, Attribution: c.ConsoleAttribution}, Cluster: c.clusterConfig()})
	if err != nil {
		return fmt.Errorf("discoveryd: %w", err)
	}
	m.Daemon, m.DB, m.Index, m.Catalog, m.Server = d, d.DB, d.Index, d.Catalog, d.Server
	l, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("discoveryd: listen: %w", err)
	}
	m.Listener = httpconn.Listener(l)
	m.HTTP = &http.Server{
		Handler:           d.Handler(),
		ConnContext:       httpconn.ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	absData, _ := filepath.Abs(c.DataDir)
	url := "http://" + displayAddr(m.Listener.Addr())
	// With JSON logs the output is for a machine: the log record alone
	// carries the start, and stdout stays empty.
	if c.LogFormat != "json" {
		fmt.Fprintf(m.Stdout, "discoveryd listening on %s\n  data dir:    %s\n  admin token: %s\n", url, absData, tokenSource)
	}
	m.Logger.Info("listening", slog.String("addr", m.Addr()), slog.String("url", url),
		slog.String("data_dir", absData), slog.String("admin_token", tokenSource))

	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if runtime.GOMAXPROCS(0) == 1 {
		// On one P the sweep after each collection would hold ready
		// connections for up to 10 ms (golang/go#56060).
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			sweepkick.New().Run(ctx)
		}()
		m.Logger.Debug("sweep kicker on", slog.Int("gomaxprocs", 1))
	}
	m.wg.Add(2)
	go func() {
		defer m.wg.Done()
		if err := m.HTTP.Serve(m.Listener); !errors.Is(err, http.ErrServerClosed) {
			m.serveErr <- fmt.Errorf("discoveryd: serve: %w", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		defer close(m.loaded)
		start := time.Now()
		m.loadErr = load(ctx, m.Daemon, m.LoadGCPercent, servingGCPercent(&m.Config, m.Getenv) <= 0)
		m.loadTook = time.Since(start)
		if m.loadErr != nil {
			m.Logger.Error("loading failed; /readyz stays 503", slog.Any("err", m.loadErr))
			return
		}
		setServingGC(&m.Config, m.Getenv, m.Logger)
		st, pg, bc := m.Catalog.Counts()
		m.Logger.Info("index loaded", logattr.Millis("took_ms", m.loadTook), slog.Int("stores", st),
			slog.Int("programs", pg), slog.Int("beacons", bc))
	}()
	return nil
}

// displayAddr is the address to print: an unspecified host (":8080") is
// reachable as localhost.
func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return net.JoinHostPort("localhost", strconv.Itoa(ta.Port))
	}
	return a.String()
}

// Close drains HTTP requests (up to the shutdown timeout), stops loading,
// then closes the database.
func (m *Main) Close() error {
	m.closed.Do(func() {
		var errs []error
		if m.HTTP != nil {
			ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
			if err := m.HTTP.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("discoveryd: shutdown: %w", err))
				m.HTTP.Close()
			}
			cancel()
		} else if m.Listener != nil {
			m.Listener.Close()
		}
		if m.cancel != nil {
			m.cancel()
		}
		m.wg.Wait()
		if m.Daemon != nil {
			if err := m.Daemon.Close(); err != nil {
				errs = append(errs, fmt.Errorf("discoveryd: %w", err))
			}
		}
		m.closeErr = errors.Join(errs...)
		if m.Logger != nil {
			m.Logger.Info("stopped")
		}
	})
	return m.closeErr
}
