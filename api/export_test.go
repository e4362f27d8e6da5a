package api

// NearbyPageJSON is exported to the tests, which check that it mirrors the
// hand-written nearby answer.
type NearbyPageJSON = nearbyPageJSON
