package cluster_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/daemon"
)

// TestCluster_Replicates: writes on node A are read on B and C within a
// second; every replica decides the same timestamps and identities.
func TestCluster_Replicates(t *testing.T) {
	nodes := startCluster(t, 3)
	a, b, c := nodes[0], nodes[1], nodes[2]
	for _, n := range nodes {
		n.must(200, "GET", "/readyz", "", nil)
	}
	f := newFixture(t, a, "acme", 51.5136, -0.1365)
	for _, n := range []*tnode{b, c} {
		took := eventually(t, time.Second, "program on node "+n.name, func() bool {
			return slices.Equal(nearbyPrograms(n, 51.514, -0.136), []string{f.programID})
		})
		t.Logf("node %s: created program visible after %s", n.name, took)
	}
	// The records are the same bytes on every replica: ids, timestamps,
	// the allocated identity.
	for _, path := range []string{"/v1/stores/" + f.storeID, "/v1/programs/" + f.programID, "/v1/beacons/" + f.beaconID} {
		want := a.must(200, "GET", path, f.key, nil).Body
		for _, n := range []*tnode{b, c} {
			eventually(t, time.Second, path+" on "+n.name, func() bool { return n.do("GET", path, f.key, nil).Status == 200 })
			if got := n.must(200, "GET", path, f.key, nil).Body; !bytes.Equal(got, want) {
				t.Errorf("node %s: GET %s = %s, want node A's %s", n.name, path, got, want)
			}
		}
	}
	// A conflict is decided the same everywhere: the beacon's store cannot go.
	c.must(409, "DELETE", "/v1/stores/"+f.storeID, f.key, nil)
	b.must(204, "DELETE", "/v1/beacons/"+f.beaconID, f.key, nil)
	a.must(204, "DELETE", "/v1/programs/"+f.programID, f.key, nil)
	a.must(204, "DELETE", "/v1/stores/"+f.storeID, f.key, nil)
	for _, n := range []*tnode{b, c} {
		took := eventually(t, time.Second, "delete on node "+n.name, func() bool {
			return len(nearbyPrograms(n, 51.514, -0.136)) == 0 && n.do("GET", "/v1/stores/"+f.storeID, f.key, nil).Status == 404
		})
		t.Logf("node %s: delete visible after %s", n.name, took)
	}
}

// TestCluster_OneNodeRunsBackground: the service's background work (alert
// sweeps, webhook deliveries) runs on the stream leader alone, so a
// webhook is delivered once, not by every node; it moves with the leader.
func TestCluster_OneNodeRunsBackground(t *testing.T) {
	nodes := startCluster(t, 3)
	running := func() (n int, leaderRuns bool) {
		for _, nd := range nodes {
			nd.mu.Lock()
			if nd.up && nd.d.RunsBackground() {
				n++
				leaderRuns = leaderRuns || nd.d.Cluster.Leads()
			}
			nd.mu.Unlock()
		}
		return n, leaderRuns
	}
	eventually(t, 3*daemon.LeaderCheckEvery+5*time.Second, "exactly the leader runs the background work", func() bool {
		n, leader := running()
		return n == 1 && leader
	})
	var leader *tnode
	for _, nd := range nodes {
		if nd.isLeader() {
			leader = nd
		}
	}
	if leader == nil {
		t.Fatal("no stream leader")
	}
	leader.stop()
	eventually(t, 3*daemon.LeaderCheckEvery+15*time.Second, "the new leader runs the background work", func() bool {
		n, leader := running()
		return n == 1 && leader
	})
}
