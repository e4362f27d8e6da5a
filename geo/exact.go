package geo

// IndexDistance returns the distance in metres between a and b exactly as
// the index's queries compute it (squared chord of the unit vectors, then
// the haversine), so that a caller ranking candidates it found another way
// orders and pages them as a query over the index would. It differs from
// Distance only in the last bits.
func IndexDistance(a, b Point) float64 { return chord2ToM(chord2(toVec(a), toVec(b))) }
