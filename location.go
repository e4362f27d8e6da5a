package nearby

import "math"

// Coordinate and distance limits of the public contract.
const (
	DefaultRadiusM = 5000.0
	MaxRadiusM     = 50000.0
	DefaultLimit   = 20
	MaxLimit       = 100
)

// CheckLatLng records a problem for each coordinate that is not a finite
// WGS84 value in range.
func CheckLatLng(p *Problems, prefix string, lat, lng float64) {
	if math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
		p.Addf(prefix+"lat", "must be between -90 and 90")
	}
	if math.IsNaN(lng) || math.IsInf(lng, 0) || lng < -180 || lng > 180 {
		p.Addf(prefix+"lng", "must be between -180 and 180")
	}
}
