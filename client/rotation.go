package client

// Rotation is whether a beacon's identity rotates and how often; the
// secret is never shown to the merchant (only the beacon's agent gets it,
// in its config).
type Rotation struct {
	Enabled bool `json:"enabled"`
	PeriodS int  `json:"period_s,omitempty"`
}

// RotationInput turns a beacon's rotating identity on or off. PeriodS
// (1 to 86,400 seconds) defaults to 900; it must be nil when Enabled is
// false.
type RotationInput struct {
	Enabled bool `json:"enabled"`
	PeriodS *int `json:"period_s,omitempty"`
}
