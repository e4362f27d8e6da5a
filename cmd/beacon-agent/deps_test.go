package main

import (
	"testing"

	"github.com/nearby-dev/nearby/internal/depstest"
)

// TestDeps keeps the agent lean for a Raspberry Pi Zero (ARMv6, no cgo):
// none of the daemon's heavy or cgo dependencies may reach its binary. The
// agent's own dependencies must be there, or the list is not what this test
// thinks it is.
func TestDeps(t *testing.T) {
	depstest.Check(t, "beacon-agent", []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm", "GOARM=6"},
		[]string{
			"github.com/nearby-dev/nearby/agent",
			"github.com/nearby-dev/nearby/ble",
			"github.com/nearby-dev/nearby/client",
			"go.etcd.io/bbolt",
			"github.com/paypal/gatt",
		},
		[]string{
			"github.com/uber/h3-go",
			"github.com/labstack/echo",
			"github.com/prometheus/client_golang",
			"github.com/nearby-dev/nearby/geo",
			"github.com/nearby-dev/nearby/api",
			"github.com/nearby-dev/nearby/store",
			"github.com/nearby-dev/nearby/catalog",
			"github.com/nearby-dev/nearby/ranking",
			"github.com/nearby-dev/nearby/importer",
		})
}
