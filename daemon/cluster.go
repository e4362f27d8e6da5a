package daemon

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nearby-dev/nearby/cluster"
	"github.com/nearby-dev/nearby/discovery"
)

// openCluster makes d a cluster replica when cfg asks for one: the node
// takes the service's applier (sopts.Submit) so that every write goes
// through the replicated log.
func (d *Daemon) openCluster(cfg Config, logger *slog.Logger, sopts *discovery.Options) error {
	if cfg.Cluster == nil {
		return nil
	}
	cc := *cfg.Cluster
	if cc.Logger == nil {
		cc.Logger = logger.With(slog.String("sys", "cluster"))
	}
	if cc.Now == nil {
		cc.Now = cfg.Now
	}
	node, err := cluster.New(cc, d.DB)
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	d.Cluster, sopts.Submit = node, node.Wrap
	return nil
}

// joinCluster starts the node before the catalog is loaded: joining may
// restore a snapshot into the registry (a new node, or one whose log was
// trimmed while it was down).
func (d *Daemon) joinCluster(ctx context.Context) error {
	if d.Cluster == nil {
		return nil
	}
	if err := d.Cluster.Start(ctx); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	return nil
}

// followCluster starts the apply loop once the catalog holds the registry
// and waits for the replay of the log's tail: the node is ready only once
// caught up.
func (d *Daemon) followCluster(ctx context.Context) error {
	if d.Cluster == nil {
		return nil
	}
	d.Cluster.Follow()
	if err := d.Cluster.WaitCaughtUp(ctx); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	return nil
}
