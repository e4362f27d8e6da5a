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
}

// Identity returns the iBeacon identity of the config.
func (c *AgentConfig) Identity() Identity {
	return Identity{UUID: c.UUID, Major: c.Major, Minor: c.Minor}
}
