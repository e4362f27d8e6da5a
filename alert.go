package nearby

import "time"

// KindAlert is the id prefix of alerts.
const KindAlert = "alr"

// AlertKind is what is wrong with a beacon.
type AlertKind string

// Alert kinds.
const (
	// AlertSilent: no heartbeat for longer than the fleet's silence limit.
	AlertSilent AlertKind = "silent"
	// AlertBattery: the agent's battery is below the threshold.
	AlertBattery AlertKind = "battery"
	// AlertTemperature: the agent is hotter than the threshold.
	AlertTemperature AlertKind = "temperature"
	// AlertSpoolDrops: the agent's spool dropped events since the
	// previous heartbeat.
	AlertSpoolDrops AlertKind = "spool_drops"
	// AlertClone: the beacon's identity is used where it cannot be.
	AlertClone AlertKind = "clone"
	// AlertWebhook: a webhook endpoint failed for too long and was
	// disabled (BeaconID is 0, Evidence names the endpoint).
	AlertWebhook AlertKind = "webhook"
)

// AlertKinds lists the valid kinds.
var AlertKinds = []string{string(AlertSilent), string(AlertBattery), string(AlertTemperature),
	string(AlertSpoolDrops), string(AlertClone), string(AlertWebhook)}

// Alert states.
const (
	AlertOpen     = "open"
	AlertResolved = "resolved"
)

// AlertStates lists the valid states.
var AlertStates = []string{AlertOpen, AlertResolved}

// Alert is a condition of a merchant's fleet: open while it holds,
// resolved once it clears. There is at most one open alert per beacon and
// kind; raising it again updates its evidence.
type Alert struct {
	ID         uint64
	MerchantID uint64
	BeaconID   uint64
	StoreID    uint64
	Kind       AlertKind
	State      string
	Since      time.Time  // when it opened
	LastAt     time.Time  // when the evidence was last seen
	Evidence   string     // what was observed, for people
	ResolvedAt *time.Time `json:",omitempty"`
}

// AlertFilter selects alerts of a list; empty fields select all.
type AlertFilter struct {
	State string
	Kind  AlertKind
}
