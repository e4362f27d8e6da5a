package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// growthRow is what one world size costs.
type growthRow struct {
	Stores      int     `json:"stores"`
	Programs    int     `json:"programs"` // as the daemon's "index loaded" line counts them
	DBBytes     int64   `json:"db_bytes"`
	Reused      bool    `json:"reused"`       // the data dir was seeded by an earlier run
	SeedSeconds float64 `json:"seed_seconds"` // 0 when reused
	// StartupSeconds is from starting the process to the first 200 of
	// /readyz; LoadSeconds is the daemon's own load time (took_ms).
	StartupSeconds float64 `json:"startup_seconds"`
	LoadSeconds    float64 `json:"load_seconds"`
	// VmRSS and VmHWM (/proc/PID/status) once ready, and after the queries.
	RSSLoadMiB  float64 `json:"rss_load_mib"`
	HWMLoadMiB  float64 `json:"hwm_load_mib"`
	RSSQueryMiB float64 `json:"rss_query_mib"`
	HWMQueryMiB float64 `json:"hwm_query_mib"`
	// Medians over the runs: one connection (latency), 16 (throughput).
	P50us1      float64 `json:"p50_us_c1"`
	P99us1      float64 `json:"p99_us_c1"`
	RPS1        float64 `json:"rps_c1"`
	CPUus1      float64 `json:"server_cpu_us_c1"`
	RPSMany     float64 `json:"rps_cmany"`
	P50usMany   float64 `json:"p50_us_cmany"`
	P99usMany   float64 `json:"p99_us_cmany"`
	CPUusMany   float64 `json:"server_cpu_us_cmany"`
	BodyBytes   float64 `json:"mean_body_bytes"`
	Failed      int     `json:"failed"` // errors and non-200 answers over every run
	LoadAverage string  `json:"load_average"`
	// Runs are the reports the medians come from, c=1 and c=many alternating.
	Runs []report `json:"runs"`
}

// growthReport is the JSON file: how it was measured, then a row per size.
type growthReport struct {
	Command    string      `json:"command"`
	Binary     string      `json:"binary"`
	Version    string      `json:"version"`
	Date       string      `json:"date"`
	Cores      int         `json:"cores"`
	ServerCPU  string      `json:"server_cpu,omitempty"` // taskset -c list, "" unpinned
	ClientCPU  string      `json:"client_cpu,omitempty"`
	Seed       uint64      `json:"seed"`
	ChainShare string      `json:"chain_share,omitempty"` // passed to seed; "" is seed's default
	Conns      int         `json:"conns"`
	Runs       int         `json:"runs"`
	Duration   string      `json:"duration"`
	Warmup     string      `json:"warmup"`
	Rows       []growthRow `json:"rows"`
}

// growthConfig is growth's flags.
type growthConfig struct {
	bin, dataRoot, out      string
	sizes                   []int
	seed                    uint64
	chainShare              string
	keep                    bool
	serverCPU, clientCPU    string
	conns, runs, points     int
	dur, warm, readyTimeout time.Duration
	radius                  float64
	limit                   int
	extraArgs               []string
	command                 string
	version                 string
	pinned                  bool
	origAffinity            string
	clientCPUs              int // in clientCPU
}

// growth measures what a world of each size costs discoveryd: start-up to
// /readyz, memory after loading and after queries, and the nearby query's
// latency and throughput; it writes growth.md, growth.json and SVG plots
// into -out, after every size (so a failure at a large size keeps the
// smaller ones).
func growth(ctx context.Context, args []string, out, logw io.Writer) error {
	fs := flag.NewFlagSet("growth", flag.ContinueOnError)
	var c growthConfig
	fs.StringVar(&c.bin, "bin", "", "discoveryd binary to measure (required)")
	sizes := fs.String("n", "10k,100k,1M,3M,10M", "world sizes in stores, comma-separated (k and M suffixes)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated world")
	fs.StringVar(&c.chainShare, "chain-share", "", "passed to seed as -chain-share when set (share of stores in chains; -1: every store its own program)")
	fs.StringVar(&c.dataRoot, "data-root", "/dev/shm/loadgen-growth", "where the seeded data dirs go, one per size and seed (tmpfs: seeding fsyncs every batch); an existing one is reused")
	fs.BoolVar(&c.keep, "keep", false, "keep each data dir after measuring it (to reuse next time); by default it is removed, seeded now or reused")
	fs.StringVar(&c.out, "out", "docs/growth", "directory of growth.md, growth.json and the SVG plots")
	fs.StringVar(&c.serverCPU, "server-cpu", "0", "taskset -c list for discoveryd (empty: not pinned)")
	fs.StringVar(&c.clientCPU, "client-cpu", "1", "CPU list this process pins itself to while it measures (empty: not pinned)")
	fs.IntVar(&c.conns, "c", 16, "connections of the throughput runs (the latency runs use one)")
	fs.IntVar(&c.runs, "runs", 3, "runs per connection count, alternating; the table gives medians")
	fs.DurationVar(&c.dur, "d", 5*time.Second, "measured duration of one run")
	fs.DurationVar(&c.warm, "warmup", time.Second, "warm-up before each run")
	fs.DurationVar(&c.readyTimeout, "ready-timeout", 15*time.Minute, "longest wait for /readyz")
	fs.IntVar(&c.points, "points", 100_000, "distinct query points")
	fs.Float64Var(&c.radius, "radius", 2000, "radius_m of each query")
	fs.IntVar(&c.limit, "limit", 20, "limit of each query")
	daemonArgs := fs.String("daemon-args", "", "more discoveryd flags, space-separated (e.g. --gc-percent=200)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.bin == "" {
		return errors.New("growth: -bin is required (go build -o /tmp/discoveryd ./cmd/discoveryd)")
	}
	var err error
	if c.sizes, err = parseSizes(*sizes); err != nil {
		return fmt.Errorf("growth: -n: %w", err)
	}
	if c.conns < 1 || c.runs < 1 {
		return errors.New("growth: -c and -runs must be at least 1")
	}
	c.extraArgs = strings.Fields(*daemonArgs)
	c.command = "loadgen growth " + strings.Join(args, " ")
	if c.bin, err = filepath.Abs(c.bin); err != nil {
		return err
	}
	v, err := exec.CommandContext(ctx, c.bin, "--version").Output()
	if err != nil {
		return fmt.Errorf("growth: %s --version: %w", c.bin, err)
	}
	c.version = strings.TrimSpace(string(v))
	if _, err := exec.LookPath("taskset"); err == nil && runtime.NumCPU() >= 2 && c.serverCPU != "" && c.clientCPU != "" {
		c.pinned = true
		if c.clientCPUs, err = cpuCount(c.clientCPU); err != nil {
			return fmt.Errorf("growth: -client-cpu: %w", err)
		}
		if _, err := cpuCount(c.serverCPU); err != nil {
			return fmt.Errorf("growth: -server-cpu: %w", err)
		}
		if c.origAffinity, err = selfAffinity(); err != nil {
			return err
		}
	} else {
		c.serverCPU, c.clientCPU = "", ""
		fmt.Fprintln(logw, "growth: not pinning (no taskset, one core, or an empty -server-cpu/-client-cpu)")
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	rep := growthReport{Command: c.command, Binary: c.bin, Version: c.version, Date: time.Now().UTC().Format(time.RFC3339),
		Cores: runtime.NumCPU(), ServerCPU: c.serverCPU, ClientCPU: c.clientCPU, Seed: c.seed, ChainShare: c.chainShare,
		Conns: c.conns, Runs: c.runs, Duration: c.dur.String(), Warmup: c.warm.String()}
	for _, n := range c.sizes {
		row, err := c.measureSize(ctx, n, logw)
		if err != nil {
			return fmt.Errorf("growth: %d stores: %w", n, err)
		}
		rep.Rows = append(rep.Rows, row)
		if err := writeGrowth(c.out, rep); err != nil {
			return err
		}
		fmt.Fprintf(logw, "growth: %d stores: ready in %.2fs, RSS %.0f MiB (HWM %.0f MiB), p50 %.0fµs p99 %.0fµs at c=1, %.0f req/s at c=%d\n",
			n, row.StartupSeconds, row.RSSLoadMiB, row.HWMQueryMiB, row.P50us1, row.P99us1, row.RPSMany, c.conns)
	}
	if !c.keep {
		os.Remove(c.dataRoot) // only if nothing else is left in it
	}
	return growthMarkdown(out, rep)
}

// measureSize seeds (or reuses) the data dir for n stores, starts the
// daemon on it and measures it.
func (c *growthConfig) measureSize(ctx context.Context, n int, logw io.Writer) (row growthRow, err error) {
	row.Stores = n
	dir, reused, took, err := c.dataDir(ctx, n, logw)
	if err != nil {
		return row, err
	}
	if !c.keep {
		// The mark first: a dir left without one is seeded anew.
		defer func() {
			rerr := errors.Join(os.Remove(dir+seededMark), os.RemoveAll(dir))
			if rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	row.Reused, row.SeedSeconds = reused, took.Seconds()
	if st, err := os.Stat(filepath.Join(dir, "nearby.db")); err == nil {
		row.DBBytes = st.Size()
	}
	targets := queryTargets("/v1/nearby", c.seed, n, c.points, c.radius, c.limit)
	// What seeding left on this process's heap must not count against the
	// machine while the daemon loads.
	runtime.GC()
	debug.FreeOSMemory()

	if c.pinned {
		if err := setAffinity(os.Getpid(), c.clientCPU); err != nil {
			return row, err
		}
		// As if started under taskset: the runtime sized GOMAXPROCS for
		// every core, and more Ps than cores only add switches.
		prev := runtime.GOMAXPROCS(c.clientCPUs)
		defer func() {
			runtime.GOMAXPROCS(prev)
			if rerr := setAffinity(os.Getpid(), c.origAffinity); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	fmt.Fprintf(logw, "growth: %d stores: starting %s\n", n, filepath.Base(c.bin))
	d, err := startDaemon(c.bin, append([]string{"--listen", "127.0.0.1:0", "--data-dir", dir, "--rate-limit", "0",
		"--log-format", "json", "--log-level", "info"}, c.extraArgs...), c.serverCPU)
	if err != nil {
		return row, err
	}
	defer func() {
		if serr := d.stop(30 * time.Second); serr != nil && err == nil {
			err = serr
		}
	}()
	startup, err := d.waitReady(ctx, c.readyTimeout)
	if err != nil {
		return row, err
	}
	row.StartupSeconds = startup.Seconds()
	li := d.loadInfo()
	row.LoadSeconds, row.Programs = li.tookMs/1e3, li.programs
	if li.stores != n {
		return row, fmt.Errorf("the daemon loaded %d stores, want %d", li.stores, n)
	}
	rss, hwm, err := memStatus(d.pid())
	if err != nil {
		return row, err
	}
	row.RSSLoadMiB, row.HWMLoadMiB = mib(rss), mib(hwm)

	var one, many []report
	for r := 0; r < c.runs; r++ {
		for _, conns := range []int{1, c.conns} {
			rep, err := measure(ctx, d.addr, targets, conns, c.warm, c.dur, d.pid())
			if err != nil {
				return row, err
			}
			rep.URL = "http://" + d.addr + "/v1/nearby"
			row.Runs = append(row.Runs, rep)
			row.Failed += rep.Errors + rep.Non200
			if conns == 1 {
				one = append(one, rep)
			} else {
				many = append(many, rep)
			}
			fmt.Fprintf(logw, "growth: %d stores: run %d c=%d: %.0f req/s p50 %.0fµs p99 %.0fµs cpu %.1fµs/req load %s\n",
				n, r+1, conns, rep.RPS, rep.P50us, rep.P99us, rep.ServerCPUus, loadAvg())
		}
	}
	if row.Failed > 0 {
		return row, fmt.Errorf("%d failed queries (errors or non-200 answers)", row.Failed)
	}
	rss, hwm, err = memStatus(d.pid())
	if err != nil {
		return row, err
	}
	row.RSSQueryMiB, row.HWMQueryMiB = mib(rss), mib(hwm)
	row.P50us1, row.P99us1 = medianOf(one, func(r report) float64 { return r.P50us }), medianOf(one, func(r report) float64 { return r.P99us })
	row.RPS1, row.CPUus1 = medianOf(one, func(r report) float64 { return r.RPS }), medianOf(one, func(r report) float64 { return r.ServerCPUus })
	row.RPSMany, row.P50usMany = medianOf(many, func(r report) float64 { return r.RPS }), medianOf(many, func(r report) float64 { return r.P50us })
	row.P99usMany, row.CPUusMany = medianOf(many, func(r report) float64 { return r.P99us }), medianOf(many, func(r report) float64 { return r.ServerCPUus })
	row.BodyBytes = medianOf(one, func(r report) float64 { return r.MeanBodyLen })
	row.LoadAverage = loadAvg()
	return row, nil
}

// seededMark is the file, beside a data dir, that says seeding finished: a
// dir without it is the remains of an interrupted seed and is seeded anew.
const seededMark = ".seeded"

// dataDir returns the data dir for n stores, seeding it unless a finished
// one is there.
func (c *growthConfig) dataDir(ctx context.Context, n int, logw io.Writer) (dir string, reused bool, took time.Duration, err error) {
	name := fmt.Sprintf("n%d-seed%d", n, c.seed)
	if c.chainShare != "" {
		name += "-chain" + c.chainShare
	}
	dir = filepath.Join(c.dataRoot, name)
	if _, err := os.Stat(dir + seededMark); err == nil {
		fmt.Fprintf(logw, "growth: %d stores: reusing %s\n", n, dir)
		return dir, true, 0, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", false, 0, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, 0, err
	}
	args := []string{"-data-dir", dir, "-stores", strconv.Itoa(n), "-seed", strconv.FormatUint(c.seed, 10)}
	if c.chainShare != "" {
		args = append(args, "-chain-share", c.chainShare)
	}
	fmt.Fprintf(logw, "growth: %d stores: seeding %s\n", n, dir)
	start := time.Now()
	if err := seed(ctx, args, logw); err != nil {
		os.RemoveAll(dir)
		return "", false, 0, fmt.Errorf("seed: %w", err)
	}
	took = time.Since(start)
	if err := os.WriteFile(dir+seededMark, []byte(strings.Join(args, " ")+"\n"), 0o600); err != nil {
		return "", false, 0, err
	}
	return dir, false, took, nil
}

// medianOf is the median of f over rs (the upper middle for an even
// count, as compare's).
func medianOf(rs []report, f func(report) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// parseSizes parses "10k,100k,1M": positive counts with an optional k
// (thousand) or M (million) suffix, decimals allowed before one.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.ReplaceAll(strings.TrimSpace(f), "_", "")
		mult := 1.0
		switch {
		case strings.HasSuffix(f, "k"), strings.HasSuffix(f, "K"):
			mult, f = 1e3, f[:len(f)-1]
		case strings.HasSuffix(f, "M"), strings.HasSuffix(f, "m"):
			mult, f = 1e6, f[:len(f)-1]
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v*mult < 1 || v*mult > 1e9 || v*mult != float64(int(v*mult)) {
			return nil, fmt.Errorf("bad size %q: want a whole number of stores like 1000, 10k or 2.5M", f)
		}
		out = append(out, int(v*mult))
	}
	return out, nil
}

// humanSize writes 10000 as "10k" and 2500000 as "2.5M".
func humanSize(n int) string {
	switch {
	case n >= 1e6 && n%1e5 == 0:
		return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + "M"
	case n >= 1e3 && n%100 == 0:
		return strconv.FormatFloat(float64(n)/1e3, 'f', -1, 64) + "k"
	}
	return strconv.Itoa(n)
}

// memStatus returns VmRSS and VmHWM of process pid in bytes.
func memStatus(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	return parseMemStatus(string(b))
}

// parseMemStatus reads VmRSS and VmHWM (in kB) from the text of
// /proc/PID/status.
func parseMemStatus(s string) (rss, hwm int64, err error) {
	found := 0
	for line := range strings.Lines(s) {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("/proc status: bad %s line %q", k, strings.TrimSpace(line))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc status: %s: %w", k, err)
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
		found++
	}
	if found != 2 {
		return 0, 0, errors.New("/proc status: no VmRSS and VmHWM")
	}
	return rss, hwm, nil
}

// selfAffinity is the CPU list this process may run on now.
func selfAffinity() (string, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && k == "Cpus_allowed_list" {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("/proc/self/status: no Cpus_allowed_list")
}

// cpuCount counts the CPUs of a taskset -c list such as "1", "0-3" or
// "0,2-3".
func cpuCount(list string) (int, error) {
	n := 0
	for _, f := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(f), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a {
			return 0, fmt.Errorf("bad CPU list %q", list)
		}
		n += b - a + 1
	}
	return n, nil
}

// setAffinity pins every thread of pid to cpus (threads started later
// inherit it from the one that starts them).
func setAffinity(pid int, cpus string) error {
	out, err := exec.Command("taskset", "-a", "-p", "-c", cpus, strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset -a -p -c %s %d: %w: %s", cpus, pid, err, out)
	}
	return nil
}

// daemonProc is a discoveryd process started with JSON logs on stderr.
type daemonProc struct {
	cmd   *exec.Cmd
	start time.Time
	addr  string

	listening chan string   // the bound address, from the "listening" record
	indexed   chan struct{} // closed at the "index loaded" record
	exited    chan struct{} // closed once the process has been waited for
	waitErr   error         // set before exited is closed

	mu     sync.Mutex
	loaded loadInfo
	tail   []string // the last lines of its log, for errors
}

type loadInfo struct {
	seen             bool
	tookMs           float64
	stores, programs int
	err              string
}

// startDaemon runs bin with args, under taskset -c cpus when cpus is set.
func startDaemon(bin string, args []string, cpus string) (*daemonProc, error) {
	argv := append([]string{bin}, args...)
	if cpus != "" {
		argv = append([]string{"taskset", "-c", cpus}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	d := &daemonProc{cmd: cmd, listening: make(chan string, 1), indexed: make(chan struct{}), exited: make(chan struct{})}
	d.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go d.readLog(stderr)
	return d, nil
}

// pid is the daemon's: taskset execs it in place.
func (d *daemonProc) pid() int { return d.cmd.Process.Pid }

// readLog follows the daemon's JSON log to its end, then waits for the
// process (Wait must come after the last read of the pipe).
func (d *daemonProc) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var rec struct {
			Msg      string  `json:"msg"`
			Addr     string  `json:"addr"`
			TookMs   float64 `json:"took_ms"`
			Stores   int     `json:"stores"`
			Programs int     `json:"programs"`
			Err      string  `json:"err"`
		}
		_ = json.Unmarshal([]byte(line), &rec) // a line that is not JSON is kept in the tail only
		d.mu.Lock()
		d.tail = append(d.tail, line)
		if len(d.tail) > 20 {
			d.tail = d.tail[1:]
		}
		switch rec.Msg {
		case "listening":
			select {
			case d.listening <- rec.Addr:
			default:
			}
		case "index loaded":
			if !d.loaded.seen { // once per start
				d.loaded = loadInfo{seen: true, tookMs: rec.TookMs, stores: rec.Stores, programs: rec.Programs}
				close(d.indexed)
			}
		case "loading failed; /readyz stays 503":
			d.loaded.err = rec.Err
		}
		d.mu.Unlock()
	}
	io.Copy(io.Discard, r)
	d.waitErr = d.cmd.Wait()
	close(d.exited)
}

func (d *daemonProc) loadInfo() loadInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.loaded
}

func (d *daemonProc) exitErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Errorf("discoveryd exited (%v); its last log lines:\n%s", d.waitErr, strings.Join(d.tail, "\n"))
}

// waitReady waits for the listening address, then polls /readyz until it
// answers 200, and returns the time from the start of the process.
func (d *daemonProc) waitReady(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	select {
	case d.addr = <-d.listening:
	case <-d.exited:
		return 0, d.exitErr()
	case <-deadline.C:
		return 0, fmt.Errorf("discoveryd did not say where it listens within %v", timeout)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	client := &http.Client{Timeout: 5 * time.Second}
	url := "http://" + d.addr + "/readyz"
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				took := time.Since(d.start)
				// The daemon logs its counts just after it turns ready.
				select {
				case <-d.indexed:
					return took, nil
				case <-d.exited:
					return 0, d.exitErr()
				case <-time.After(30 * time.Second):
					return 0, errors.New(`ready, but no "index loaded" log record within 30 s`)
				}
			}
		}
		if li := d.loadInfo(); li.err != "" {
			return 0, fmt.Errorf("discoveryd failed to load: %s", li.err)
		}
		select {
		case <-tick.C:
		case <-d.exited:
			return 0, d.exitErr()
		case <-deadline.C:
			return 0, fmt.Errorf("/readyz not 200 within %v", timeout)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// stop sends SIGTERM and waits up to grace for the exit, then kills.
func (d *daemonProc) stop(grace time.Duration) error {
	select {
	case <-d.exited:
		return nil // already gone; the caller has reported why
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-d.exited:
		var ee *exec.ExitError
		if errors.As(d.waitErr, &ee) {
			return d.exitErr()
		}
		return d.waitErr
	case <-time.After(grace):
		d.cmd.Process.Kill()
		<-d.exited
		return fmt.Errorf("discoveryd did not stop within %v of SIGTERM: killed", grace)
	}
}

// writeGrowth writes growth.md, growth.json and the plots into dir.
func writeGrowth(dir string, rep growthReport) error {
	var md strings.Builder
	if err := growthMarkdown(&md, rep); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "growth.md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "growth.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	return growthPlots(dir, rep)
}

// growthMarkdown writes the table with how it was measured.
func growthMarkdown(w io.Writer, rep growthReport) error {
	pin := "not pinned"
	if rep.ServerCPU != "" {
		pin = fmt.Sprintf("discoveryd on CPU %s, load generator on CPU %s", rep.ServerCPU, rep.ClientCPU)
	}
	chain := ""
	if rep.ChainShare != "" {
		chain = ", chain share " + rep.ChainShare
	}
	_, err := fmt.Fprintf(w, "Cost growth of `%s` (%s), %s; %d cores, %s; world seed %d%s; median of %d run(s) of %s each (after %s of warm-up) at 1 and %d connections.\n\n"+
		"    %s\n\n"+
		"| stores | programs | bbolt file | start-up to /readyz | load (daemon) | RSS after load | HWM after load | RSS after queries | HWM after queries | p50 c=1 | p99 c=1 | CPU/req c=1 | req/s c=%d | p99 c=%d | CPU/req c=%d | body | load avg |\n"+
		"|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
		filepath.Base(rep.Binary), rep.Version, rep.Date, rep.Cores, pin, rep.Seed, chain, rep.Runs, rep.Duration, rep.Warmup, rep.Conns,
		rep.Command, rep.Conns, rep.Conns, rep.Conns)
	if err != nil {
		return err
	}
	for _, r := range rep.Rows {
		_, err := fmt.Fprintf(w, "| %s | %s | %.0f MiB | %.2f s | %.2f s | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB | %.0f µs | %.0f µs | %.1f µs | %s | %.0f µs | %.1f µs | %.0f B | %s |\n",
			thousands(r.Stores), thousands(r.Programs), mib(r.DBBytes), r.StartupSeconds, r.LoadSeconds,
			r.RSSLoadMiB, r.HWMLoadMiB, r.RSSQueryMiB, r.HWMQueryMiB,
			r.P50us1, r.P99us1, r.CPUus1, thousands(int(r.RPSMany+0.5)), r.P99usMany, r.CPUusMany, r.BodyBytes, r.LoadAverage)
		if err != nil {
			return err
		}
	}
	return nil
}

// thousands writes 1234567 as "1,234,567".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
