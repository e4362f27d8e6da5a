package nearby

import (
	"fmt"
	"time"
)

// Beacon statuses.
const (
	BeaconActive         = "active"
	BeaconInactive       = "inactive"
	BeaconDecommissioned = "decommissioned"
)

// BeaconStatuses lists the valid statuses.
var BeaconStatuses = []string{BeaconActive, BeaconInactive, BeaconDecommissioned}

// DefaultTxPower is the measured power at 1 m (dBm) assumed when a beacon is
// created without one: the common factory setting of iBeacon hardware.
const DefaultTxPower = -59

// Identity is what an iBeacon advertises. It is comparable: the catalog
// keys beacons by it and the store's identity index is its 20 bytes. A
// zero UUID means no identity was given.
type Identity struct {
	UUID  UUID   `json:"uuid"`
	Major uint16 `json:"major"`
	Minor uint16 `json:"minor"`
}

func (id Identity) String() string { return fmt.Sprintf("%s/%d/%d", id.UUID, id.Major, id.Minor) }

// Beacon is an in-store transmitter and the agent that speaks for it.
type Beacon struct {
	ID         uint64
	MerchantID uint64
	StoreID    uint64
	Label      string
	Identity   Identity
	TxPower    int
	Status     string
	Page       *Page
	// AgentTokenHash is the hash of the first agent token, given at
	// creation: the registry moves it into AgentTokens.
	AgentTokenHash []byte `json:",omitempty"`
	AgentTokens    []Key  `json:",omitempty"`
	// IntervalMS is how often the agent advertises (0: the daemon's
	// default); Rotation, when set, makes the identity rotate.
	IntervalMS    int       `json:",omitempty"`
	Rotation      *Rotation `json:",omitempty"`
	LastHeartbeat *Heartbeat
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Advertising interval bounds of a beacon (IntervalMS).
const (
	MinIntervalMS = 100
	MaxIntervalMS = 10_000
)

// Rotation period bounds (Rotation.PeriodS).
const (
	MinRotationPeriodS = 1
	MaxRotationPeriodS = 86_400
)

// Rotation is a beacon's rotating identity (see package rotation): its
// major/minor change every PeriodS seconds, derived from Secret, which
// discoveryd generates and shows only to the beacon's agent.
type Rotation struct {
	PeriodS int
	Secret  []byte
}

// Page is what a phone is shown for a beacon: a path inside a program.
type Page struct {
	ProgramID uint64
	Path      string
	Title     string
	// RequirePresence shows the page only to shakes that prove presence
	// (a rotating identity of the current window); others get the
	// location fallback.
	RequirePresence bool `json:",omitempty"`
}

// Heartbeat is an agent's latest report about itself.
type Heartbeat struct {
	At           time.Time
	UptimeS      int64
	Version      string
	Battery      *float64 // percent, 0..100
	TemperatureC *float64
	SpoolDepth   *int64
	Dropped      *int64
	// InstanceID is random per agent process, so that two agents sharing
	// one token (a cloned SD card) tell apart from one that restarted.
	InstanceID string `json:",omitempty"`
}

// Validate checks a beacon's client-supplied fields.
func (b *Beacon) Validate() error {
	var p Problems
	checkName(&p, "label", b.Label, false)
	if b.TxPower < -127 || b.TxPower > 20 {
		p.Addf("tx_power", "must be between -127 and 20 dBm")
	}
	if b.Status != "" && !ValidEnum(b.Status, BeaconStatuses) {
		p.Addf("status", "must be one of %v", BeaconStatuses)
	}
	if b.IntervalMS != 0 && (b.IntervalMS < MinIntervalMS || b.IntervalMS > MaxIntervalMS) {
		p.Addf("interval_ms", "must be between %d and %d", MinIntervalMS, MaxIntervalMS)
	}
	if r := b.Rotation; r != nil && (r.PeriodS < MinRotationPeriodS || r.PeriodS > MaxRotationPeriodS) {
		p.Addf("rotation.period_s", "must be between %d and %d", MinRotationPeriodS, MaxRotationPeriodS)
	}
	if pg := b.Page; pg != nil {
		if len(pg.Path) > MaxURLLen {
			p.Addf("page.path", "must be at most %d bytes", MaxURLLen)
		}
		checkName(&p, "page.title", pg.Title, false)
	}
	return p.Err()
}

// Validate checks an agent's heartbeat.
func (h *Heartbeat) Validate() error {
	var p Problems
	if h.UptimeS < 0 {
		p.Addf("uptime_s", "must not be negative")
	}
	if len(h.Version) > 64 {
		p.Addf("version", "must be at most 64 bytes")
	}
	if h.Battery != nil && !(*h.Battery >= 0 && *h.Battery <= 100) {
		p.Addf("battery", "must be between 0 and 100")
	}
	if h.TemperatureC != nil && !(*h.TemperatureC >= -100 && *h.TemperatureC <= 200) {
		p.Addf("temperature_c", "must be between -100 and 200")
	}
	if h.SpoolDepth != nil && *h.SpoolDepth < 0 {
		p.Addf("spool_depth", "must not be negative")
	}
	if len(h.InstanceID) > 64 {
		p.Addf("instance_id", "must be at most 64 bytes")
	}
	if h.Dropped != nil && *h.Dropped < 0 {
		p.Addf("dropped", "must not be negative")
	}
	return p.Err()
}
