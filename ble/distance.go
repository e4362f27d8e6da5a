package ble

import "math"

// DistanceModel turns an RSSI and the transmitter's measured power (RSSI at
// 1 m), both in dBm, into metres. It returns -1 when it cannot tell.
type DistanceModel interface {
	Distance(rssi, measuredPower float64) float64
}

// CurveFit is the model the AltBeacon Android library uses
// (CurveFittedDistanceCalculator): with r = rssi/measuredPower, d = r^10 when
// r < 1, else C1*r^C2 + C3. The coefficients were fitted to measurements of a
// phone model; negative results (possible with some fits near 1 m) are
// clamped to 0.
type CurveFit struct{ C1, C2, C3 float64 }

// Nexus5CurveFit returns the library's default coefficients (LGE Nexus 5,
// lib/src/main/resources/model-distance-calculations.json).
func Nexus5CurveFit() CurveFit { return CurveFit{C1: 0.42093, C2: 6.9476, C3: 0.54992} }

// Distance implements DistanceModel.
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

// EstimateDistance returns the distance in metres of a transmitter heard at
// rssi whose measured power (RSSI at 1 m) is measuredPower, with the
// AltBeacon curve fit (Nexus5CurveFit), the model Android beacon apps report.
// It returns -1 unless both are negative.
func EstimateDistance(rssi, measuredPower int) float64 {
	return Nexus5CurveFit().Distance(float64(rssi), float64(measuredPower))
}
