package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/ble"
	"github.com/nearby-dev/nearby/client"
	"github.com/nearby-dev/nearby/logattr"
)

// The agent package declares what it consumes; these are what it gets.
var (
	_ agent.Server = (*client.Client)(nil)
	_ agent.Radio  = (*ble.SimRadio)(nil)
)

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// runAgent runs the agent until ctx is done (SIGINT, SIGTERM) or, with the
// simulated radio, until the simulated day is over; then it prints the sim
// summary on stdout. Exit codes: 0 done, 1 failure, 2 bad usage.
func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := Load(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, ErrVersion) {
		fmt.Fprintln(stdout, build().Line("beacon-agent"))
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "beacon-agent: %v\n", err)
		return 2
	}
	level, _ := parseLevel(cfg.LogLevel)
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: logattr.ReplaceDurations}))
	if err := serve(ctx, cfg, logger, stdout); err != nil {
		logger.Error("beacon-agent failed", "err", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) error {
	sp, err := agent.OpenSpool(cfg.Spool, &agent.SpoolOptions{MaxEvents: cfg.SpoolMaxEvents})
	if err != nil {
		return err
	}
	defer sp.Close()

	radio, dayOver, err := openRadio(ctx, cfg, logger)
	if err != nil {
		return err
	}
	var closeOnce sync.Once
	closeRadio := func() {
		closeOnce.Do(func() {
			if err := radio.Close(); err != nil {
				logger.Warn("close radio", "err", err)
			}
		})
	}
	defer closeRadio()
	if dayOver != nil {
		// Closing the radio ends its sightings once the agent has read
		// every one, so the run ends after the same stream every time.
		go func() {
			select {
			case <-dayOver:
				closeRadio()
			case <-ctx.Done():
			}
		}()
	}

	cl := client.New(cfg.Server, cfg.Token, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
	cl.UserAgent = "beacon-agent/" + version
	opts := &agent.Options{
		Version:         version,
		Logger:          logger,
		HeartbeatEvery:  cfg.Heartbeat,
		ConfigEvery:     cfg.ConfigRefresh,
		AttemptTimeout:  cfg.AttemptTimeout,
		Backoff:         agent.Backoff{Max: cfg.BackoffMax},
		BatchSize:       cfg.BatchSize,
		Grace:           cfg.Grace,
		DrainTimeout:    cfg.DrainTimeout,
		TemperaturePath: agent.DefaultTemperaturePath,
	}
	if cfg.Radio == "sim" {
		// Visits end by sighting time alone, so a seed gives one stream of
		// events whatever the machine's speed.
		opts.TickEvery = -1
		opts.TemperaturePath = ""
	}
	a := agent.New(radio, cl, sp, opts)
	logger.Info("beacon-agent starting", "version", version, "server", cfg.Server, "radio", cfg.Radio, "spool", cfg.Spool)
	runErr := a.Run(ctx)
	closeRadio()

	sum, err := a.Summary()
	if err != nil {
		return errors.Join(runErr, err)
	}
	logger.Info("beacon-agent stopped", "generated", sum.Total, "spool_depth", sum.SpoolDepth,
		"dropped", sum.Dropped, "accepted", sum.Accepted, "duplicates", sum.Duplicates, "rejected", sum.Rejected)
	if cfg.Radio == "sim" {
		if err := json.NewEncoder(stdout).Encode(sum); err != nil {
			return errors.Join(runErr, err)
		}
	}
	return runErr
}

// openRadio returns the configured radio and, for the simulator, a channel
// closed when the simulated day has been played.
func openRadio(ctx context.Context, cfg Config, logger *slog.Logger) (agent.Radio, <-chan struct{}, error) {
	if cfg.Radio == "gatt" {
		r, err := openGatt(ctx, cfg, logger)
		return r, nil, err
	}
	// The day is in the past, so every event time is too and the daemon
	// accepts it, however fast the day is played.
	sim, err := ble.NewSim(ble.SimOptions{Seed: cfg.SimSeed, Phones: cfg.SimPhones, Duration: cfg.SimDuration,
		Speed: cfg.SimSpeed, Start: time.Now().Add(-cfg.SimDuration).Truncate(time.Millisecond)})
	if err != nil {
		return nil, nil, err
	}
	r := sim.Radio(ble.Point{})
	return r, r.Done(), nil
}
