package geo

import "math"

// Vec is a point as the unit vector the index ranks by: callers that keep
// places of their own (the catalog's text index) compute the index's exact
// distance from it with no trigonometry per point.
type Vec struct{ X, Y, Z float64 }

// VecOf returns p's unit vector.
func VecOf(p Point) Vec {
	v := toVec(p)
	return Vec{v.x, v.y, v.z}
}

// Chord2 returns the squared chord between a and b, which orders points as
// their distance does.
func (a Vec) Chord2(b Vec) float64 { return chord2(vec{a.X, a.Y, a.Z}, vec{b.X, b.Y, b.Z}) }

// Chord2ToM converts a squared chord to metres: Chord2ToM(VecOf(a).Chord2(VecOf(b)))
// is IndexDistance(a, b), bit for bit.
func Chord2ToM(c2 float64) float64 { return chord2ToM(c2) }

// Chord2Bound returns a squared chord that every point within radiusM
// stays under (slightly above the exact one, for rounding): a filter that
// computes the distance only of the points that may be inside.
func Chord2Bound(radiusM float64) float64 {
	s := math.Sin(math.Min(radiusM/EarthRadiusM, math.Pi) / 2)
	return 4*s*s*(1+1e-9) + 1e-18
}
