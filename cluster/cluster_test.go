package cluster_test

import (
	"bytes"
	"slices"
	"testing"
	"time"
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
