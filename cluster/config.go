package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultStream   = "NEARBY"
	DefaultReplicas = 3
	// DefaultWriteTimeout bounds how long a write waits for the log (a
	// Raft election after a leader's death takes 4–5 s) before it is
	// refused as unavailable.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultSnapshotEvery is how many entries the stream leader applies
	// between two registry snapshots.
	DefaultSnapshotEvery = 100_000
	// DefaultMaxPayload is the embedded server's largest message: an
	// import batch of a thousand stores is about half a megabyte of JSON.
	DefaultMaxPayload = 8 << 20
)

// Config says how a node joins the cluster: either an embedded NATS server
// (Name, Listen, Peers, Dir) or an existing NATS deployment (URL).
type Config struct {
	// Name is the cluster's name; every node of one cluster uses the same.
	Name string
	// Listen is the embedded server's cluster (route) address, host:port
	// (port 0: the OS picks one).
	Listen string
	// Peers are the route addresses (host:port) of the cluster's nodes; a
	// node may list itself, so every node can be given the same list.
	Peers []string
	// Advertise, if set, is the route address the other nodes are told
	// to reach this one at (behind NAT or a proxy), instead of Listen's.
	Advertise string
	// URL, if set, connects to an existing NATS cluster with JetStream
	// instead of embedding a server (Name, Listen and Peers are ignored).
	URL string
	// Dir holds the embedded server's JetStream store and its name.
	Dir string
	// ServerName is the embedded server's name, stable across restarts
	// (JetStream's Raft groups know a peer by it); "" means the one kept
	// in Dir, made at the first start.
	ServerName string
	// Stream is the JetStream stream of commands (DefaultStream).
	Stream string
	// Replicas is the stream's replication factor (DefaultReplicas).
	Replicas int
	// WriteTimeout bounds a write's wait for the log (DefaultWriteTimeout).
	WriteTimeout time.Duration
	// SnapshotEvery is how many entries the stream leader applies between
	// two snapshots of the registry into the JetStream object store
	// <Stream>_SNAPSHOTS; after each, the log is trimmed to the
	// SnapshotEvery entries before it. 0: DefaultSnapshotEvery; negative:
	// never (the log keeps everything).
	SnapshotEvery int
	// Logger receives membership and apply messages; nil discards.
	Logger *slog.Logger
	// Now stamps commands at submit (nil: time.Now).
	Now func() time.Time
}

// Enabled reports whether c asks for cluster mode at all.
func (c *Config) Enabled() bool {
	return c.URL != "" || c.Name != "" || c.Listen != "" || len(c.Peers) > 0
}

// Validate checks c, naming the flag-like field at fault.
func (c *Config) Validate() error {
	var errs []error
	if c.URL == "" {
		if c.Name == "" {
			errs = append(errs, errors.New("cluster name is required"))
		} else if strings.ContainsAny(c.Name, " \t.*>") {
			errs = append(errs, fmt.Errorf("cluster name %q must not contain spaces, '.', '*' or '>'", c.Name))
		}
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			errs = append(errs, fmt.Errorf("cluster listen address %q: %w", c.Listen, err))
		}
		for _, p := range c.Peers {
			if _, _, err := net.SplitHostPort(p); err != nil {
				errs = append(errs, fmt.Errorf("cluster peer %q: %w", p, err))
			}
		}
		if c.Dir == "" {
			errs = append(errs, errors.New("cluster data dir is required"))
		}
	}
	if c.Replicas < 0 || c.WriteTimeout < 0 {
		errs = append(errs, errors.New("replicas and write timeout must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return nil
}

func (c *Config) fillDefaults() {
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.Replicas == 0 {
		c.Replicas = DefaultReplicas
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = DefaultSnapshotEvery
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}
