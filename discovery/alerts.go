package discovery

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// The alert commands.
const (
	OpRaiseAlert   Op = "alert.raise"   // Command.Alert: open it or update its evidence
	OpResolveAlert Op = "alert.resolve" // Command.Alert: MerchantID, BeaconID, Kind, ResolvedAt
)

// AlertStore keeps alerts. *store.DB satisfies it; a registry without it
// raises none.
type AlertStore interface {
	RaiseAlert(ctx context.Context, a *nearby.Alert) error
	ResolveAlert(ctx context.Context, merchantID, beaconID uint64, kind nearby.AlertKind, at time.Time) (*nearby.Alert, error)
	ListAlerts(ctx context.Context, merchantID, afterID uint64, limit int, f nearby.AlertFilter) ([]*nearby.Alert, error)
	OpenAlerts(ctx context.Context, merchantID, beaconID uint64, fn func(*nearby.Alert) error) error
}

// AlertRules are the fleet health thresholds; zero fields mean the
// defaults.
type AlertRules struct {
	// SilentAfter is how long a beacon may go without a heartbeat: three
	// of the agent's default one-minute intervals.
	SilentAfter      time.Duration
	BatteryBelow     float64 // percent
	TemperatureAbove float64 // degrees Celsius
	// CloneDistanceM is how far from its store a beacon may be shaken
	// before its identity counts as cloned or relayed.
	CloneDistanceM float64
	// CloneQuiet is how long a clone alert stays open after its last
	// evidence.
	CloneQuiet time.Duration
	// SweepEvery is how often Run checks for silent beacons.
	SweepEvery time.Duration
}

// Defaults of AlertRules.
const (
	DefaultSilentAfter      = 3 * time.Minute
	DefaultBatteryBelow     = 15
	DefaultTemperatureAbove = 70
	DefaultCloneDistanceM   = 10_000
	DefaultCloneQuiet       = 24 * time.Hour
	DefaultSweepEvery       = 30 * time.Second
)

func (r AlertRules) withDefaults() AlertRules {
	def := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&r.SilentAfter, DefaultSilentAfter)
	def(&r.CloneQuiet, DefaultCloneQuiet)
	def(&r.SweepEvery, DefaultSweepEvery)
	for _, f := range []struct {
		p *float64
		v float64
	}{{&r.BatteryBelow, DefaultBatteryBelow}, {&r.TemperatureAbove, DefaultTemperatureAbove}, {&r.CloneDistanceM, DefaultCloneDistanceM}} {
		if *f.p == 0 {
			*f.p = f.v
		}
	}
	return r
}

// alerting is the service's alert state outside the registry: which agent
// instances speak for each beacon (to tell two agents from a restart).
type alerting struct {
	rules AlertRules
	mu    sync.Mutex
	seen  map[uint64]map[string]*instance // beacon -> agent instance
}

type instance struct{ first, last time.Time }

func newAlerting(r *AlertRules) *alerting {
	var rules AlertRules
	if r != nil {
		rules = *r
	}
	return &alerting{rules: rules.withDefaults(), seen: make(map[uint64]map[string]*instance)}
}

func (s *Service) alertStore() (AlertStore, bool) {
	as, ok := s.reg.(AlertStore)
	return as, ok
}

// commitAlert applies an alert command to the registry.
func (s *Service) commitAlert(ctx context.Context, cmd *Command, out *Outcome) error {
	as, ok := s.alertStore()
	if !ok || cmd.Alert == nil {
		return nearby.Internal(fmt.Errorf("discovery: %s without an alert store or alert", cmd.Op))
	}
	a := cmd.Alert
	if cmd.Op == OpRaiseAlert {
		out.Alert = a
		return as.RaiseAlert(ctx, a)
	}
	at := s.now().UTC()
	if a.ResolvedAt != nil {
		at = *a.ResolvedAt
	}
	res, err := as.ResolveAlert(ctx, a.MerchantID, a.BeaconID, a.Kind, at)
	out.Alert = res
	return err
}

// raise opens (or refreshes) kind for b with evidence.
func (s *Service) raise(ctx context.Context, b *nearby.Beacon, kind nearby.AlertKind, evidence string) {
	now := s.now().UTC()
	a := &nearby.Alert{MerchantID: b.MerchantID, BeaconID: b.ID, StoreID: b.StoreID, Kind: kind,
		Since: now, LastAt: now, Evidence: evidence}
	if _, err := s.submit(ctx, &Command{Op: OpRaiseAlert, Alert: a}); err != nil {
		s.alertFailed(ctx, kind, b.ID, err)
	}
}

// resolve resolves kind for b when open is set for it.
func (s *Service) resolve(ctx context.Context, b *nearby.Beacon, kind nearby.AlertKind, open map[nearby.AlertKind]bool) {
	if !open[kind] {
		return
	}
	now := s.now().UTC()
	a := &nearby.Alert{MerchantID: b.MerchantID, BeaconID: b.ID, Kind: kind, ResolvedAt: &now}
	if _, err := s.submit(ctx, &Command{Op: OpResolveAlert, Alert: a}); err != nil {
		s.alertFailed(ctx, kind, b.ID, err)
	}
}

func (s *Service) alertFailed(ctx context.Context, kind nearby.AlertKind, beaconID uint64, err error) {
	s.logger.LogAttrs(ctx, slog.LevelError, "alert not committed",
		slog.String("kind", string(kind)), slog.String("beacon", nearby.FormatID(nearby.KindBeacon, beaconID)), slog.Any("err", err))
}

// openKinds returns the kinds open for b.
func (s *Service) openKinds(ctx context.Context, as AlertStore, b *nearby.Beacon) map[nearby.AlertKind]bool {
	open := map[nearby.AlertKind]bool{}
	_ = as.OpenAlerts(ctx, b.MerchantID, b.ID, func(a *nearby.Alert) error {
		open[a.Kind] = true
		return nil
	})
	return open
}

// heartbeatAlerts checks a heartbeat of b (as it was before it) against
// the rules: a heartbeat ends silence, and raises or resolves battery,
// temperature, spool-drop and two-agent clone alerts.
func (s *Service) heartbeatAlerts(ctx context.Context, b *nearby.Beacon, h *nearby.Heartbeat) {
	as, ok := s.alertStore()
	if !ok || b == nil {
		return
	}
	r := s.alerts.rules
	open := s.openKinds(ctx, as, b)
	s.resolve(ctx, b, nearby.AlertSilent, open)
	threshold := func(kind nearby.AlertKind, v *float64, bad bool, evidence string) {
		switch {
		case v == nil:
		case bad:
			s.raise(ctx, b, kind, evidence)
		default:
			s.resolve(ctx, b, kind, open)
		}
	}
	if h.Battery != nil {
		threshold(nearby.AlertBattery, h.Battery, *h.Battery < r.BatteryBelow,
			fmt.Sprintf("battery %.0f%%, below %.0f%%", *h.Battery, r.BatteryBelow))
	}
	if h.TemperatureC != nil {
		threshold(nearby.AlertTemperature, h.TemperatureC, *h.TemperatureC > r.TemperatureAbove,
			fmt.Sprintf("temperature %.1f °C, above %.1f °C", *h.TemperatureC, r.TemperatureAbove))
	}
	if h.Dropped != nil {
		var before int64
		if p := b.LastHeartbeat; p != nil && p.Dropped != nil {
			before = *p.Dropped
		}
		if n := *h.Dropped - before; n > 0 {
			s.raise(ctx, b, nearby.AlertSpoolDrops, fmt.Sprintf("the agent's spool dropped %d events since its previous heartbeat", n))
		} else {
			s.resolve(ctx, b, nearby.AlertSpoolDrops, open)
		}
	}
	if h.InstanceID != "" {
		if other := s.alerts.twoAgents(b.ID, h.InstanceID, s.now(), r.SilentAfter); other != "" {
			s.raise(ctx, b, nearby.AlertClone, fmt.Sprintf("two agents speak for this beacon: instances %s and %s heartbeat alternately", other, h.InstanceID))
		}
	}
}

// twoAgents records a heartbeat of beacon from agent instance id at now
// and returns another instance that is alive alongside it: one that
// started after id's previous heartbeat and heartbeat within window. A
// restarted agent is a new instance whose predecessor falls silent, so it
// is never reported.
func (x *alerting) twoAgents(beacon uint64, id string, now time.Time, window time.Duration) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	m := x.seen[beacon]
	if m == nil {
		m = make(map[string]*instance)
		x.seen[beacon] = m
	}
	for k, in := range m {
		if now.Sub(in.last) > window {
			delete(m, k) // fallen silent: restarted or stopped
		}
	}
	me := m[id]
	if me == nil {
		if len(m) >= 8 {
			return "" // bound the memory a token abuser can cost
		}
		m[id] = &instance{first: now, last: now}
		return ""
	}
	other := ""
	for k, in := range m {
		if k != id && in.first.After(me.last) {
			other = k
		}
	}
	me.last = now
	return other
}

// CheckAlerts raises silent alerts for active beacons without a
// heartbeat for longer than the rules allow, and resolves clone alerts
// whose evidence is older than CloneQuiet. Run calls it periodically.
func (s *Service) CheckAlerts(ctx context.Context) error {
	as, ok := s.alertStore()
	if !ok {
		return nil
	}
	r := s.alerts.rules
	now := s.now().UTC()
	type key struct {
		beacon uint64
		kind   nearby.AlertKind
	}
	open := map[key]*nearby.Alert{}
	if err := as.OpenAlerts(ctx, 0, 0, func(a *nearby.Alert) error {
		open[key{a.BeaconID, a.Kind}] = a
		return nil
	}); err != nil {
		return err
	}
	var silent []*nearby.Beacon
	err := s.reg.ForEachBeacon(ctx, func(b *nearby.Beacon) error {
		last := b.CreatedAt
		if b.LastHeartbeat != nil {
			last = b.LastHeartbeat.At
		}
		if (b.Status == "" || b.Status == nearby.BeaconActive) && now.Sub(last) > r.SilentAfter && open[key{b.ID, nearby.AlertSilent}] == nil {
			cp := *b
			silent = append(silent, &cp)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range silent { // raised outside the registry's read
		last := b.CreatedAt
		if b.LastHeartbeat != nil {
			last = b.LastHeartbeat.At
		}
		s.raise(ctx, b, nearby.AlertSilent, fmt.Sprintf("no heartbeat since %s (%s)", last.UTC().Format(time.RFC3339), now.Sub(last).Round(time.Second)))
	}
	for k, a := range open {
		if k.kind == nearby.AlertClone && now.Sub(a.LastAt) > r.CloneQuiet {
			b := &nearby.Beacon{ID: a.BeaconID, MerchantID: a.MerchantID}
			s.resolve(ctx, b, nearby.AlertClone, map[nearby.AlertKind]bool{nearby.AlertClone: true})
		}
	}
	return nil
}

// shakeAlerts checks a shake that chose beacon b at st from a phone that
// said where it is: farther from the store than CloneDistanceM, the
// beacon's identity is heard where the beacon cannot be. The position is
// used for this comparison only: the evidence names the distance, never
// the place.
func (s *Service) shakeAlerts(ctx context.Context, b *nearby.Beacon, st *nearby.Store, lat, lng *float64) {
	if _, ok := s.alertStore(); !ok || b == nil || st == nil || lat == nil || lng == nil {
		return
	}
	d := geo.Distance(geo.Point{Lat: *lat, Lng: *lng}, geo.Point{Lat: st.Lat, Lng: st.Lng})
	if d > s.alerts.rules.CloneDistanceM {
		s.raise(ctx, b, nearby.AlertClone, fmt.Sprintf("shaken %.0f km from its store (more than %.0f km): the identity is cloned or relayed", d/1000, s.alerts.rules.CloneDistanceM/1000))
	}
}

// ListAlerts returns up to limit of the merchant's alerts after afterID
// that match f.
func (s *Service) ListAlerts(ctx context.Context, merchantID, afterID uint64, limit int, f nearby.AlertFilter) ([]*nearby.Alert, error) {
	as, ok := s.alertStore()
	if !ok {
		return []*nearby.Alert{}, nil
	}
	return as.ListAlerts(ctx, merchantID, afterID, limit, f)
}

// BeaconAlerts returns the open alerts of one of the merchant's beacons.
func (s *Service) BeaconAlerts(ctx context.Context, merchantID, beaconID uint64) ([]*nearby.Alert, error) {
	out := []*nearby.Alert{}
	as, ok := s.alertStore()
	if !ok {
		return out, nil
	}
	err := as.OpenAlerts(ctx, merchantID, beaconID, func(a *nearby.Alert) error {
		out = append(out, a)
		return nil
	})
	return out, err
}

// OpenAlertCounts returns the number of open alerts by kind, for metrics.
func (s *Service) OpenAlertCounts(ctx context.Context) (map[nearby.AlertKind]int, error) {
	out := make(map[nearby.AlertKind]int)
	as, ok := s.alertStore()
	if !ok {
		return out, nil
	}
	err := as.OpenAlerts(ctx, 0, 0, func(a *nearby.Alert) error {
		out[a.Kind]++
		return nil
	})
	return out, err
}

// Run does the service's background work until ctx is done: webhook
// deliveries, and the alert sweep every SweepEvery.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { s.runWebhooks(ctx) })
	t := time.NewTicker(s.alerts.rules.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.CheckAlerts(ctx); err != nil && ctx.Err() == nil {
				s.logger.LogAttrs(ctx, slog.LevelWarn, "alert sweep failed", slog.Any("err", err))
			}
		}
	}
}
