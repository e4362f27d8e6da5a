package ble

// Proximity is the coarse class iOS and the resolve API report.
type Proximity string

// Proximity classes.
const (
	Immediate Proximity = "immediate"
	Near      Proximity = "near"
	Far       Proximity = "far"
	Unknown   Proximity = "unknown"
)

// Class boundaries (metres). Immediate is "holding the phone at the shelf",
// near "in the same aisle", as in Apple's CLProximity guidance.
const (
	ImmediateMaxM = 0.5
	NearMaxM      = 3.0
)

// ProximityOf classifies a distance without hysteresis: Immediate up to
// 0.5 m, Near up to 3 m, Far beyond, Unknown for a negative (unknown) or NaN
// distance.
func ProximityOf(distanceM float64) Proximity {
	switch {
	case !(distanceM >= 0):
		return Unknown
	case distanceM <= ImmediateMaxM:
		return Immediate
	case distanceM <= NearMaxM:
		return Near
	}
	return Far
}

// rank orders classes from closest (0) to unknown (3).
func (p Proximity) rank() int {
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
