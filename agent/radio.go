package agent

import (
	"context"
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
	Sightings() <-chan Sighting
	Close() error
}

// sightingOf converts the radio's sighting to the tracker's.
func sightingOf(s Sighting) Sighting { return s }

// beaconFrame is the iBeacon frame a config advertises.
func beaconFrame(cfg *nearby.AgentConfig) (ble.IBeacon, error) {
	u, err := ble.ParseUUID(cfg.UUID)
	if err != nil {
		return ble.IBeacon{}, fmt.Errorf("agent: config uuid: %w", err)
	}
	if cfg.TxPower < -127 || cfg.TxPower > 20 {
		return ble.IBeacon{}, fmt.Errorf("agent: config tx_power %d out of range", cfg.TxPower)
	}
	return ble.IBeacon{UUID: u, Major: cfg.Major, Minor: cfg.Minor, MeasuredPower: int8(cfg.TxPower)}, nil
}

// distanceClassifier is a stand-in range decision with hysteresis on the
// estimated distance: in range below EnterM, out of range beyond ExitM.
type distanceClassifier struct {
	EnterM, ExitM float64
	in            map[string]bool
}

func newRangeClassifier() RangeClassifier {
	return &distanceClassifier{EnterM: 10, ExitM: 15, in: make(map[string]bool)}
}

func (c *distanceClassifier) Update(id string, rssi, txPower int, _ time.Time) (float64, bool) {
	d := ble.EstimateDistance(rssi, txPower)
	switch {
	case d <= c.EnterM:
		c.in[id] = true
	case d > c.ExitM:
		delete(c.in, id)
	}
	return d, c.in[id]
}

func (c *distanceClassifier) Forget(id string) { delete(c.in, id) }
