package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/cluster"
	"github.com/nearby-dev/nearby/console"
	"github.com/nearby-dev/nearby/logattr"
	"github.com/nearby-dev/nearby/store"
)

// Config is discoveryd's configuration. Every field comes from a flag, or
// from its environment variable when the flag is not given.
type Config struct {
	Listen          string
	DataDir         string
	AdminToken      string // secret: prefer the environment or the generated file
	LogLevel        string
	LogFormat       string
	RateLimit       float64
	RateBurst       int
	ShutdownTimeout time.Duration
	MaxImportBytes  int64
	TrustForwarded  bool
	// ConsoleTiles is the console map's tile URL template ("" for none)
	// and ConsoleAttribution the credit shown with them.
	ConsoleTiles       string
	ConsoleAttribution string
	// GCPercent is the collector's GOGC once the index is loaded; 0 leaves
	// the runtime's setting alone. See servingGCPercent.
	GCPercent int
	// MinCount is the k of the statistics' minimum counts (never below
	// nearby.MinMinCount).
	MinCount int
	// TicketTTL is how long a shake's ticket answers; RetentionDays how
	// many days shake records are kept.
	TicketTTL     time.Duration
	RetentionDays int
	// Cluster mode (see clusterConfig): all empty means a single node.
	ClusterName, ClusterListen, ClusterPeers, NATSURL string
}

// Defaults of Config.
const (
	DefaultListen          = ":8080"
	DefaultDataDir         = "./data"
	DefaultLogLevel        = "info"
	DefaultLogFormat       = "text"
	DefaultShutdownTimeout = 15 * time.Second
	// DefaultGCPercent is the GOGC while serving. The live heap is the
	// catalog and hardly changes, while every phone request allocates a
	// few short-lived kilobytes. The catalog holds almost no pointers
	// (byte arenas and rows of numbers), so a collection marks it in a few
	// milliseconds however large it is: collecting often is cheap, and a
	// small GOGC keeps the heap, and so the process, close to the live
	// catalog (at 25, a quarter above it).
	DefaultGCPercent = 25
)

// DefaultConfig returns the configuration of a fresh start with no flags.
func DefaultConfig() Config {
	return Config{
		Listen:             DefaultListen,
		DataDir:            DefaultDataDir,
		LogLevel:           DefaultLogLevel,
		LogFormat:          DefaultLogFormat,
		RateLimit:          api.DefaultRateLimit,
		RateBurst:          api.DefaultRateBurst,
		ShutdownTimeout:    DefaultShutdownTimeout,
		MaxImportBytes:     api.DefaultMaxImportBytes,
		GCPercent:          DefaultGCPercent,
		ConsoleTiles:       console.DefaultTiles,
		ConsoleAttribution: console.DefaultAttribution,
		MinCount:           nearby.DefaultMinCount,
		TicketTTL:          store.DefaultTicketTTL,
		RetentionDays:      int(store.DefaultShakeRetention / (24 * time.Hour)),
	}
}

// flagSpec documents one flag with its environment variable.
type flagSpec struct {
	name, env, usage string
	value            flag.Value
}

func (c *Config) specs() []flagSpec {
	return []flagSpec{
		{"listen", "DISCOVERYD_LISTEN", "address to listen on (host:port; port 0 picks one)", (*stringValue)(&c.Listen)},
		{"data-dir", "DISCOVERYD_DATA_DIR", "directory of the database (nearby.db) and the generated admin.token", (*stringValue)(&c.DataDir)},
		{"admin-token", "DISCOVERYD_ADMIN_TOKEN", "admin bearer token; if unset one is generated at first start into <data-dir>/admin.token (0600)", (*stringValue)(&c.AdminToken)},
		{"log-level", "DISCOVERYD_LOG_LEVEL", "debug, info, warn or error", (*stringValue)(&c.LogLevel)},
		{"log-format", "DISCOVERYD_LOG_FORMAT", "text or json", (*stringValue)(&c.LogFormat)},
		{"rate-limit", "DISCOVERYD_RATE_LIMIT", "public (phone) requests per second per client IP; 0 disables", (*floatValue)(&c.RateLimit)},
		{"rate-burst", "DISCOVERYD_RATE_BURST", "burst of the per-client rate limit", (*intValue)(&c.RateBurst)},
		{"shutdown-timeout", "DISCOVERYD_SHUTDOWN_TIMEOUT", "how long to drain requests on SIGTERM/SIGINT", (*durationValue)(&c.ShutdownTimeout)},
		{"max-import-bytes", "DISCOVERYD_MAX_IMPORT_BYTES", "largest body of POST /v1/stores/import", (*int64Value)(&c.MaxImportBytes)},
		{"trust-forwarded-for", "DISCOVERYD_TRUST_FORWARDED_FOR", "behind a reverse proxy: take the client IP from X-Forwarded-For when the peer is a private or loopback address", (*boolValue)(&c.TrustForwarded)},
		{"console-tiles", "DISCOVERYD_CONSOLE_TILES", "map tile URL template of the browser console at /console/ ({z}/{x}/{y}, optional {s}); empty shows the map without tiles", (*stringValue)(&c.ConsoleTiles)},
		{"console-tiles-attribution", "DISCOVERYD_CONSOLE_TILES_ATTRIBUTION", "plain-text credit shown with the console's map tiles", (*stringValue)(&c.ConsoleAttribution)},
		{"min-count", "DISCOVERYD_MIN_COUNT", "statistics about people are shown only when at least this many distinct devices stand behind them (k-anonymity; at least 2)", (*intValue)(&c.MinCount)},
		{"ticket-ttl", "DISCOVERYD_TICKET_TTL", "how long a shake's ticket answers GET /v1/shakes/{ticket}", (*durationValue)(&c.TicketTTL)},
		{"retention-days", "DISCOVERYD_RETENTION_DAYS", "days shake records (with each merchant's pseudonym of the phone) are kept before they are purged", (*intValue)(&c.RetentionDays)},
		{"cluster-name", "DISCOVERYD_CLUSTER_NAME", "cluster mode: the cluster's name (the same on every node); starts an embedded NATS JetStream server, see docs/cluster.md", (*stringValue)(&c.ClusterName)},
		{"cluster-listen", "DISCOVERYD_CLUSTER_LISTEN", "cluster mode: this node's route address for the other nodes (host:port, e.g. :6222)", (*stringValue)(&c.ClusterListen)},
		{"cluster-peers", "DISCOVERYD_CLUSTER_PEERS", "cluster mode: comma-separated route addresses (host:port) of the cluster's nodes, this one may be included", (*stringValue)(&c.ClusterPeers)},
		{"nats-url", "DISCOVERYD_NATS_URL", "cluster mode on an existing NATS cluster with JetStream instead of the embedded server (e.g. nats://n1:4222,nats://n2:4222)", (*stringValue)(&c.NATSURL)},
		{"gc-percent", "DISCOVERYD_GC_PERCENT", "garbage collector's GOGC once the index is loaded (0: the runtime's own; ignored when the GOGC variable is set); the heap may grow to about (1+N/100) times the live heap, see Memory below", (*intValue)(&c.GCPercent)},
	}
}

// ErrVersion is returned by ParseConfig when --version is given (before
// any check of the configuration, so that it always answers); Main.ParseFlags
// has then printed the version, and the process exits 0.
var ErrVersion = errors.New("discoveryd: --version")

// ParseConfig parses args over the environment over the defaults. It
// returns flag.ErrHelp after printing the usage for -h/--help, and
// ErrVersion for --version.
func ParseConfig(args []string, getenv func(string) string, usageOut io.Writer) (Config, error) {
	c := DefaultConfig()
	fs := flag.NewFlagSet("discoveryd", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	specs := c.specs()
	var envErr error // reported after the flags, so that --help and --version still answer
	for _, s := range specs {
		if v := getenv(s.env); v != "" {
			if err := s.value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("discoveryd: %s=%q: %w", s.env, v, err)
			}
		}
		fs.Var(s.value, s.name, s.usage+" (env "+s.env+")")
	}
	version := fs.Bool("version", false, versionUsage)
	def := DefaultConfig()
	fs.Usage = func() { usage(usageOut, def.specs()) } // defaults, never a secret from the environment
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if *version {
		return c, ErrVersion
	}
	if envErr != nil {
		return c, envErr
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("discoveryd: unexpected argument %q (subcommands: import, compact)", fs.Arg(0))
	}
	return c, c.Validate()
}

func usage(w io.Writer, specs []flagSpec) {
	fmt.Fprint(w, `discoveryd: the Nearby discovery daemon (merchant registry, phone queries, beacon agents).

Usage:
  discoveryd [flags]                 serve the HTTP API
  discoveryd import [flags] FILE     stream a CSV/GeoJSON file of stores to a server (see discoveryd import -h)
  discoveryd compact [--data-dir D]  with discoveryd stopped, rewrite nearby.db without the bytes of purged records

Flags (each also read from its environment variable; the flag wins):
`)
	for _, s := range specs {
		fmt.Fprintf(w, "  --%s (%s, default %q)\n      %s\n", s.name, s.env, s.value.String(), s.usage)
	}
	fmt.Fprintf(w, "  --version\n      %s\n", versionUsage)
	fmt.Fprint(w, `
Data: <data-dir>/nearby.db (bbolt, every acknowledged write is fsynced),
<data-dir>/admin.token when no admin token is given, and
<data-dir>/pseudonym.key, the key of the per-merchant device pseudonyms
(delete it while stopped to rotate every pseudonym; DISCOVERYD_PSEUDONYM_KEY
gives it instead, as every node of a cluster must). What is kept about
phones: docs/privacy.md.
Cluster: with --cluster-name, --cluster-listen and --cluster-peers on three
nodes every write goes through a replicated NATS JetStream log (embedded,
store in <data-dir>/nats, fsync on every write); see docs/cluster.md.
Operations: GET /healthz, /readyz, /metrics (Prometheus), /openapi.json.
Memory: the catalog keeps its records as rows of numbers and byte arenas,
with almost no pointers: a million stores, each with its own program, are
about 410 MB of live heap, ten million about 4.1 GB, and a collection marks
either in tens of milliseconds to about 100 ms. The default --gc-percent 25
therefore costs little CPU and keeps the heap within about a quarter above
the live catalog. Raise it (or set GOGC) to collect less often for more
memory, or set a soft limit with GOMEMLIMIT. On one core (GOMAXPROCS 1)
discoveryd polls the network every millisecond, so that the runtime's sweep
after a collection does not hold requests for 10 ms (golang/go#56060).
While loading, the collector
is off under a limit of three quarters of the machine's memory (or
GOMEMLIMIT, if lower): the load peaks at about 1.7 GB per million stores
and programs, then returns what it no longer needs.
`)
}

const versionUsage = "print the version (module version, VCS revision, Go version) and exit"

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("--listen is required"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir is required"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat))
	}
	if c.RateLimit < 0 || c.RateBurst < 1 {
		errs = append(errs, errors.New("--rate-limit must be >= 0 and --rate-burst >= 1"))
	}
	if c.MinCount < nearby.MinMinCount {
		errs = append(errs, fmt.Errorf("--min-count must be at least %d", nearby.MinMinCount))
	}
	if c.TicketTTL <= 0 || c.RetentionDays < 1 || time.Duration(c.RetentionDays)*24*time.Hour < c.TicketTTL {
		errs = append(errs, errors.New("--ticket-ttl must be positive and --retention-days at least 1 and cover the ticket TTL"))
	}
	if c.GCPercent < 0 {
		errs = append(errs, errors.New("--gc-percent must be >= 0"))
	}
	if c.ShutdownTimeout <= 0 || c.MaxImportBytes <= 0 {
		errs = append(errs, errors.New("--shutdown-timeout and --max-import-bytes must be positive"))
	}
	if err := console.CheckTiles(c.ConsoleTiles); err != nil {
		errs = append(errs, fmt.Errorf("--console-tiles: %w", err))
	}
	if cc := c.clusterConfig(); cc != nil {
		if c.NATSURL == "" && (c.ClusterName == "" || c.ClusterListen == "") {
			errs = append(errs, errors.New("cluster mode needs --cluster-name and --cluster-listen (or --nats-url)"))
		} else if err := cc.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("discoveryd: config: %w", err)
	}
	return nil
}

// clusterConfig is the cluster mode the flags ask for, nil for a single
// node (no flag given: no NATS at all).
func (c *Config) clusterConfig() *cluster.Config {
	cc := &cluster.Config{Name: c.ClusterName, Listen: c.ClusterListen, URL: c.NATSURL, Dir: filepath.Join(c.DataDir, "nats")}
	for p := range strings.SplitSeq(c.ClusterPeers, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cc.Peers = append(cc.Peers, p)
		}
	}
	if !cc.Enabled() {
		return nil
	}
	return cc
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// newLogger builds the process's one slog handler. Durations are written
// with their unit in the key, never as bare nanoseconds.
func (c *Config) newLogger(w io.Writer) *slog.Logger {
	lvl, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: logattr.ReplaceDurations}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

type floatValue float64

func (v *floatValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }
func (v *floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	*v = floatValue(f)
	return err
}

type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	*v = intValue(n)
	return err
}

type int64Value int64

func (v *int64Value) String() string { return strconv.FormatInt(int64(*v), 10) }
func (v *int64Value) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	*v = int64Value(n)
	return err
}

type boolValue bool

func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	*v = boolValue(b)
	return err
}

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	*v = durationValue(d)
	return err
}
