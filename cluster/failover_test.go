package cluster_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// load is the writers' and agents' record of what the cluster acknowledged.
type load struct {
	mu       sync.Mutex
	created  map[string]bool // store id -> acknowledged create
	deleted  map[string]bool // acknowledged delete
	unsure   map[string]bool // a delete whose answer was lost
	events   map[string]int  // agent store id -> events acknowledged
	refused  atomic.Int64    // writes answered 503 (or not at all)
	accepted atomic.Int64
}

// TestCluster_LeaderFailover stops the stream leader while writers create
// and delete stores and agents upload events on every node: every
// acknowledged write is on every surviving node, every acknowledged event
// is counted once, the statistics are identical, and the stopped node
// catches up when it comes back. CLUSTER_KILLS=20 repeats the kill (each
// trial restarts the killed node and checks everything again).
func TestCluster_LeaderFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster and waits for a Raft election")
	}
	// Snapshots every 300 entries trim the log under the load, so that the
	// stopped node may come back behind the log's start and restore.
	failover(t, startCluster(t, 3, func(n *tnode) { n.snapshotEvery = 300 }), kills(1))
}

// TestCluster_LeaderSIGKILL is the same with three child processes, the
// leader's killed with SIGKILL (no clean shutdown: JetStream's and
// bbolt's files as the kill left them).
func TestCluster_LeaderSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-process cluster and waits for a Raft election")
	}
	failover(t, childCluster(t, 3), kills(1))
}

// kills is CLUSTER_KILLS, else def.
func kills(def int) int {
	if s := os.Getenv("CLUSTER_KILLS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return def
}

func failover(t *testing.T, nodes []*tnode, trials int) {
	a := nodes[0]
	key := a.must(201, "POST", "/v1/merchants", adminToken, map[string]any{"name": "chain"}).JSON(t)["api_key"].(string)
	var agents []agent
	for i := range 3 {
		st := a.must(201, "POST", "/v1/stores", key, map[string]any{"name": fmt.Sprintf("agent store %d", i),
			"lat": 51.5 + float64(i)/100, "lng": -0.1, "category": "coffee"}).JSON(t)["id"].(string)
		b := a.must(201, "POST", "/v1/beacons", key, map[string]any{"store_id": st}).JSON(t)
		agents = append(agents, agent{st, b["agent_token"].(string)})
	}
	for _, n := range nodes {
		eventually(t, 2*time.Second, "agents' beacons on "+n.name, func() bool {
			return n.do("GET", "/v1/agent/config", agents[2].token, nil).Status == 200
		})
	}
	l := &load{created: map[string]bool{}, deleted: map[string]bool{}, unsure: map[string]bool{}, events: map[string]int{}}
	live := func() []*tnode {
		var up []*tnode
		for _, n := range nodes {
			n.mu.Lock()
			if n.up {
				up = append(up, n)
			}
			n.mu.Unlock()
		}
		return up
	}
	for trial := range trials {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w, n := range nodes {
			wg.Go(func() { writer(n, key, w, l, stop) })
		}
		for i, ag := range agents {
			wg.Go(func() { uploader(live, ag.storeID, ag.token, int64(i), l, stop) })
		}
		time.Sleep(time.Second)
		var leader *tnode
		eventually(t, 10*time.Second, "a stream leader", func() bool {
			for _, n := range nodes {
				if n.isLeader() {
					leader = n
					return true
				}
			}
			return false
		})
		t.Logf("trial %d: stopping the stream leader, node %s", trial, leader.name)
		leader.stop()
		time.Sleep(6 * time.Second) // the election, then writes go on
		close(stop)
		wg.Wait()
		verify(t, live(), key, l, agentStores(agents))
		leader.start()
		leader.waitLoaded(60 * time.Second)
		verify(t, nodes, key, l, agentStores(agents))
		t.Logf("trial %d: %d stores created, %d deleted, %d events acknowledged, %d writes refused", trial,
			len(l.created), len(l.deleted), l.accepted.Load(), l.refused.Load())
	}
}

// agent is a beacon agent of the load: its store and token.
type agent struct{ storeID, token string }

func agentStores(as []agent) []string {
	var ids []string
	for _, a := range as {
		ids = append(ids, a.storeID)
	}
	return ids
}

// writer creates stores on n and deletes every third one it created.
func writer(n *tnode, key string, w int, l *load, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		r := n.do("POST", "/v1/stores", key, map[string]any{"name": fmt.Sprintf("w%d-%d", w, i),
			"lat": 40 + rand.Float64(), "lng": 10 + rand.Float64(), "category": "shop"})
		if r.Status != 201 {
			l.refused.Add(1)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		id := r.JSON(n.tb)["id"].(string)
		l.mu.Lock()
		l.created[id] = true
		l.mu.Unlock()
		if i%3 != 0 {
			continue
		}
		d := n.do("DELETE", "/v1/stores/"+id, key, nil)
		l.mu.Lock()
		if d.Status == 204 {
			l.deleted[id] = true
		} else {
			l.unsure[id] = true
			l.refused.Add(1)
		}
		l.mu.Unlock()
	}
}

// uploader is an agent: batches of enter events to any live node, each
// batch retried (to another node) until it is acknowledged, as the
// agent's spool does.
func uploader(live func() []*tnode, storeID, token string, seed int64, l *load, stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(uint64(seed), 1))
	for {
		select {
		case <-stop:
			return
		default:
		}
		var evs []any
		for range 5 {
			evs = append(evs, map[string]any{"id": uuid.NewString(), "type": "enter",
				"at": time.Now().UTC().Format(time.RFC3339), "device_id": "phone-" + strconv.Itoa(r.IntN(50))})
		}
		for {
			ns := live()
			if len(ns) == 0 {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			n := ns[r.IntN(len(ns))]
			resp := n.do("POST", "/v1/agent/events", token, map[string]any{"events": evs})
			if resp.Status == 200 {
				m := resp.JSON(n.tb)
				if m["accepted"].(float64)+m["duplicates"].(float64) != 5 {
					n.tb.Errorf("node %s: events answer %s: want 5 accepted or duplicate", n.name, resp.Body)
				}
				l.mu.Lock()
				l.events[storeID] += 5
				l.mu.Unlock()
				l.accepted.Add(5)
				break
			}
			l.refused.Add(1)
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// verify waits until the nodes have converged and checks every
// acknowledged write and event on each of them.
func verify(t *testing.T, nodes []*tnode, key string, l *load, agentStores []string) {
	t.Helper()
	// A write through the first node, visible on the others, means they
	// applied everything before it.
	mark := nodes[0].must(201, "POST", "/v1/stores", key, map[string]any{"name": "mark", "lat": 1, "lng": 1, "category": "x"}).JSON(t)["id"].(string)
	for _, n := range nodes[1:] {
		var last resp
		ok := waitFor(20*time.Second, func() bool {
			last = n.do("GET", "/v1/stores/"+mark, key, nil)
			return last.Status == 200
		})
		if !ok {
			t.Fatalf("node %s has not converged after 20 s: GET the mark store: %d %s", n.name, last.Status, last.Body)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	today := time.Now().UTC().Format(time.DateOnly)
	var first []byte
	records := map[string][]byte{} // store id -> the first node's record
	for _, n := range nodes {
		lost := 0
		for id := range l.created {
			want := 200
			if l.deleted[id] {
				want = 404
			} else if l.unsure[id] {
				continue
			}
			r := n.do("GET", "/v1/stores/"+id, key, nil)
			if r.Status != want {
				lost++
				if lost < 5 {
					t.Errorf("node %s: store %s: status %d, want %d (acknowledged)", n.name, id, r.Status, want)
				}
				continue
			}
			if want == 200 {
				if rec, ok := records[id]; !ok {
					records[id] = r.Body
				} else if !bytes.Equal(rec, r.Body) {
					lost++
					if lost < 5 {
						t.Errorf("node %s: store %s is %s, node %s has %s", n.name, id, r.Body, nodes[0].name, rec)
					}
				}
			}
		}
		if lost > 0 {
			t.Errorf("node %s: %d acknowledged writes lost", n.name, lost)
		}
		var all []byte
		for _, st := range agentStores {
			r := n.must(200, "GET", "/v1/stats/stores/"+st+"?from="+today+"&to="+today, key, nil)
			days := r.JSON(t)["days"].([]any)
			got := days[0].(map[string]any)["visits"].(float64)
			if int(got) != l.events[st] {
				t.Errorf("node %s: store %s has %v visits, want the %d acknowledged events once each", n.name, st, got, l.events[st])
			}
			all = append(all, r.Body...)
		}
		if first == nil {
			first = all
		} else if !bytes.Equal(all, first) {
			t.Errorf("node %s: statistics %s differ from node %s's %s", n.name, all, nodes[0].name, first)
		}
	}
}
