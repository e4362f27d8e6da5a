package nearby

// AgentConfig is what a beacon agent learns about its beacon from
// GET /v1/agent/config: the identity to advertise and how. It lives here so
// that the agent runtime and the HTTP client share it without importing each
// other.
type AgentConfig struct {
	BeaconID   string `json:"beacon_id"`
	UUID       string `json:"uuid"`
	Major      uint16 `json:"major"`
	Minor      uint16 `json:"minor"`
	TxPower    int    `json:"tx_power"`
	IntervalMS int    `json:"interval_ms"`
	// Status is the beacon's status when the server says it (an
	// extension of the contract): an agent stops advertising unless it is
	// "" or BeaconActive.
	Status string `json:"status,omitempty"`
	// RotationPeriodS and RotationSecret (hex) are set for a beacon with a
	// rotating identity: the agent advertises the identity package
	// rotation derives for each window instead of Major and Minor. Flat
	// fields keep the config comparable.
	RotationPeriodS int    `json:"rotation_period_s,omitempty"`
	RotationSecret  string `json:"rotation_secret,omitempty"`
}

// Identity returns the iBeacon identity of the config, or an error when
// UUID is not one. UUID stays text here because the config is the agent's
// view of the wire and of its cache: a bad value is reported when the
// agent applies the config, not lost in decoding.
func (c *AgentConfig) Identity() (Identity, error) {
	u, err := ParseUUID(c.UUID)
	if err != nil {
		return Identity{}, err
	}
	return Identity{UUID: u, Major: c.Major, Minor: c.Minor}, nil
}
