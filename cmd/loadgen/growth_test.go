package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"10k,100k,1M,3M,10M", []int{10_000, 100_000, 1_000_000, 3_000_000, 10_000_000}, true},
		{"1000, 3000", []int{1000, 3000}, true},
		{"2.5M,1_500,7K", []int{2_500_000, 1500, 7000}, true},
		{"", nil, false},
		{"10k,", nil, false},
		{"0", nil, false},
		{"-5", nil, false},
		{"1.5", nil, false}, // half a store
		{"abc", nil, false},
		{"2G", nil, false},
	} {
		got, err := parseSizes(tc.in)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestHumanSizeAndThousands(t *testing.T) {
	for _, tc := range []struct {
		n          int
		human, sep string
	}{
		{999, "999", "999"},
		{1000, "1k", "1,000"},
		{2500, "2.5k", "2,500"},
		{10_000, "10k", "10,000"},
		{1_000_000, "1M", "1,000,000"},
		{2_500_000, "2.5M", "2,500,000"},
		{1234, "1234", "1,234"},
		{-1234, "-1234", "-1,234"},
	} {
		if got := humanSize(tc.n); got != tc.human {
			t.Errorf("humanSize(%d) = %q, want %q", tc.n, got, tc.human)
		}
		if got := thousands(tc.n); got != tc.sep {
			t.Errorf("thousands(%d) = %q, want %q", tc.n, got, tc.sep)
		}
	}
}

func TestParseMemStatus(t *testing.T) {
	const status = "Name:\tdiscoveryd\nVmPeak:\t 2000000 kB\nVmHWM:\t  812345 kB\nVmRSS:\t  790000 kB\nThreads:\t7\n"
	rss, hwm, err := parseMemStatus(status)
	if err != nil || rss != 790000<<10 || hwm != 812345<<10 {
		t.Errorf("parseMemStatus = %d, %d, %v; want %d, %d", rss, hwm, err, 790000<<10, 812345<<10)
	}
	for _, bad := range []string{"Name:\tx\n", "VmRSS:\t12 kB\n", "VmRSS:\t12 MB\nVmHWM:\t12 kB\n", "VmRSS:\tx kB\nVmHWM:\t1 kB\n"} {
		if _, _, err := parseMemStatus(bad); err == nil {
			t.Errorf("parseMemStatus(%q): nil error", bad)
		}
	}
	// This process's own, through /proc where there is one.
	if runtime.GOOS == "linux" {
		rss, hwm, err := memStatus(os.Getpid())
		if err != nil || rss <= 0 || hwm < rss {
			t.Errorf("memStatus(self) = %d, %d, %v: want 0 < RSS ≤ HWM", rss, hwm, err)
		}
	}
}

func TestCPUCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true}, {"0-1", 2, true}, {"0,2-3", 3, true}, {" 4 , 6-7", 3, true},
		{"", 0, false}, {"1-0", 0, false}, {"a", 0, false}, {"-1", 0, false}, {"1,", 0, false},
	} {
		got, err := cpuCount(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("cpuCount(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestTicks(t *testing.T) {
	var labels []string
	for _, tk := range (logTicks{}).Ticks(30, 700) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if want := []string{"50", "100", "200", "500"}; !slices.Equal(labels, want) {
		t.Errorf("log tick labels over 30–700: %v, want %v", labels, want)
	}
	labels = nil
	for _, tk := range (sizeTicks{10_000, 100_000, 1_000_000}).Ticks(5000, 2e6) {
		labels = append(labels, tk.Label)
	}
	if want := []string{"10k", "100k", "1M"}; !slices.Equal(labels, want) {
		t.Errorf("size tick labels: %v, want %v", labels, want)
	}
}

// TestGrowth_EndToEnd builds discoveryd, has growth seed two small worlds,
// start the daemon on each and measure it, then checks the table's
// numbers, the plots, and that a second run reuses the kept data dir and
// removes it when not kept.
func TestGrowth_EndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("growth end to end: builds discoveryd and seeds two worlds; skipped under -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("growth reads /proc")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build discoveryd")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "discoveryd")
	if out, err := exec.Command(goBin, "build", "-o", bin, "github.com/nearby-dev/nearby/cmd/discoveryd").CombinedOutput(); err != nil {
		t.Fatalf("build discoveryd: %v\n%s", err, out)
	}
	// Seeding fsyncs every program: on tmpfs where there is one.
	root, err := os.MkdirTemp(shmOr(t), "loadgen-growth-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	out := filepath.Join(dir, "docs")
	common := []string{"-bin", bin, "-data-root", root, "-out", out, "-d", "300ms", "-warmup", "100ms", "-runs", "1", "-c", "4", "-points", "500"}

	var md, logs bytes.Buffer
	if err := growth(context.Background(), append(common, "-n", "1000,3000", "-keep"), &md, &logs); err != nil {
		t.Fatalf("growth: %v\n%s", err, logs.String())
	}
	rep := readGrowthJSON(t, out)
	if len(rep.Rows) != 2 || rep.Rows[0].Stores != 1000 || rep.Rows[1].Stores != 3000 {
		t.Fatalf("rows %+v: want 1000 and 3000 stores", rep.Rows)
	}
	for _, r := range rep.Rows {
		checkRow(t, r)
		if r.Reused || r.SeedSeconds <= 0 {
			t.Errorf("%d stores: reused %v, seeded in %vs; want seeded now", r.Stores, r.Reused, r.SeedSeconds)
		}
	}
	if rep.Rows[1].DBBytes <= rep.Rows[0].DBBytes || rep.Rows[1].Programs <= rep.Rows[0].Programs {
		t.Errorf("3000 stores: %d B file, %d programs; 1000: %d B, %d: want more of both",
			rep.Rows[1].DBBytes, rep.Rows[1].Programs, rep.Rows[0].DBBytes, rep.Rows[0].Programs)
	}
	table := md.String()
	for _, want := range []string{"| stores | programs |", "\n| 1,000 | ", "\n| 3,000 | ", "loadgen growth -bin "} {
		if !strings.Contains(table, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, table)
		}
	}
	if file, _ := os.ReadFile(filepath.Join(out, "growth.md")); string(file) != table {
		t.Errorf("growth.md differs from the table printed:\n%s", file)
	}
	for _, name := range []string{"query.svg", "throughput.svg", "startup.svg", "rss.svg"} {
		checkSVG(t, filepath.Join(out, name), "1k", "3k")
	}
	kept := filepath.Join(root, "n1000-seed1")
	for _, p := range []string{kept, kept + seededMark, filepath.Join(kept, "nearby.db")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("-keep: %v", err)
		}
	}

	// Again at 1000 stores, not kept: the seeded dir is reused, then removed.
	md.Reset()
	if err := growth(context.Background(), append(common, "-n", "1k"), &md, &logs); err != nil {
		t.Fatalf("growth again: %v\n%s", err, logs.String())
	}
	rep = readGrowthJSON(t, out)
	if len(rep.Rows) != 1 {
		t.Fatalf("second run: %d rows, want 1", len(rep.Rows))
	}
	checkRow(t, rep.Rows[0])
	if !rep.Rows[0].Reused || rep.Rows[0].SeedSeconds != 0 {
		t.Errorf("second run: reused %v, seeded in %vs; want the kept dir reused", rep.Rows[0].Reused, rep.Rows[0].SeedSeconds)
	}
	for _, p := range []string{kept, kept + seededMark} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("without -keep %s is still there (%v)", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "n3000-seed1")); err != nil {
		t.Errorf("the 3000-store dir, not measured again, went: %v", err)
	}
}

// shmOr is /dev/shm when it is there, else the test's temporary dir.
func shmOr(t *testing.T) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return t.TempDir()
}

func readGrowthJSON(t *testing.T, dir string) growthReport {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "growth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep growthReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Version, "discoveryd") || rep.Cores < 1 || rep.Runs != 1 {
		t.Errorf("report header %+v: want the version line, cores, 1 run", rep)
	}
	return rep
}

// checkRow checks that one size's figures are what a small world served
// on this machine can give.
func checkRow(t *testing.T, r growthRow) {
	t.Helper()
	if r.Programs <= 0 || r.Programs > r.Stores || r.DBBytes <= 0 {
		t.Errorf("%d stores: %d programs, %d B file", r.Stores, r.Programs, r.DBBytes)
	}
	if r.LoadSeconds <= 0 || r.StartupSeconds < r.LoadSeconds || r.StartupSeconds > 60 {
		t.Errorf("%d stores: load %vs, start-up %vs: want 0 < load ≤ start-up < 60 s", r.Stores, r.LoadSeconds, r.StartupSeconds)
	}
	// A Go daemon's resident set is megabytes, and its high-water mark
	// never falls.
	if r.RSSLoadMiB < 4 || r.HWMLoadMiB < r.RSSLoadMiB || r.HWMQueryMiB < r.HWMLoadMiB || r.HWMQueryMiB < r.RSSQueryMiB || r.RSSQueryMiB < 4 {
		t.Errorf("%d stores: RSS %.1f/%.1f MiB, HWM %.1f/%.1f MiB (after load/queries)", r.Stores, r.RSSLoadMiB, r.RSSQueryMiB, r.HWMLoadMiB, r.HWMQueryMiB)
	}
	if r.P50us1 <= 0 || r.P99us1 < r.P50us1 || r.RPS1 <= 0 || r.RPSMany <= 0 || r.P99usMany < r.P50usMany || r.CPUus1 <= 0 {
		t.Errorf("%d stores: p50 %v p99 %v µs, %v req/s at c=1, %v req/s at many, CPU %v µs", r.Stores, r.P50us1, r.P99us1, r.RPS1, r.RPSMany, r.CPUus1)
	}
	if r.Failed != 0 || len(r.Runs) != 2 || r.BodyBytes < float64(len(`{"results":[]}`)) {
		t.Errorf("%d stores: %d failed, %d runs, %v B bodies", r.Stores, r.Failed, len(r.Runs), r.BodyBytes)
	}
}

// checkSVG parses file as XML whose root is an svg element, and looks for
// the tick labels in its text.
func checkSVG(t *testing.T, file string, labels ...string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	root, texts := "", ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not XML: %v", file, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			texts += string(tok) + "\n"
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", file, root)
	}
	for _, l := range labels {
		if !strings.Contains(texts, l) {
			t.Errorf("%s: no text %q among %q", file, l, texts)
		}
	}
}
