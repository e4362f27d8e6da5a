package ble

import "errors"

// Sentinel errors; every decoding error wraps exactly one of them, with a
// message that says which field is wrong.
var (
	// ErrTruncated is returned when a length runs past the end of the bytes.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed is returned when bytes are present but wrong: a company
	// id, frame type, length byte or reserved code that the format forbids.
	ErrMalformed = errors.New("malformed")
	// ErrNoBeacon is returned for well-formed advertising data that carries
	// no iBeacon or Eddystone frame.
	ErrNoBeacon = errors.New("no beacon frame")
)
