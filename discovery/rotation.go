package discovery

import (
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/rotation"
)

// ensureSecret gives a rotating beacon its secret before its command is
// built, so that the command carries it and every replica applying it
// stores the same one. A beacon keeps its secret while rotation stays on
// (a change of period starts a new sequence anyway, see package rotation).
func ensureSecret(b *nearby.Beacon) {
	if r := b.Rotation; r != nil && len(r.Secret) != rotation.SecretLen {
		r.Secret = rotation.NewSecret()
	}
}

// gated reports whether r's page requires a presence r did not prove.
func gated(r *catalog.Resolved) bool {
	return r.Beacon.Page != nil && r.Beacon.Page.RequirePresence && r.Presence != nearby.PresenceVerified
}

// ungated drops the beacons whose page requires a presence their sighting
// did not prove: a phone that cannot prove it is at the beacon must never
// get its page (it gets the location fallback instead, if any).
func ungated(res []catalog.Resolved) []catalog.Resolved {
	out := res[:0]
	for i := range res {
		if !gated(&res[i]) {
			out = append(out, res[i])
		}
	}
	return out
}
