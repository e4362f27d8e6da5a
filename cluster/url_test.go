package cluster_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/cluster"
	"github.com/nearby-dev/nearby/daemon"
)

// TestCluster_NATSURL: two daemons on an existing NATS server (Config.URL,
// --nats-url) instead of embedded ones share the log like a cluster.
func TestCluster_NATSURL(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	var nodes []*tnode
	for _, name := range []string{"A", "B"} {
		cfg := api.DefaultConfig()
		cfg.AdminToken, cfg.RateLimit = adminToken, 0
		// One NATS server holds one replica of the stream.
		d, err := daemon.Open(daemon.Config{Path: t.TempDir() + "/nearby.db", API: cfg,
			Cluster: &cluster.Config{URL: srv.ClientURL(), Replicas: 1}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err = d.Load(ctx)
		cancel()
		if err != nil {
			t.Fatalf("node %s: %v", name, err)
		}
		n := &tnode{tb: t, name: name, d: d, hs: httptest.NewServer(d.Server.Handler()), up: true}
		t.Cleanup(n.stop)
		nodes = append(nodes, n)
	}
	f := newFixture(t, nodes[0], "acme", 51.5136, -0.1365)
	eventually(t, time.Second, "the program on B", func() bool {
		return slices.Equal(nearbyPrograms(nodes[1], 51.514, -0.136), []string{f.programID})
	})
}
