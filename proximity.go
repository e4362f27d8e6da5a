package nearby

import "math"

// Proximity is the coarse class of a phone's distance from a beacon, as iOS
// reports it and as the resolve and shake replies name it. It lives here
// rather than in ble so that discoveryd classifies the distances it
// estimates exactly as the agent's tracker does, without linking the radio
// code.
type Proximity string

// Proximity classes.
const (
	ProximityImmediate Proximity = "immediate"
	ProximityNear      Proximity = "near"
	ProximityFar       Proximity = "far"
	ProximityUnknown   Proximity = "unknown"
)

// Proximities lists the classes, nearest first.
var Proximities = []Proximity{ProximityImmediate, ProximityNear, ProximityFar, ProximityUnknown}

// Class boundaries (metres). Immediate is "holding the phone at the shelf",
// near "in the same aisle", as in Apple's CLProximity guidance.
const (
	ProximityImmediateMaxM = 0.5
	ProximityNearMaxM      = 3.0
)

// ProximityOf classifies a distance without hysteresis: immediate up to
// 0.5 m, near up to 3 m, far beyond, unknown for a negative (unknown) or NaN
// distance.
func ProximityOf(distanceM float64) Proximity {
	switch {
	case !(distanceM >= 0):
		return ProximityUnknown
	case distanceM <= ProximityImmediateMaxM:
		return ProximityImmediate
	case distanceM <= ProximityNearMaxM:
		return ProximityNear
	}
	return ProximityFar
}

// CurveFit is the distance model the AltBeacon Android library uses
// (CurveFittedDistanceCalculator): with r = rssi/measuredPower, d = r^10 when
// r < 1, else C1*r^C2 + C3. The coefficients were fitted to measurements of a
// phone model; negative results (possible with some fits near 1 m) are
// clamped to 0.
type CurveFit struct{ C1, C2, C3 float64 }

// Nexus5CurveFit returns the library's default coefficients (LGE Nexus 5,
// lib/src/main/resources/model-distance-calculations.json).
func Nexus5CurveFit() CurveFit { return CurveFit{C1: 0.42093, C2: 6.9476, C3: 0.54992} }

// Distance returns the distance in metres of a transmitter heard at rssi
// whose measured power (RSSI at 1 m) is measuredPower, both in dBm, or -1
// unless both are negative.
func (c CurveFit) Distance(rssi, measuredPower float64) float64 {
	if rssi >= 0 || measuredPower >= 0 || math.IsNaN(rssi) || math.IsNaN(measuredPower) {
		return -1
	}
	r := rssi / measuredPower
	if r < 1 {
		return math.Pow(r, 10)
	}
	return max(c.C1*math.Pow(r, c.C2)+c.C3, 0)
}

// EstimateDistance returns the distance in metres of a transmitter heard at
// rssi whose measured power (RSSI at 1 m) is measuredPower, with the
// AltBeacon curve fit (Nexus5CurveFit), the model Android beacon apps report.
// It returns -1 unless both are negative.
func EstimateDistance(rssi, measuredPower int) float64 {
	return Nexus5CurveFit().Distance(float64(rssi), float64(measuredPower))
}
