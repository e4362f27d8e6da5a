package cluster_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCluster_Partition cuts one node off through the proxies between the
// nodes: the minority refuses writes with a 503 problem+json and keeps
// serving reads; the majority goes on; after healing the minority has
// everything the majority acknowledged, and takes writes again.
func TestCluster_Partition(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster and waits for a Raft election")
	}
	nodes, links := proxiedCluster(t, 3, 2*time.Second)
	f := newFixture(t, nodes[0], "acme", 51.5136, -0.1365)
	// Cut off the stream leader: the harder case (the majority must elect
	// a new one; the old one may hold entries it could not replicate).
	cut := -1
	eventually(t, 10*time.Second, "a stream leader", func() bool {
		for i, n := range nodes {
			if n.isLeader() {
				cut = i
				return true
			}
		}
		return false
	})
	c := nodes[cut]
	a, b := nodes[(cut+1)%3], nodes[(cut+2)%3]
	t.Logf("cutting off the stream leader, node %s", c.name)
	eventually(t, 2*time.Second, "the program on "+c.name, func() bool {
		return slices.Equal(nearbyPrograms(c, 51.514, -0.136), []string{f.programID})
	})

	isolate(links, cut, true)
	start := time.Now()
	r := c.do("POST", "/v1/stores", f.key, map[string]any{"name": "minority", "lat": 1, "lng": 1, "category": "x"})
	if r.Status != 503 || !strings.Contains(string(r.Body), "unavailable") {
		t.Errorf("write on the cut-off node: %d %s, want 503 unavailable", r.Status, r.Body)
	}
	t.Logf("minority write refused after %s", time.Since(start))
	if got := nearbyPrograms(c, 51.514, -0.136); !slices.Equal(got, []string{f.programID}) {
		t.Errorf("nearby on the cut-off node = %v, want its own state %v", got, f.programID)
	}
	c.must(200, "GET", "/readyz", "", nil)
	c.must(200, "GET", "/v1/stores/"+f.storeID, f.key, nil)

	// The majority elects a leader if C led, then takes writes.
	var acked []string
	eventually(t, 20*time.Second, "a write on the majority", func() bool {
		r := a.do("POST", "/v1/stores", f.key, map[string]any{"name": "majority", "lat": 2, "lng": 2, "category": "x"})
		if r.Status == 201 {
			acked = append(acked, r.JSON(t)["id"].(string))
		}
		return r.Status == 201
	})
	for i := range 20 {
		// A majority node whose consumer was on the old leader may take a
		// few seconds to follow the new one: its write then answers 503
		// ("in the log but not yet applied here") after the 2 s timeout.
		n := []*tnode{a, b}[i%2]
		eventually(t, 15*time.Second, "a write on the majority's node "+n.name, func() bool {
			r := n.do("POST", "/v1/stores", f.key, map[string]any{"name": fmt.Sprint("m", i), "lat": 2, "lng": 2, "category": "x"})
			if r.Status == 201 {
				acked = append(acked, r.JSON(t)["id"].(string))
			}
			return r.Status == 201
		})
	}
	if got := c.do("GET", "/v1/stores/"+acked[0], f.key, nil).Status; got != 404 {
		t.Errorf("the cut-off node has a store written after the cut: status %d", got)
	}

	isolate(links, cut, false)
	took := eventually(t, 30*time.Second, "the healed node converging", func() bool {
		return c.do("GET", "/v1/stores/"+acked[len(acked)-1], f.key, nil).Status == 200
	})
	t.Logf("healed node converged after %s", took)
	for _, id := range acked {
		c.must(200, "GET", "/v1/stores/"+id, f.key, nil)
	}
	eventually(t, 20*time.Second, "a write on the healed node", func() bool {
		return c.do("POST", "/v1/stores", f.key, map[string]any{"name": "healed", "lat": 3, "lng": 3, "category": "x"}).Status == 201
	})
}
