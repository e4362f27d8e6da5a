package api

import (
	"context"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/prometheus/client_golang/prometheus"
)

// Alerts reads a merchant's fleet health alerts.
type Alerts interface {
	ListAlerts(ctx context.Context, merchantID, afterID uint64, limit int, f nearby.AlertFilter) ([]*nearby.Alert, error)
	// BeaconAlerts returns a beacon's open alerts.
	BeaconAlerts(ctx context.Context, merchantID, beaconID uint64) ([]*nearby.Alert, error)
	OpenAlertCounts(ctx context.Context) (map[nearby.AlertKind]int, error)
}

// noAlerts is the Alerts of a server built without them.
type noAlerts struct{}

func (noAlerts) ListAlerts(context.Context, uint64, uint64, int, nearby.AlertFilter) ([]*nearby.Alert, error) {
	return nil, nil
}
func (noAlerts) BeaconAlerts(context.Context, uint64, uint64) ([]*nearby.Alert, error) {
	return nil, nil
}
func (noAlerts) OpenAlertCounts(context.Context) (map[nearby.AlertKind]int, error) { return nil, nil }

// alertJSON is an alert as the API shows it.
type alertJSON struct {
	ID         string     `json:"id" jsonschema:"pattern=^alr_[0-9a-f]+$" jsonschema_description:"Alert id: alr_ and hex digits."`
	Kind       string     `json:"kind" jsonschema_description:"What is wrong."`
	State      string     `json:"state" jsonschema_description:"open while the condition holds, resolved once it cleared."`
	BeaconID   string     `json:"beacon_id,omitempty" jsonschema:"pattern=^bcn_[0-9a-f]+$" jsonschema_description:"The beacon concerned; absent for a webhook alert."`
	StoreID    string     `json:"store_id,omitempty" jsonschema:"pattern=^st_[0-9a-f]+$" jsonschema_description:"The beacon's store."`
	Since      time.Time  `json:"since" jsonschema_description:"When the alert opened."`
	LastAt     time.Time  `json:"last_at" jsonschema_description:"When its evidence was last seen."`
	Evidence   string     `json:"evidence" jsonschema_description:"The last evidence, for people."`
	ResolvedAt *time.Time `json:"resolved_at,omitempty" jsonschema_description:"When it resolved."`
}

func alertID(a *nearby.Alert) uint64 { return a.ID }

func alertView(a *nearby.Alert) alertJSON {
	v := alertJSON{ID: nearby.FormatID(nearby.KindAlert, a.ID), Kind: string(a.Kind), State: a.State,
		Since: a.Since, LastAt: a.LastAt, Evidence: a.Evidence, ResolvedAt: a.ResolvedAt}
	if a.BeaconID != 0 {
		v.BeaconID = nearby.FormatID(nearby.KindBeacon, a.BeaconID)
	}
	if a.StoreID != 0 {
		v.StoreID = nearby.FormatID(nearby.KindStore, a.StoreID)
	}
	return v
}

var alertQuery = append([]param{
	qEnum("state", "Only alerts in this state.", nearby.AlertStates),
	qEnum("kind", "Only alerts of this kind.", nearby.AlertKinds),
}, pageQuery...)

// handleListAlerts is GET /v1/alerts.
func (s *Server) handleListAlerts(c echo.Context) error {
	after, limit, err := pageParams(c, nearby.KindAlert)
	if err != nil {
		return err
	}
	f := nearby.AlertFilter{State: c.QueryParam("state"), Kind: nearby.AlertKind(c.QueryParam("kind"))}
	var p nearby.Problems
	if f.State != "" && !nearby.ValidEnum(f.State, nearby.AlertStates) {
		p.Addf("state", "must be one of %v", nearby.AlertStates)
	}
	if f.Kind != "" && !nearby.ValidEnum(string(f.Kind), nearby.AlertKinds) {
		p.Addf("kind", "must be one of %v", nearby.AlertKinds)
	}
	if err := p.Err(); err != nil {
		return err
	}
	as, err := s.alerts.ListAlerts(c.Request().Context(), merchantOf(c), after, limit+1, f)
	if err != nil {
		return err
	}
	return listResponse(c, nearby.KindAlert, as, limit, alertID, alertView)
}

// beaconAlerts are a beacon's open alerts for its detail.
func (s *Server) beaconAlerts(ctx context.Context, b *nearby.Beacon) ([]alertJSON, error) {
	as, err := s.alerts.BeaconAlerts(ctx, b.MerchantID, b.ID)
	if err != nil {
		return nil, err
	}
	out := make([]alertJSON, 0, len(as))
	for _, a := range as {
		out = append(out, alertView(a))
	}
	return out, nil
}

func (alertJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "kind").Enum = enum(nearby.AlertKinds)
	prop(s, "state").Enum = enum(nearby.AlertStates)
}

// alertCollector exports the open alerts per kind.
type alertCollector struct{ alerts Alerts }

var alertsOpenDesc = prometheus.NewDesc("nearby_alerts_open", "Open fleet health alerts by kind.", []string{"kind"}, nil)

func (c alertCollector) Describe(ch chan<- *prometheus.Desc) { ch <- alertsOpenDesc }

func (c alertCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.alerts.OpenAlertCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(alertsOpenDesc, err)
		return
	}
	for _, k := range nearby.AlertKinds {
		ch <- prometheus.MustNewConstMetric(alertsOpenDesc, prometheus.GaugeValue, float64(counts[nearby.AlertKind(k)]), k)
	}
}
