package agent

import (
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
)

// Heartbeater reports the agent's state. *client.Client satisfies it.
type Heartbeater interface {
	Heartbeat(ctx context.Context, h *nearby.Heartbeat) error
}

// Heartbeat defaults.
const (
	DefaultHeartbeatEvery = time.Minute
	// DefaultTemperaturePath is where Raspberry Pi OS (and most Linux
	// boards) expose the SoC temperature, in millidegrees Celsius.
	DefaultTemperaturePath = "/sys/class/thermal/thermal_zone0/temp"
)

// heartbeatLoop sends a heartbeat at once and then every interval until ctx
// is done. A failure is logged once and recovered from on the next tick: a
// heartbeat is a sample, not data worth spooling.
func (a *Agent) heartbeatLoop(ctx context.Context) {
	t := time.NewTicker(a.opts.HeartbeatEvery)
	defer t.Stop()
	var lastErr string
	for {
		h := a.heartbeat()
		actx, cancel := context.WithTimeout(ctx, a.opts.AttemptTimeout)
		err := a.server.Heartbeat(actx, h)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			if errorClass(err) != lastErr {
				a.log.Warn("heartbeat failed", "err", err)
				lastErr = errorClass(err)
			}
		case err == nil && lastErr != "":
			a.log.Info("heartbeat recovered")
			lastErr = ""
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// heartbeat gathers the agent's state now.
func (a *Agent) heartbeat() *nearby.Heartbeat {
	h := &nearby.Heartbeat{
		At:      a.now(),
		UptimeS: int64(a.now().Sub(a.started) / time.Second),
		Version: a.opts.Version,

		InstanceID: a.instance,
	}
	if st, err := a.spool.Stats(); err == nil {
		h.SpoolDepth, h.Dropped = &st.Depth, &st.Dropped
	} else {
		a.log.Error("spool stats for heartbeat", "err", err)
	}
	if c, ok := ReadTemperature(a.opts.TemperaturePath); ok {
		h.TemperatureC = &c
	}
	return h
}

// ReadTemperature reads a thermal-zone file in millidegrees Celsius; ok is
// false when there is none (not a Pi, or in a container).
func ReadTemperature(path string) (celsius float64, ok bool) {
	if path == "" {
		return 0, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	m, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || m < -100_000 || m > 200_000 {
		return 0, false
	}
	return float64(m) / 1000, true
}
