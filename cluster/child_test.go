package cluster_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/cluster"
	"github.com/nearby-dev/nearby/daemon"
)

// Environment of a child node: the test binary re-executed runs one
// discoveryd replica (childMain) instead of the tests, so that a test can
// SIGKILL a whole process.
const (
	envChildDir   = "CLUSTER_CHILD_DIR"
	envChildPort  = "CLUSTER_CHILD_PORT"
	envChildPeers = "CLUSTER_CHILD_PEERS"
	childAddrFile = "http.addr"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envChildDir); dir != "" {
		os.Exit(childMain(dir))
	}
	os.Exit(m.Run())
}

// childMain serves one replica over dir until killed, writing its HTTP
// address to dir/http.addr once it listens.
func childMain(dir string) int {
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = adminToken, 0
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(dir, "nearby.db"), API: cfg, Cluster: &cluster.Config{
		Name: "test", Listen: "127.0.0.1:" + os.Getenv(envChildPort), Peers: strings.Split(os.Getenv(envChildPeers), ","),
		Dir: filepath.Join(dir, "nats"), WriteTimeout: 6 * time.Second,
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go http.Serve(l, d.Server.Handler())
	tmp := filepath.Join(dir, childAddrFile+".tmp")
	if err := os.WriteFile(tmp, []byte(l.Addr().String()), 0o600); err != nil || os.Rename(tmp, filepath.Join(dir, childAddrFile)) != nil {
		fmt.Fprintln(os.Stderr, "write address:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if _, err := d.Load(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
	}
	<-ctx.Done()
	return 0
}

// spawn starts n's replica as a child process.
func (n *tnode) spawn() {
	n.tb.Helper()
	os.Remove(filepath.Join(n.dir, childAddrFile))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChildDir+"="+n.dir, envChildPort+"="+fmt.Sprint(n.port),
		envChildPeers+"="+strings.Join(n.peers, ","))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		n.tb.Fatalf("node %s: %v", n.name, err)
	}
	var addr []byte
	eventually(n.tb, 20*time.Second, "node "+n.name+" listening", func() bool {
		var err error
		addr, err = os.ReadFile(filepath.Join(n.dir, childAddrFile))
		return err == nil
	})
	n.mu.Lock()
	n.cmd, n.url, n.up = cmd, "http://"+string(addr), true
	n.mu.Unlock()
}

// kill SIGKILLs n's child process.
func (n *tnode) kill() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.up {
		return
	}
	n.up = false
	n.cmd.Process.Kill()
	n.cmd.Wait()
}

// childCluster starts n child-process replicas and waits until each is
// caught up.
func childCluster(tb testing.TB, n int) []*tnode {
	tb.Helper()
	nodes := make([]*tnode, n)
	ports := freePorts(tb, n)
	var peers []string
	for _, p := range ports {
		peers = append(peers, fmt.Sprint("127.0.0.1:", p))
	}
	for i := range n {
		nodes[i] = &tnode{tb: tb, name: string(rune('A' + i)), dir: tb.TempDir(), port: ports[i], peers: peers, child: true}
		nodes[i].start()
	}
	tb.Cleanup(func() {
		for _, nd := range nodes {
			nd.stop()
		}
	})
	for _, nd := range nodes {
		nd.waitLoaded(90 * time.Second)
	}
	return nodes
}
