package geo

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalid is returned (wrapped in a *FieldError) when a query or write
// argument is out of range: NaN or infinite coordinates, a latitude outside
// [-90, 90], a longitude outside [-180, 180], a radius outside
// [0, MaxRadiusM], a limit outside [1, MaxLimit], a bad H3 resolution or
// inverted bounds. Check it with errors.Is.
var ErrInvalid = errors.New("geo: invalid argument")

// ErrNotFound is returned (wrapped) by Move when the id is not in the index.
var ErrNotFound = errors.New("geo: not found")

// FieldError names the offending argument ("lat", "lng", "radius_m",
// "limit", "k", "res", "bounds", "ids", "pts", "fn") and says what is wrong. It
// matches ErrInvalid with errors.Is.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return "geo: " + e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true for every FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

func checkPoint(p Point) error {
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return invalid("lat", "must be between -90 and 90, got %v", p.Lat)
	}
	if math.IsNaN(p.Lng) || p.Lng < -180 || p.Lng > 180 {
		return invalid("lng", "must be between -180 and 180, got %v", p.Lng)
	}
	return nil
}

func checkRadius(r float64) error {
	if math.IsNaN(r) || r < 0 || r > MaxRadiusM {
		return invalid("radius_m", "must be between 0 and %.0f metres, got %v", MaxRadiusM, r)
	}
	return nil
}

func checkLimit(field string, n int) error {
	if n < 1 || n > MaxLimit {
		return invalid(field, "must be between 1 and %d, got %d", MaxLimit, n)
	}
	return nil
}

func checkBounds(b Bounds) error {
	for _, v := range []struct {
		lat, lng float64
	}{{b.MinLat, b.MinLng}, {b.MaxLat, b.MaxLng}} {
		if err := checkPoint(Point{v.lat, v.lng}); err != nil {
			fe := err.(*FieldError)
			return invalid("bounds", "%s %s", fe.Field, fe.Message)
		}
	}
	if b.MinLat > b.MaxLat {
		return invalid("bounds", "min_lat %v is above max_lat %v", b.MinLat, b.MaxLat)
	}
	return nil
}
