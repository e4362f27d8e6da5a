package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
)

// Config is the agent's start-up configuration. Sources, later ones
// winning: DefaultConfig, the file given by --config (or
// BEACON_AGENT_CONFIG), the environment, the flags. The file uses the
// environment's names in KEY=VALUE lines, so the same file can be systemd's
// EnvironmentFile.
type Config struct {
	Server string // discoveryd base URL
	Token  string // agent token; prefer the environment to a flag, which ps shows
	Radio  string // "gatt" or "sim"
	Spool  string // path of the bbolt spool
	HCI    int    // HCI device index for gatt (hci0 = 0)

	SpoolMaxEvents int
	BatchSize      int
	Heartbeat      time.Duration
	ConfigRefresh  time.Duration
	BackoffMax     time.Duration
	AttemptTimeout time.Duration
	DrainTimeout   time.Duration
	Grace          time.Duration
	LogLevel       string

	SimSeed     uint64
	SimPhones   int
	SimDuration time.Duration
	SimSpeed    float64 // simulated seconds per wall second; 0 = as fast as possible
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Radio:          "gatt",
		Spool:          "beacon-agent.spool",
		SpoolMaxEvents: agent.DefaultSpoolMaxEvents,
		BatchSize:      agent.DefaultUploadBatchSize,
		Heartbeat:      agent.DefaultHeartbeatEvery,
		ConfigRefresh:  agent.DefaultConfigEvery,
		BackoffMax:     agent.DefaultBackoffMax,
		AttemptTimeout: agent.DefaultAttemptTimeout,
		DrainTimeout:   agent.DefaultDrainTimeout,
		LogLevel:       "info",
		SimSeed:        1,
		SimPhones:      20,
		SimDuration:    10 * time.Minute,
	}
}

// setting is one configuration value known by a flag and an environment
// name.
type setting struct {
	flag, env, usage string
	value            flag.Value
}

func (c *Config) settings() []setting {
	return []setting{
		{"server", "BEACON_AGENT_SERVER", "discoveryd base URL, e.g. https://nearby.example.com", stringValue{&c.Server}},
		{"token", "BEACON_AGENT_TOKEN", "agent token of the beacon (prefer the environment)", stringValue{&c.Token}},
		{"radio", "BEACON_AGENT_RADIO", "radio: gatt (a Bluetooth adapter) or sim (simulated store)", stringValue{&c.Radio}},
		{"spool", "BEACON_AGENT_SPOOL", "path of the on-disk event spool", stringValue{&c.Spool}},
		{"hci", "BEACON_AGENT_HCI", "HCI device index for --radio gatt (hci0 = 0)", intValue{&c.HCI}},
		{"spool-max-events", "BEACON_AGENT_SPOOL_MAX_EVENTS", "events the spool holds before dropping the oldest", intValue{&c.SpoolMaxEvents}},
		{"batch", "BEACON_AGENT_BATCH", "events per upload", intValue{&c.BatchSize}},
		{"heartbeat", "BEACON_AGENT_HEARTBEAT", "interval between heartbeats", durationValue{&c.Heartbeat}},
		{"config-refresh", "BEACON_AGENT_CONFIG_REFRESH", "interval between config fetches", durationValue{&c.ConfigRefresh}},
		{"backoff-max", "BEACON_AGENT_BACKOFF_MAX", "longest wait between upload retries", durationValue{&c.BackoffMax}},
		{"attempt-timeout", "BEACON_AGENT_ATTEMPT_TIMEOUT", "timeout of one request to the daemon", durationValue{&c.AttemptTimeout}},
		{"drain-timeout", "BEACON_AGENT_DRAIN_TIMEOUT", "how long to keep uploading on shutdown", durationValue{&c.DrainTimeout}},
		{"grace", "BEACON_AGENT_GRACE", "silence after which a phone has left (0: ble default)", durationValue{&c.Grace}},
		{"log-level", "LOG_LEVEL", "debug, info, warn or error", stringValue{&c.LogLevel}},
		{"sim-seed", "BEACON_AGENT_SIM_SEED", "simulation seed (--radio sim)", uintValue{&c.SimSeed}},
		{"sim-phones", "BEACON_AGENT_SIM_PHONES", "simulated phones (--radio sim)", intValue{&c.SimPhones}},
		{"sim-duration", "BEACON_AGENT_SIM_DURATION", "simulated day length (--radio sim)", durationValue{&c.SimDuration}},
		{"sim-speed", "BEACON_AGENT_SIM_SPEED", "simulated seconds per second; 0 plays as fast as possible (--radio sim)", floatValue{&c.SimSpeed}},
	}
}

// ErrVersion is returned by Load when --version is given, before the
// configuration is read or checked: the caller prints the version and exits 0.
var ErrVersion = errors.New("beacon-agent: --version")

// Load builds the config from args and the environment (getenv). It
// returns flag.ErrHelp for -h/--help and ErrVersion for --version.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := DefaultConfig()
	fs := flag.NewFlagSet("beacon-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", getenv("BEACON_AGENT_CONFIG"), "file of KEY=VALUE lines with the environment names below ($BEACON_AGENT_CONFIG)")
	version := fs.Bool("version", false, "print the version (module version, VCS revision, Go version) and exit")
	sets := c.settings()
	for _, s := range sets {
		fs.Var(s.value, s.flag, s.usage+" ($"+s.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: beacon-agent [flags]  |  beacon-agent encode ...  |  beacon-agent decode HEX")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if *version {
		return c, ErrVersion
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// Flags were applied while parsing; apply file and environment under
	// them, then the flags again so they win.
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *configPath != "" {
		f, err := os.Open(*configPath)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		vals, err := parseEnvFile(f)
		f.Close()
		if err != nil {
			return c, fmt.Errorf("config %s: %w", *configPath, err)
		}
		if err := apply(sets, given, func(k string) string { return vals[k] }, "config file"); err != nil {
			return c, err
		}
	}
	if err := apply(sets, given, getenv, "environment"); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// apply sets each setting not given as a flag from lookup.
func apply(sets []setting, given map[string]bool, lookup func(string) string, source string) error {
	for _, s := range sets {
		if given[s.flag] {
			continue
		}
		if v := lookup(s.env); v != "" {
			if err := s.value.Set(v); err != nil {
				return fmt.Errorf("%s %s: %w", source, s.env, err)
			}
		}
	}
	return nil
}

// parseEnvFile reads KEY=VALUE lines; blank lines and # comments are
// skipped and a value may be quoted, as systemd's EnvironmentFile allows.
func parseEnvFile(r io.Reader) (map[string]string, error) {
	vals := make(map[string]string)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(strings.TrimPrefix(k, "export "))
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vals[k] = v
	}
	return vals, sc.Err()
}

// Validate reports every bad setting at once, naming its flag.
func (c *Config) Validate() error {
	var p nearby.Problems
	if c.Server == "" {
		p.Addf("server", "is required")
	} else if u, err := url.Parse(c.Server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Addf("server", "must be an http or https URL")
	}
	if c.Token == "" {
		p.Addf("token", "is required")
	}
	if c.Radio != "gatt" && c.Radio != "sim" {
		p.Addf("radio", "must be gatt or sim")
	}
	if c.Spool == "" {
		p.Addf("spool", "is required")
	}
	positive := func(name string, ok bool) {
		if !ok {
			p.Addf(name, "must be positive")
		}
	}
	positive("spool-max-events", c.SpoolMaxEvents > 0)
	positive("batch", c.BatchSize > 0)
	positive("heartbeat", c.Heartbeat > 0)
	positive("config-refresh", c.ConfigRefresh > 0)
	positive("backoff-max", c.BackoffMax > 0)
	positive("attempt-timeout", c.AttemptTimeout > 0)
	positive("drain-timeout", c.DrainTimeout > 0)
	if c.Grace < 0 {
		p.Addf("grace", "must not be negative")
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		p.Addf("log-level", "must be debug, info, warn or error")
	}
	if c.Radio == "sim" {
		if c.SimPhones < 0 {
			p.Addf("sim-phones", "must not be negative")
		}
		positive("sim-duration", c.SimDuration > 0)
		if c.SimSpeed < 0 {
			p.Addf("sim-speed", "must not be negative")
		}
	}
	return p.Err()
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

type stringValue struct{ p *string }

func (v stringValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v stringValue) Set(s string) error { *v.p = s; return nil }

type intValue struct{ p *int }

func (v intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}
func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not an integer")
	}
	*v.p = n
	return nil
}

type uintValue struct{ p *uint64 }

func (v uintValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatUint(*v.p, 10)
}
func (v uintValue) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return errors.New("not a non-negative integer")
	}
	*v.p = n
	return nil
}

type floatValue struct{ p *float64 }

func (v floatValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*v.p, 'g', -1, 64)
}
func (v floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f {
		return errors.New("not a number")
	}
	*v.p = f
	return nil
}

type durationValue struct{ p *time.Duration }

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}
func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration like 30s or 5m")
	}
	*v.p = d
	return nil
}
