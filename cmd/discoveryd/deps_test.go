package main

import (
	"testing"

	"github.com/nearby-dev/nearby/internal/depstest"
)

// TestDeps keeps the radio out of the daemon: discoveryd speaks about
// beacons only through the nearby vocabulary (nearby.UUID, nearby.Identity,
// nearby.EstimateDistance), so neither the ble package nor the HCI code of
// paypal/gatt it links on Linux may reach its binary. The daemon's own
// dependencies must be there, or the list is not what this test thinks.
func TestDeps(t *testing.T) {
	depstest.Check(t, "discoveryd", []string{"GOOS=linux"},
		[]string{"github.com/nearby-dev/nearby", "github.com/nearby-dev/nearby/store",
			"github.com/nearby-dev/nearby/catalog", "go.etcd.io/bbolt"},
		[]string{"github.com/paypal/gatt", "github.com/nearby-dev/nearby/ble", "github.com/nearby-dev/nearby/agent"})
}
