package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
)

// ConfigSource returns the beacon identity the agent speaks for.
// *client.Client satisfies it.
type ConfigSource interface {
	AgentConfig(ctx context.Context) (*nearby.AgentConfig, error)
}

// DefaultConfigEvery is how often the agent re-fetches its config, so that
// a merchant's change of identity or power reaches the store in minutes.
const DefaultConfigEvery = 5 * time.Minute

// configLoop fetches the config now and every ConfigEvery; while fetching
// fails it retries with backoff. Each change is cached in the spool and
// re-advertised.
func (a *Agent) configLoop(ctx context.Context) {
	failures := 0
	var lastErr string
	for {
		wait := a.opts.ConfigEvery
		actx, cancel := context.WithTimeout(ctx, a.opts.AttemptTimeout)
		cfg, err := a.server.AgentConfig(actx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = a.applyConfig(ctx, cfg)
		}
		if err != nil {
			failures++
			if errorClass(err) != lastErr {
				a.log.Warn("config refresh failed; keeping the current identity", "err", err)
				lastErr = errorClass(err)
			}
			wait = min(wait, a.opts.Backoff.Delay(failures, retryAfter(err)))
		} else if failures > 0 {
			a.log.Info("config refresh recovered", "failed_attempts", failures)
			failures, lastErr = 0, ""
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// applyConfig validates cfg and, when it differs from the current one,
// caches it and advertises it.
func (a *Agent) applyConfig(ctx context.Context, cfg *nearby.AgentConfig) error {
	a.radioMu.Lock()
	defer a.radioMu.Unlock()
	frame, err := beaconFrame(cfg, a.now())
	if err != nil {
		return err
	}
	a.mu.Lock()
	same := a.cfg != nil && *a.cfg == *cfg
	a.mu.Unlock()
	if same {
		return nil
	}
	if err := a.spool.SaveConfig(cfg); err != nil {
		return err
	}
	if a.isAdvertising() {
		if err := a.radio.StopAdvertising(ctx); err != nil {
			a.log.Warn("stop advertising", "err", err)
		}
		a.setConfig(nil, false)
	}
	if cfg.Status != "" && cfg.Status != nearby.BeaconActive {
		// An inactive beacon stays silent; the agent keeps watching and
		// spooling, since the server decides what its events count for.
		a.setConfig(cfg, false)
		a.log.Warn("beacon is not active; not advertising", "status", cfg.Status)
		return nil
	}
	if err := a.setInterval(ctx, cfg); err != nil {
		return err
	}
	if err := a.radio.Advertise(ctx, frame); err != nil {
		// cfg is not recorded as current, so the next refresh tries again.
		return fmt.Errorf("agent: advertise %s: %w", frame.Identity(), err)
	}
	a.setConfig(cfg, true)
	a.kickRotation()
	a.log.Info("advertising", "beacon_id", cfg.BeaconID, "identity", frame.Identity().String(), "tx_power", cfg.TxPower)
	return nil
}

func (a *Agent) setConfig(cfg *nearby.AgentConfig, advertising bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cfg, a.advertising = cfg, advertising
}

// loadCachedConfig advertises the config of a previous run, so the beacon
// works at once even when the daemon is unreachable at start-up.
func (a *Agent) loadCachedConfig(ctx context.Context) {
	cfg, err := a.spool.Config()
	if errors.Is(err, ErrNoConfig) {
		a.log.Info("no cached config: advertising starts once the daemon answers")
		return
	}
	if err == nil {
		err = a.applyConfig(ctx, cfg)
	}
	if err != nil {
		a.log.Warn("cached config unusable", "err", err)
	}
}
