package api

import (
	"encoding/hex"

	"github.com/nearby-dev/nearby"
)

// DefaultRotationPeriodS is the rotation period of a beacon whose
// rotation is enabled without one: 15 minutes.
const DefaultRotationPeriodS = 900

// rotationInput is a beacon's rotation setting in POST and PUT /v1/beacons.
type rotationInput struct {
	Enabled *bool `json:"enabled" jsonschema:"required" jsonschema_description:"Rotate the beacon's major/minor every period, derived from a secret only its agent learns."`
	PeriodS *int  `json:"period_s" jsonschema:"minimum=1,maximum=86400" jsonschema_description:"Seconds each identity is advertised (default 900)."`
}

// rotationJSON is a beacon's rotation setting as shown; the secret never is.
type rotationJSON struct {
	Enabled bool `json:"enabled" jsonschema_description:"Whether the beacon's identity rotates."`
	PeriodS int  `json:"period_s,omitempty" jsonschema:"minimum=1,maximum=86400" jsonschema_description:"Seconds each identity is advertised."`
}

// applyRotation sets b's rotation from in: omitted keeps it (like the
// identity), disabled drops it and its secret, enabled keeps the secret of
// a beacon that already rotates (the service generates a new one).
func applyRotation(p *nearby.Problems, b *nearby.Beacon, in *rotationInput) {
	switch {
	case in == nil:
	case in.Enabled == nil:
		p.Addf("rotation.enabled", "is required")
	case !*in.Enabled:
		if in.PeriodS != nil {
			p.Addf("rotation.period_s", "must be omitted when rotation is disabled")
		}
		b.Rotation = nil
	default:
		r := &nearby.Rotation{PeriodS: DefaultRotationPeriodS}
		if in.PeriodS != nil {
			r.PeriodS = *in.PeriodS
		}
		if b.Rotation != nil {
			r.Secret = b.Rotation.Secret
		}
		b.Rotation = r
	}
}

// applyInterval sets b's advertising interval; omitted means the
// daemon's default.
func applyInterval(p *nearby.Problems, b *nearby.Beacon, ms *int) {
	b.IntervalMS = 0
	if ms == nil {
		return
	}
	if *ms < nearby.MinIntervalMS || *ms > nearby.MaxIntervalMS {
		p.Addf("interval_ms", "must be between %d and %d", nearby.MinIntervalMS, nearby.MaxIntervalMS)
		return
	}
	b.IntervalMS = *ms
}

func rotationView(b *nearby.Beacon) *rotationJSON {
	if b.Rotation == nil {
		return &rotationJSON{}
	}
	return &rotationJSON{Enabled: true, PeriodS: b.Rotation.PeriodS}
}

// remoteConfig adds what the merchant configured remotely to an agent's
// config: the interval and the rotation (with its secret: this is the one
// answer that carries it, to the beacon's own agent).
func remoteConfig(cfg *nearby.AgentConfig, b *nearby.Beacon) {
	if b.IntervalMS != 0 {
		cfg.IntervalMS = b.IntervalMS
	}
	if r := b.Rotation; r != nil {
		cfg.RotationPeriodS, cfg.RotationSecret = r.PeriodS, hex.EncodeToString(r.Secret)
	}
}

// presenceOf is a recorded presence as shown: records from before proof
// of presence existed are unverified.
func presenceOf(p string) string {
	if p == nearby.PresenceVerified {
		return p
	}
	return nearby.PresenceUnverified
}
