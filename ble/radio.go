package ble

import (
	"context"
	"time"
)

// Sighting is one observation by the agent's radio: a phone heard at RSSI
// dBm at At, or a phone that signalled a shake. RSSI 0 means not measured
// (shakes written over GATT carry none).
type Sighting struct {
	DeviceID string
	RSSI     int
	At       time.Time
	Shake    bool
}

// radio is what the agent package declares as its Radio; it is repeated
// here only to check both implementations at compile time.
type radio interface {
	Advertise(ctx context.Context, b IBeacon) error
	StopAdvertising(ctx context.Context) error
	Sightings() <-chan Sighting
	Close() error
}

// intervalSetter is the agent's optional radio capability to change the
// advertising interval.
type intervalSetter interface {
	SetInterval(ctx context.Context, d time.Duration) error
}

var (
	_ radio          = (*SimRadio)(nil)
	_ intervalSetter = (*SimRadio)(nil)
)
