package main

import (
	"context"
	"log/slog"

	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/ble"
)

var _ agent.Radio = (*ble.GattRadio)(nil)

// openGatt opens the HCI adapter; it needs CAP_NET_ADMIN and CAP_NET_RAW
// (see docs/raspberry-pi.md).
func openGatt(ctx context.Context, cfg Config, logger *slog.Logger) (agent.Radio, error) {
	return ble.NewGattRadio(ctx, &ble.GattOptions{DeviceID: cfg.HCI, Logger: logger.With("subsystem", "gatt")})
}
