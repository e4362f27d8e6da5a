package cluster

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// stats are the node's counters for /metrics.
type stats struct {
	mu          sync.Mutex
	applies     uint64
	applySecs   float64
	publishes   uint64
	publishSecs float64
	failures    uint64
	leader      string
	leaderMoves uint64
}

func (s *stats) applyDone(d time.Duration) {
	s.mu.Lock()
	s.applies++
	s.applySecs += d.Seconds()
	s.mu.Unlock()
}

func (s *stats) published(d time.Duration) {
	s.mu.Lock()
	s.publishes++
	s.publishSecs += d.Seconds()
	s.mu.Unlock()
}

func (s *stats) submitFailed() {
	s.mu.Lock()
	s.failures++
	s.mu.Unlock()
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("nearby_cluster_"+name, help, labels, nil)
}

var (
	descApplied     = desc("applied_sequence", "Last stream sequence applied to this replica.")
	descLast        = desc("stream_last_sequence", "Last sequence of the command stream (as this node last saw it).")
	descFirst       = desc("stream_first_sequence", "First sequence still in the command stream (it is trimmed behind snapshots).")
	descLag         = desc("apply_lag_entries", "Entries in the stream not yet applied here.")
	descLagSeconds  = desc("apply_lag_seconds", "Age of the last applied entry while entries wait to be applied (0 when caught up).")
	descCaughtUp    = desc("caught_up", "1 once the start-up replay is done (/readyz).")
	descApplies     = desc("applies_total", "Entries applied.")
	descApplySecs   = desc("apply_seconds_total", "Time spent applying entries.")
	descPublishes   = desc("publishes_total", "Commands this node appended to the stream.")
	descPublishSecs = desc("publish_seconds_total", "Time from submit to the stream's acknowledgement.")
	descFailures    = desc("publish_failures_total", "Writes refused because the stream could not take them (no quorum).")
	descPeers       = desc("peers", "Stream replicas other than the leader, by whether they are current.", "current")
	descLeaderMoves = desc("leader_changes_total", "Stream leader changes this node has seen (sampled at scrapes).")
	descIsLeader    = desc("stream_leader", "1 if this node's embedded server leads the command stream.")
)

// Collector returns a Prometheus collector of the node's replication
// state: applied and last sequence, lag, peers, leader changes.
func (n *Node) Collector() prometheus.Collector { return collector{n} }

type collector struct{ n *Node }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descApplied, descLast, descFirst, descLag, descLagSeconds, descCaughtUp, descApplies,
		descApplySecs, descPublishes, descPublishSecs, descFailures, descPeers, descLeaderMoves, descIsLeader} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	n := c.n
	n.mu.Lock()
	applied, last, first, lastTime := n.applied, n.target, n.firstSeq, n.lastTime
	n.mu.Unlock()
	current, behind := 0, 0
	if n.js != nil && n.started.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		if st, err := n.js.Stream(ctx, n.cfg.Stream); err == nil {
			if info, err := st.Info(ctx); err == nil {
				last, first = max(last, info.State.LastSeq), info.State.FirstSeq
				if cl := info.Cluster; cl != nil {
					n.stats.mu.Lock()
					if cl.Leader != "" && cl.Leader != n.stats.leader {
						if n.stats.leader != "" {
							n.stats.leaderMoves++
							n.cfg.Logger.Info("stream leader changed", "from", n.stats.leader, "to", cl.Leader)
						}
						n.stats.leader = cl.Leader
					}
					n.stats.mu.Unlock()
					for _, p := range cl.Replicas {
						if p.Current {
							current++
						} else {
							behind++
						}
					}
				}
			}
		}
		cancel()
	}
	lag := float64(0)
	if last > applied {
		lag = float64(last - applied)
	}
	lagSecs := 0.0
	if lag > 0 && !lastTime.IsZero() {
		lagSecs = time.Since(lastTime).Seconds()
	}
	caught := 0.0
	if n.Ready() {
		caught = 1
	}
	gauge := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(descApplied, float64(applied))
	gauge(descLast, float64(last))
	gauge(descFirst, float64(first))
	gauge(descLag, lag)
	gauge(descLagSeconds, lagSecs)
	gauge(descCaughtUp, caught)
	leads := 0.0
	if n.srv != nil && n.started.Load() && n.srv.JetStreamIsStreamLeader("$G", n.cfg.Stream) {
		leads = 1
	}
	gauge(descIsLeader, leads)
	gauge(descPeers, float64(current), "true")
	gauge(descPeers, float64(behind), "false")
	s := &n.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	counter(descApplies, float64(s.applies))
	counter(descApplySecs, s.applySecs)
	counter(descPublishes, float64(s.publishes))
	counter(descPublishSecs, s.publishSecs)
	counter(descFailures, float64(s.failures))
	counter(descLeaderMoves, float64(s.leaderMoves))
}
