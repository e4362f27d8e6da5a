package cluster_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/cluster"
	"github.com/nearby-dev/nearby/daemon"
)

const adminToken = "test-admin-token"

// tnode is one discoveryd replica of a test cluster: a daemon over its own
// temp dir, its embedded NATS server on a loopback port and an HTTP server.
type tnode struct {
	tb    testing.TB
	name  string
	dir   string
	port  int
	peers []string
	// advertise and writeTimeout override the defaults (partition tests).
	advertise     string
	writeTimeout  time.Duration
	snapshotEvery int

	// child runs the node as a child process (child_test.go), which
	// stop SIGKILLs.
	child bool

	mu     sync.Mutex
	d      *daemon.Daemon
	hs     *httptest.Server
	loaded chan error
	up     bool
	cmd    *exec.Cmd
	url    string
}

// freePorts returns n loopback ports the OS picked (bound, then released,
// so that every node can be told all of its peers' route addresses).
func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// startCluster starts n nodes that all list each other and waits until
// every one is caught up.
func startCluster(tb testing.TB, n int, opts ...func(*tnode)) []*tnode {
	tb.Helper()
	ports := freePorts(tb, n)
	var peers []string
	for _, p := range ports {
		peers = append(peers, "127.0.0.1:"+strconv.Itoa(p))
	}
	nodes := make([]*tnode, n)
	for i := range n {
		nodes[i] = &tnode{tb: tb, name: string(rune('A' + i)), dir: tb.TempDir(), port: ports[i], peers: peers}
		for _, o := range opts {
			o(nodes[i])
		}
	}
	return runCluster(tb, nodes)
}

// runCluster starts the nodes and waits until every one is caught up.
func runCluster(tb testing.TB, nodes []*tnode) []*tnode {
	tb.Helper()
	n := len(nodes)
	for _, nd := range nodes {
		nd.start()
	}
	start := time.Now()
	for _, nd := range nodes {
		nd.waitLoaded(90 * time.Second)
	}
	tb.Logf("%d nodes caught up after %s", n, time.Since(start))
	tb.Cleanup(func() {
		start := time.Now()
		for _, nd := range nodes {
			nd.stop()
		}
		tb.Logf("%d nodes stopped in %s", n, time.Since(start))
	})
	return nodes
}

// start opens the daemon, serves it and loads it in the background (the
// load waits for the cluster's quorum, then for the catch-up).
func (n *tnode) start() {
	n.tb.Helper()
	if n.child {
		n.spawn()
		return
	}
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = adminToken, 0
	var logger *slog.Logger
	if os.Getenv("CLUSTER_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With(slog.String("node", n.name))
	}
	d, err := daemon.Open(daemon.Config{Path: n.dir + "/nearby.db", API: cfg, Logger: logger, Cluster: &cluster.Config{
		Name: "test", Listen: "127.0.0.1:" + strconv.Itoa(n.port), Peers: n.peers, Dir: n.dir + "/nats",
		Advertise: n.advertise, WriteTimeout: cmp.Or(n.writeTimeout, 6*time.Second), SnapshotEvery: n.snapshotEvery,
	}})
	if err != nil {
		n.tb.Fatalf("node %s: %v", n.name, err)
	}
	n.mu.Lock()
	n.d, n.hs, n.loaded, n.up = d, httptest.NewServer(d.Server.Handler()), make(chan error, 1), true
	n.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	go func() {
		defer cancel()
		_, err := d.Load(ctx)
		n.loaded <- err
	}()
}

func (n *tnode) waitLoaded(timeout time.Duration) {
	n.tb.Helper()
	if n.child {
		eventually(n.tb, timeout, "node "+n.name+" ready", func() bool { return n.do("GET", "/readyz", "", nil).Status == 200 })
		return
	}
	select {
	case err := <-n.loaded:
		if err != nil {
			n.tb.Fatalf("node %s: load: %v", n.name, err)
		}
	case <-time.After(timeout):
		n.tb.Fatalf("node %s not caught up after %s", n.name, timeout)
	}
}

// stop shuts the node down in-process (HTTP, apply loop, NATS server,
// bbolt), as a clean stop or a crash of the whole process would.
func (n *tnode) stop() {
	if n.child {
		n.kill()
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.up {
		return
	}
	n.up = false
	n.hs.CloseClientConnections()
	n.hs.Close()
	if err := n.d.Close(); err != nil {
		n.tb.Errorf("node %s: close: %v", n.name, err)
	}
}

// isLeader reports whether this node's server leads the command stream.
func (n *tnode) isLeader() bool {
	if n.child {
		return strings.Contains(string(n.do("GET", "/metrics", "", nil).Body), "\nnearby_cluster_stream_leader 1\n")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.up && n.d.Cluster.Server().JetStreamIsStreamLeader("$G", cluster.DefaultStream)
}

func (n *tnode) base() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.child {
		return n.url
	}
	return n.hs.URL
}

// resp is one HTTP answer.
type resp struct {
	Status int
	Body   []byte
}

func (r resp) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("decode %q: %v", r.Body, err)
	}
	return m
}

var client = &http.Client{Timeout: 15 * time.Second}

// do sends one request; a transport error is status 0.
func (n *tnode) do(method, path, token string, body any) resp {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			panic(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, n.base()+path, rd)
	if err != nil {
		panic(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return resp{Body: []byte(err.Error())}
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Body: out}
}

func (n *tnode) must(want int, method, path, token string, body any) resp {
	n.tb.Helper()
	r := n.do(method, path, token, body)
	if r.Status != want {
		n.tb.Fatalf("node %s: %s %s: status %d, want %d: %s", n.name, method, path, r.Status, want, r.Body)
	}
	return r
}

// eventually polls cond every 10 ms until it holds or within passes.
func eventually(tb testing.TB, within time.Duration, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			tb.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// fixture is a merchant with a store, a program there and a beacon.
type fixture struct {
	key, storeID, programID, beaconID, agentToken string
}

func newFixture(tb testing.TB, n *tnode, name string, lat, lng float64) fixture {
	tb.Helper()
	var f fixture
	f.key = n.must(201, "POST", "/v1/merchants", adminToken, map[string]any{"name": name}).JSON(tb)["api_key"].(string)
	f.storeID = n.must(201, "POST", "/v1/stores", f.key, map[string]any{
		"name": name + " store", "lat": lat, "lng": lng, "category": "coffee"}).JSON(tb)["id"].(string)
	f.programID = n.must(201, "POST", "/v1/programs", f.key, map[string]any{
		"app_id": "wx-" + name, "name": name + " rewards", "category": "coffee", "store_ids": []string{f.storeID}}).JSON(tb)["id"].(string)
	b := n.must(201, "POST", "/v1/beacons", f.key, map[string]any{"store_id": f.storeID}).JSON(tb)
	f.beaconID, f.agentToken = b["id"].(string), b["agent_token"].(string)
	return f
}

// nearbyPrograms returns the program ids /v1/nearby answers at lat, lng.
func nearbyPrograms(n *tnode, lat, lng float64) []string {
	r := n.do("GET", fmt.Sprintf("/v1/nearby?lat=%g&lng=%g&radius_m=2000", lat, lng), "", nil)
	if r.Status != 200 {
		return nil
	}
	var page struct {
		Results []struct {
			Program struct {
				ID string `json:"id"`
			} `json:"program"`
		} `json:"results"`
	}
	if json.Unmarshal(r.Body, &page) != nil {
		return nil
	}
	var ids []string
	for _, res := range page.Results {
		ids = append(ids, res.Program.ID)
	}
	return ids
}

// waitFor polls cond every 10 ms until it holds (true) or within passes.
func waitFor(within time.Duration, cond func() bool) bool {
	for start := time.Now(); time.Since(start) < within; time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
