package ble

import "github.com/nearby-dev/nearby"

// Proximity is the coarse class iOS and the resolve API report; it is the
// nearby vocabulary's, so that the tracker here and discoveryd agree.
type Proximity = nearby.Proximity

// Proximity classes.
const (
	Immediate = nearby.ProximityImmediate
	Near      = nearby.ProximityNear
	Far       = nearby.ProximityFar
	Unknown   = nearby.ProximityUnknown
)

// Class boundaries (metres), as nearby.ProximityOf draws them.
const (
	ImmediateMaxM = nearby.ProximityImmediateMaxM
	NearMaxM      = nearby.ProximityNearMaxM
)

// ProximityOf classifies a distance without hysteresis (nearby.ProximityOf):
// Immediate up to 0.5 m, Near up to 3 m, Far beyond, Unknown for a negative
// (unknown) or NaN distance.
func ProximityOf(distanceM float64) Proximity { return nearby.ProximityOf(distanceM) }

// rank orders classes from closest (0) to unknown (3).
func rank(p Proximity) int {
	switch p {
	case Immediate:
		return 0
	case Near:
		return 1
	case Far:
		return 2
	}
	return 3
}
