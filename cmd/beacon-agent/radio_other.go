//go:build !linux

package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/nearby-dev/nearby/agent"
)

func openGatt(ctx context.Context, cfg Config, logger *slog.Logger) (agent.Radio, error) {
	return nil, errors.New("the gatt radio needs Linux (BlueZ HCI sockets); use --radio sim elsewhere")
}
