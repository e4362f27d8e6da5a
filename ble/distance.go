package ble

import (
	"math"

	"github.com/nearby-dev/nearby"
)

// DistanceModel turns an RSSI and the transmitter's measured power (RSSI at
// 1 m), both in dBm, into metres. It returns -1 when it cannot tell.
type DistanceModel interface {
	Distance(rssi, measuredPower float64) float64
}

// CurveFit is the AltBeacon curve-fit model (see nearby.CurveFit, where it
// lives so that discoveryd estimates distance without linking this
// package).
type CurveFit = nearby.CurveFit

// Nexus5CurveFit returns the AltBeacon library's default coefficients.
func Nexus5CurveFit() CurveFit { return nearby.Nexus5CurveFit() }

// DefaultPathLossExponent is the log-distance exponent used when none is
// given, and the simulator's: 2 is free space, a shop floor with shelves
// and people measures about 2.5 to 4. With 3 the log-distance model stays
// within about 25% of the AltBeacon curve fit between 1 and 10 m.
const DefaultPathLossExponent = 3.0

// LogDistance is the log-distance path-loss model:
// rssi = measuredPower - 10*n*log10(d), so d = 10^((measuredPower-rssi)/(10n)).
type LogDistance struct{ Exponent float64 }

// Distance implements DistanceModel.
func (l LogDistance) Distance(rssi, measuredPower float64) float64 {
	n := l.Exponent
	if n <= 0 {
		n = DefaultPathLossExponent
	}
	if rssi >= 0 || measuredPower >= 0 || math.IsNaN(rssi) || math.IsNaN(measuredPower) {
		return -1
	}
	return math.Pow(10, (measuredPower-rssi)/(10*n))
}

// RSSIAt is the inverse of the log-distance model: the mean RSSI at d metres
// (distances under 1 cm count as 1 cm).
func (l LogDistance) RSSIAt(d, measuredPower float64) float64 {
	n := l.Exponent
	if n <= 0 {
		n = DefaultPathLossExponent
	}
	return measuredPower - 10*n*math.Log10(max(d, 0.01))
}

// EstimateDistance is nearby.EstimateDistance: the AltBeacon curve fit
// with the Nexus 5 coefficients, or -1 unless both values are negative.
func EstimateDistance(rssi, measuredPower int) float64 {
	return nearby.EstimateDistance(rssi, measuredPower)
}
