package geo

import "math"

// EarthRadiusM is the mean Earth radius (IUGG R1) used for every distance.
const EarthRadiusM = 6371008.8

// MaxRadiusM is the largest radius a query accepts: half the circumference
// of the sphere, so a query of MaxRadiusM covers the whole Earth. The HTTP
// API caps radius lower (50 km); geo itself does not need to.
const MaxRadiusM = math.Pi * EarthRadiusM

// MaxLimit bounds Query.Limit and KNN's k: the per-query heap is sized by it.
const MaxLimit = 10000

// Point is a WGS84 position in degrees.
type Point struct{ Lat, Lng float64 }

// Bounds is a latitude/longitude box in degrees. MinLng > MaxLng means the
// box crosses the antimeridian (from MinLng east to 180 and on from -180 to
// MaxLng). Longitudes 180 and -180 name the same meridian.
type Bounds struct{ MinLat, MinLng, MaxLat, MaxLng float64 }

const rad = math.Pi / 180

// Distance returns the great-circle distance between a and b in metres by
// the haversine formula on a sphere of radius EarthRadiusM.
func Distance(a, b Point) float64 {
	sdLat := math.Sin((b.Lat - a.Lat) * rad / 2)
	sdLng := math.Sin((b.Lng - a.Lng) * rad / 2)
	h := sdLat*sdLat + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*sdLng*sdLng
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(min(h, 1)))
}

// vec is a point on the unit sphere. The squared chord between two vecs is
// 4·hav(θ), a monotone function of the great-circle angle θ that costs three
// multiplies, so the query loops rank by it and take the arcsine only for
// the hits they return.
type vec struct{ x, y, z float64 }

func toVec(p Point) vec {
	sLat, cLat := math.Sincos(p.Lat * rad)
	sLng, cLng := math.Sincos(p.Lng * rad)
	return vec{cLat * cLng, cLat * sLng, sLat}
}

func chord2(a, b vec) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	return dx*dx + dy*dy + dz*dz
}

// chord2ToM converts a squared chord to metres: this is the haversine
// formula, d = 2R·asin(√hav), with hav = chord²/4.
func chord2ToM(c2 float64) float64 {
	x := math.Sqrt(c2) / 2
	if x < 1e-2 {
		// asin by its Taylor series: math.Asin costs ~30 ns, and every hit
		// needs one. Below x = 0.01 (127 km) the first omitted term,
		// 63/2816·x¹¹, is under 1e-23 rad.
		x2 := x * x
		return 2 * EarthRadiusM * x * (1 + x2*(1.0/6+x2*(3.0/40+x2*(15.0/336+x2*(105.0/3456)))))
	}
	return 2 * EarthRadiusM * math.Asin(min(x, 1))
}

// angleToChord2 is the inverse of chord2ToM for an angle in radians.
func angleToChord2(theta float64) float64 {
	if theta >= math.Pi {
		return 4
	}
	s := 2 * math.Sin(theta/2)
	return s * s
}

// radiusChord2 returns the largest squared chord whose distance does not
// exceed r metres, so that "c2 <= limit" and "DistM <= r" agree exactly.
func radiusChord2(r float64) float64 {
	c2 := angleToChord2(r / EarthRadiusM)
	for i := 0; i < 8 && c2 > 0 && chord2ToM(c2) > r; i++ {
		c2 = math.Nextafter(c2, 0)
	}
	return c2
}

// lngDelta is the angular longitude difference from lng to the closed
// interval [lo, hi] (lo <= hi), in degrees in [0, 180], wrapping at the
// antimeridian.
func lngDelta(lng, lo, hi float64) float64 {
	if lng >= lo && lng <= hi {
		return 0
	}
	d1 := math.Mod(lo-lng+720, 360)
	d2 := math.Mod(lng-hi+720, 360)
	return min(d1, d2)
}

// boxMinAngle returns the exact minimum great-circle angle (radians) from
// c to the lat/lng box [minLat,maxLat]×[minLng,maxLng] (degrees, not
// crossing the antimeridian). Outside the box's longitudes the nearest point
// lies on the nearer meridian edge: distance along a parallel grows with the
// longitude difference. On that meridian the nearest point is the foot of the
// perpendicular (clamped into the edge), or an end when the meridian is more
// than 90° away.
func boxMinAngle(c Point, minLat, minLng, maxLat, maxLng float64) float64 {
	band := max(0, minLat-c.Lat, c.Lat-maxLat) * rad
	dl := lngDelta(c.Lng, minLng, maxLng)
	if dl == 0 || math.Abs(c.Lat) == 90 {
		return band
	}
	phi := c.Lat * rad
	if dl < 90 {
		foot := math.Atan(math.Tan(phi)/math.Cos(dl*rad)) / rad
		if foot >= minLat && foot <= maxLat {
			return max(band, math.Asin(math.Min(1, math.Cos(phi)*math.Sin(dl*rad))))
		}
	}
	// An end of the edge: the corner nearer in latitude along that meridian.
	a := cornerAngle(phi, minLat*rad, dl*rad)
	b := cornerAngle(phi, maxLat*rad, dl*rad)
	return max(band, min(a, b))
}

func cornerAngle(phi1, phi2, dl float64) float64 {
	s1 := math.Sin((phi2 - phi1) / 2)
	s2 := math.Sin(dl / 2)
	h := s1*s1 + math.Cos(phi1)*math.Cos(phi2)*s2*s2
	return 2 * math.Asin(math.Min(1, math.Sqrt(h)))
}
