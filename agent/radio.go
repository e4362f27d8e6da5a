package agent

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby/ble"

	"github.com/nearby-dev/nearby"
)

// Radio advertises the beacon and reports the phones it notices. The ble
// package's SimRadio and GattRadio satisfy it.
type Radio interface {
	Advertise(ctx context.Context, b ble.IBeacon) error
	StopAdvertising(ctx context.Context) error
	Sightings() <-chan ble.Sighting
	Close() error
}

// beaconFrame is the iBeacon frame a config advertises at t: a rotating
// beacon's identity changes with the window of t.
func beaconFrame(cfg *nearby.AgentConfig, t time.Time) (ble.IBeacon, error) {
	id, err := cfg.Identity()
	if err != nil {
		return ble.IBeacon{}, fmt.Errorf("agent: config uuid: %w", err)
	}
	if cfg.TxPower < -127 || cfg.TxPower > 20 {
		return ble.IBeacon{}, fmt.Errorf("agent: config tx_power %d out of range", cfg.TxPower)
	}
	b := ble.IBeacon{UUID: id.UUID, Major: id.Major, Minor: id.Minor, MeasuredPower: int8(cfg.TxPower)}
	if cfg.RotationPeriodS == 0 && cfg.RotationSecret == "" {
		return b, nil
	}
	secret, err := hex.DecodeString(cfg.RotationSecret)
	if err != nil {
		return ble.IBeacon{}, fmt.Errorf("agent: config rotation_secret: %w", err)
	}
	return ble.RotatingIBeacon(b, secret, cfg.RotationPeriodS, t)
}
