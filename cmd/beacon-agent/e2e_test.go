package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/client"
	"github.com/nearby-dev/nearby/internal/syncbuf"
)

// agentChildEnv makes the test binary act as beacon-agent, so the e2e test
// can SIGKILL a real agent process without building another binary.
const agentChildEnv = "BEACON_AGENT_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(agentChildEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestE2E_OfflineAndCrash runs discoveryd and beacon-agent (simulated radio)
// as processes. For a while the network cuts the daemon's answers to event
// uploads after the daemon committed them; then the daemon is stopped;
// while it is down the agent is SIGKILLed and restarted on the same spool
// (so it starts offline, from its cached config); then the daemon comes
// back. At the end the daemon's counts must equal what the agent generated,
// exactly, the re-sent batches having been counted as duplicates.
func TestE2E_OfflineAndCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: builds discoveryd and runs ~15 s of processes")
	}
	dir := t.TempDir()
	daemonBin := buildDaemon(t, dir)
	addr := freeAddr(t)
	base := "http://" + addr
	d := startDaemon(t, daemonBin, addr, filepath.Join(dir, "data"))

	ctx := t.Context()
	admin := client.New(base, "adm-e2e", nil)
	m, err := admin.CreateMerchant(ctx, "E2E Coffee")
	if err != nil {
		t.Fatal(err)
	}
	merchant := admin.WithToken(m.APIKey)
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "E2E Soho", Lat: 51.5136, Lng: -0.1365, Category: "coffee"})
	if err != nil {
		t.Fatal(err)
	}
	bc, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Label: "till"})
	if err != nil {
		t.Fatal(err)
	}

	// The agents reach the daemon through a proxy that, for a while, lets
	// event uploads through to the daemon but cuts the connection before
	// the answer: committed, yet the agent cannot know.
	px := newCuttingProxy(t, base)

	spool := filepath.Join(dir, "agent.spool")
	args := []string{"--server", px.URL, "--radio", "sim", "--spool", spool,
		"--sim-seed", "42", "--sim-phones", "40", "--sim-duration", "5m", "--sim-speed", "40",
		"--heartbeat", "1s", "--config-refresh", "2s", "--backoff-max", "1s", "--attempt-timeout", "2s",
		"--drain-timeout", "30s", "--log-level", "debug"}
	first := startAgent(t, bc.AgentToken, args)

	// Timeline (the simulated day lasts 7.5 s): once uploads flow, answers
	// are cut until at least one committed batch lost its answer; then the
	// daemon goes down; 2 s later the first agent is killed and the second
	// started at once (offline, on the same spool); 2 s later the daemon is
	// back. Steps wait for what they need, so a slow machine only stretches
	// the run.
	waitFor(t, "a first upload", func() bool { return px.passed.Load() > 0 })
	px.cut.Store(true)
	waitFor(t, "an answer cut after the commit", func() bool { return px.cuts.Load() > 0 })
	time.Sleep(500 * time.Millisecond)
	px.cut.Store(false)
	time.Sleep(500 * time.Millisecond)
	d.stop(t)
	time.Sleep(2 * time.Second)
	first.kill(t)
	firstSum := spoolSummary(t, spool)
	if firstSum.Total == 0 || firstSum.SpoolDepth == 0 {
		t.Fatalf("first agent before the kill: %+v; want events generated and some waiting while the daemon is down", firstSum)
	}

	second := startAgent(t, bc.AgentToken, args)
	time.Sleep(2 * time.Second)
	d = startDaemon(t, daemonBin, addr, filepath.Join(dir, "data"))
	sum := second.wait(t, 60*time.Second)

	t.Logf("first run before SIGKILL: %+v", firstSum)
	t.Logf("final summary: %+v", sum)
	if sum.SpoolDepth != 0 || sum.Dropped != 0 || sum.Lost != 0 || sum.Rejected != 0 {
		t.Errorf("summary %+v: want an empty spool and nothing dropped, lost or rejected", sum)
	}
	if sum.Total <= firstSum.Total || sum.Total == sum.ThisRun[nearby.EventEnter]+sum.ThisRun[nearby.EventExit]+sum.ThisRun[nearby.EventDwell]+sum.ThisRun[nearby.EventShake] {
		t.Errorf("generated %d in all, %v in the second run: the first run's events must count too", sum.Total, sum.ThisRun)
	}
	if sum.Accepted+sum.Duplicates != sum.Total {
		t.Errorf("acknowledged %d accepted + %d duplicates, want the %d generated", sum.Accepted, sum.Duplicates, sum.Total)
	}
	// Each cut answer was a committed batch the agent sent again.
	if cuts := px.cuts.Load(); cuts == 0 || sum.Duplicates == 0 {
		t.Errorf("%d answers cut, %d duplicates acknowledged; want both positive", cuts, sum.Duplicates)
	}

	// The daemon's counts, through the merchant's statistics.
	from, to := time.Now().UTC().AddDate(0, 0, -2), time.Now().UTC().AddDate(0, 0, 1)
	for name, get := range map[string]func() ([]nearby.DayStats, error){
		"beacon": func() ([]nearby.DayStats, error) { return merchant.BeaconStats(ctx, bc.ID, from, to) },
		"store":  func() ([]nearby.DayStats, error) { return merchant.StoreStats(ctx, st.ID, from, to) },
	} {
		days, err := get()
		if err != nil {
			t.Fatalf("%s stats: %v", name, err)
		}
		// 40 phones visit: above the minimum count, so visits are shown;
		// shakes by fewer than 5 phones would be suppressed (null).
		var shakes, visits int64
		shakesShown := true
		for _, d := range days {
			if d.Visits == nil {
				t.Fatalf("%s stats: visits of %s suppressed: %+v", name, d.Date, d)
			}
			visits += *d.Visits
			if d.ShakePV == nil {
				shakesShown = false
			} else {
				shakes += *d.ShakePV
			}
		}
		if !shakesShown {
			shakes = sum.Generated[nearby.EventShake]
			t.Logf("%s stats: shakes by fewer than the minimum count of phones, suppressed", name)
		}
		if shakes != sum.Generated[nearby.EventShake] || visits != sum.Generated[nearby.EventEnter] {
			t.Errorf("%s stats: shake_pv %d, visits %d; agent generated %d shakes and %d enters",
				name, shakes, visits, sum.Generated[nearby.EventShake], sum.Generated[nearby.EventEnter])
		}
	}
	// Every event, whatever its type, counts in the store's heatmap cell.
	cells, err := merchant.Heatmap(ctx, 7, 51.4, -0.3, 51.6, 0.0, time.Now().Add(-48*time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var events int64
	for _, c := range cells {
		if c.Count != nil {
			events += *c.Count
		}
	}
	if events != sum.Total {
		t.Errorf("heatmap counts %d events, agent generated %d", events, sum.Total)
	}

	// The heartbeat reached the daemon with the spool's state.
	detail, err := merchant.GetBeacon(ctx, bc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if hb := detail.LastHeartbeat; hb == nil || hb.Version != version || hb.SpoolDepth == nil || hb.Dropped == nil || *hb.Dropped != 0 {
		t.Errorf("last heartbeat: got %+v, want version %q with spool depth and no drops", hb, version)
	}

	replayAndReject(t, client.New(base, bc.AgentToken, nil))
	d.stop(t)
}

// replayAndReject posts a batch twice, the second time with malformed
// events added: the replay counts as duplicates, each malformed event is
// rejected with its index and reason, and the good ones are kept.
func replayAndReject(t *testing.T, c *client.Client) {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC()
	var evs []nearby.Event
	for i := range 10 {
		evs = append(evs, nearby.Event{ID: fmt.Sprintf("e2e00000-0000-4000-8000-%012d", i), Type: nearby.EventShake, At: now, DeviceID: "replayer"})
	}
	r, err := c.PostEventsResult(ctx, evs)
	if err != nil || r.Accepted != 10 || r.Duplicates != 0 {
		t.Fatalf("first post: %+v, %v; want 10 accepted", r, err)
	}
	negativeDwell := int64(-5)
	fresh := nearby.Event{ID: "e2e00000-0000-4000-8000-999999999999", Type: nearby.EventEnter, At: now, DeviceID: "replayer"}
	bad := []nearby.Event{
		{ID: "not-a-uuid", Type: nearby.EventShake, At: now, DeviceID: "replayer"},
		{ID: "e2e00000-0000-4000-8000-888888888888", Type: "wave", At: now, DeviceID: "replayer"},
		{ID: "e2e00000-0000-4000-8000-777777777777", Type: nearby.EventDwell, At: now, DeviceID: "replayer", DwellMS: &negativeDwell},
	}
	batch := append(append([]nearby.Event{bad[0]}, evs...), fresh, bad[1], bad[2])
	r, err = c.PostEventsResult(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if r.Accepted != 1 || r.Duplicates != 10 || len(r.Rejected) != 3 {
		t.Fatalf("replay with malformed events: got %+v, want 1 accepted, 10 duplicates, 3 rejected", r)
	}
	wantIdx := map[int]string{0: "id", 12: "type", 13: "dwell_ms"}
	for _, rej := range r.Rejected {
		field, ok := wantIdx[rej.Index]
		if !ok || len(rej.Errors) == 0 || rej.Errors[0].Field != field || rej.Errors[0].Message == "" {
			t.Errorf("rejection %+v: want index in %v with the field and a reason", rej, wantIdx)
		}
	}
}

// cuttingProxy forwards to the daemon; while cut is set it forwards event
// uploads, lets the daemon answer, and then cuts the client's connection.
type cuttingProxy struct {
	URL          string
	cut          atomic.Bool
	cuts, passed atomic.Int64 // event uploads answered 200: cut, passed on
}

func newCuttingProxy(t *testing.T, target string) *cuttingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // the daemon down is expected: 502
	p := &cuttingProxy{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/agent/events" {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		if p.cut.Load() {
			if rec.Code == http.StatusOK {
				p.cuts.Add(1)
			}
			panic(http.ErrAbortHandler) // the connection drops before the answer
		}
		if rec.Code == http.StatusOK {
			p.passed.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 20 s", what)
		}
	}
}

// buildDaemon builds cmd/discoveryd into dir.
func buildDaemon(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("e2e: no go command to build discoveryd")
	}
	bin := filepath.Join(dir, "discoveryd")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/nearby-dev/nearby/cmd/discoveryd")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build discoveryd: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address free now, for a daemon that must come
// back on the same port.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type daemon struct {
	cmd *exec.Cmd
	log *syncBuffer
}

func startDaemon(t *testing.T, bin, addr, dataDir string) *daemon {
	t.Helper()
	d := &daemon{log: new(syncBuffer)}
	d.cmd = exec.Command(bin, "--listen", addr, "--data-dir", dataDir, "--admin-token", "adm-e2e", "--log-level", "warn")
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			d.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("discoveryd log:\n%s", d.log)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("discoveryd not ready after 20 s: %v\n%s", err, d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits: a clean shutdown, as systemd does it.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Wait(); err != nil {
		t.Errorf("discoveryd exit: %v", err)
	}
}

type agentProc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
}

// startAgent runs this test binary as beacon-agent with the token in the
// environment, as the systemd unit passes it.
func startAgent(t *testing.T, token string, args []string) *agentProc {
	t.Helper()
	a := &agentProc{stdout: new(syncBuffer), stderr: new(syncBuffer)}
	a.cmd = exec.Command(os.Args[0], args...)
	a.cmd.Env = append(os.Environ(), agentChildEnv+"=1", "BEACON_AGENT_TOKEN="+token)
	a.cmd.Stdout, a.cmd.Stderr = a.stdout, a.stderr
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a.cmd.ProcessState == nil {
			a.cmd.Process.Kill()
			a.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("beacon-agent (pid %d) log:\n%s", a.cmd.Process.Pid, a.stderr)
		}
	})
	return a
}

func (a *agentProc) kill(t *testing.T) {
	t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.cmd.Wait()
}

// wait waits for the agent to finish its simulated day and returns the
// summary it printed.
func (a *agentProc) wait(t *testing.T, timeout time.Duration) agent.Summary {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("beacon-agent: %v\n%s", err, a.stderr)
		}
	case <-time.After(timeout):
		a.cmd.Process.Kill()
		<-done
		t.Fatalf("beacon-agent still running after %v\n%s", timeout, a.stderr)
	}
	var sum agent.Summary
	sc := bufio.NewScanner(strings.NewReader(a.stdout.String()))
	lines := 0
	for sc.Scan() {
		lines++
		if err := json.Unmarshal(sc.Bytes(), &sum); err != nil {
			t.Fatalf("summary line %q: %v", sc.Text(), err)
		}
	}
	if lines != 1 {
		t.Fatalf("beacon-agent printed %d lines on stdout, want one JSON summary:\n%s", lines, a.stdout)
	}
	return sum
}

// spoolSummary reads a spool's counters, as the summary would show them.
func spoolSummary(t *testing.T, path string) agent.Summary {
	t.Helper()
	sp, err := agent.OpenSpool(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	st, err := sp.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return agent.Summary{Generated: st.Generated, Total: st.GeneratedTotal(), SpoolDepth: st.Depth,
		Dropped: st.Dropped, Accepted: st.Accepted, Duplicates: st.Duplicates, Rejected: st.Rejected}
}

// syncBuffer is a bytes.Buffer the server's goroutines may write while the test reads it.
type syncBuffer = syncbuf.Buffer

var _ fmt.Stringer = (*syncBuffer)(nil)
