package nearby

import (
	"math"
	"time"
)

// EventType is what an agent noticed about a phone.
type EventType string

// Event types.
const (
	EventShake EventType = "shake"
	EventEnter EventType = "enter"
	EventExit  EventType = "exit"
	EventDwell EventType = "dwell"
)

// EventTypes lists the valid event types.
var EventTypes = []EventType{EventShake, EventEnter, EventExit, EventDwell}

// MaxEventAge and MaxEventSkew bound an event's time: agents buffer for
// hours or days while offline, but not for ever, and clocks drift.
const (
	MaxEventAge  = 30 * 24 * time.Hour
	MaxEventSkew = 10 * time.Minute
)

// Event is one thing that happened at a beacon. ID is a client-generated
// UUID, so that re-sending an event is harmless. It is kept as text, not a
// UUID: it is the agent's spool key and is echoed back in accepted_ids, so
// a malformed id must survive to be rejected by name; Validate requires
// ParseUUID to accept it and the API stores its canonical String form.
type Event struct {
	ID        string    `json:"id"`
	Type      EventType `json:"type"`
	At        time.Time `json:"at"`
	DeviceID  string    `json:"device_id,omitempty"`
	RSSI      *int      `json:"rssi,omitempty"`
	DistanceM *float64  `json:"distance_m,omitempty"`
	DwellMS   *int64    `json:"dwell_ms,omitempty"`
	BeaconID  uint64    `json:"-"` // set by the server from the agent token
}

// MaxDeviceIDLen bounds a device's pseudonymous id.
const MaxDeviceIDLen = 128

// Validate checks an event as received at now; field names are relative to
// the event ("id", "at"). device_id and dwell_ms are optional, as the
// contract says: an event without a device still counts as a page view or
// visit but not towards unique counts, and a dwell without dwell_ms does not
// move the average dwell.
func (e *Event) Validate(now time.Time) error {
	var p Problems
	if _, err := ParseUUID(e.ID); err != nil {
		p.Addf("id", "must be a UUID")
	}
	ok := false
	for _, t := range EventTypes {
		ok = ok || e.Type == t
	}
	if !ok {
		p.Addf("type", "must be one of shake, enter, exit, dwell")
	}
	switch {
	case e.At.IsZero():
		p.Addf("at", "is required")
	case e.At.After(now.Add(MaxEventSkew)):
		p.Addf("at", "is in the future")
	case e.At.Before(now.Add(-MaxEventAge)):
		p.Addf("at", "is older than %d days", int(MaxEventAge/(24*time.Hour)))
	}
	if len(e.DeviceID) > MaxDeviceIDLen {
		p.Addf("device_id", "must be at most %d bytes", MaxDeviceIDLen)
	}
	if e.RSSI != nil && (*e.RSSI < -127 || *e.RSSI > 20) {
		p.Addf("rssi", "must be between -127 and 20 dBm")
	}
	if e.DistanceM != nil && (math.IsNaN(*e.DistanceM) || *e.DistanceM < 0 || *e.DistanceM > 1000) {
		p.Addf("distance_m", "must be between 0 and 1000")
	}
	if e.DwellMS != nil && (*e.DwellMS < 0 || *e.DwellMS > int64(MaxEventAge/time.Millisecond)) {
		p.Addf("dwell_ms", "must be between 0 and %d", int64(MaxEventAge/time.Millisecond))
	}
	return p.Err()
}

// Shake is one recorded shake of a phone, answered with a ticket.
type Shake struct {
	Ticket    string
	DeviceID  string
	BeaconID  uint64 // 0 when no known beacon was seen
	StoreID   uint64
	ProgramID uint64
	At        time.Time
	DistanceM *float64
	Proximity string
	Fallback  bool // chosen by location, not by a beacon
	// Presence is PresenceVerified when the chosen beacon was named by a
	// rotating identity of an accepted window, else PresenceUnverified.
	Presence string `json:",omitempty"`
}

// A shake's presence: whether the phone proved it heard the beacon now.
const (
	PresenceVerified   = "verified"
	PresenceUnverified = "unverified"
)

// Presences lists the valid presences.
var Presences = []string{PresenceVerified, PresenceUnverified}

// DayStats are one day's figures for a beacon or a store, in the store's
// time zone, as a merchant may see them: a figure that fewer than the
// minimum count of distinct devices stand behind is nil (null) and
// Suppressed says so (see docs/privacy.md for the rule).
type DayStats struct {
	Date    string `json:"date"` // YYYY-MM-DD
	ShakePV *int64 `json:"shake_pv"`
	ShakeUV *int64 `json:"shake_uv"`
	// ShakeVerified counts the shakes of ShakePV with verified presence.
	ShakeVerified *int64   `json:"shake_verified"`
	Visits        *int64   `json:"visits"`
	Visitors      *int64   `json:"visitors"`
	AvgDwellS     *float64 `json:"avg_dwell_s"`
	Suppressed    bool     `json:"suppressed,omitempty"`
	// QRScans counts scans of the store's QR codes (store statistics
	// only; nil when none, or when the day is suppressed).
	QRScans *int64 `json:"qr_scans,omitempty"`
}

// Minimum counts (k-anonymity): a statistic about people is shown only
// when at least the minimum count of distinct devices stand behind it.
const (
	DefaultMinCount = 5
	MinMinCount     = 2 // the smallest minimum count a deployment may set
)
