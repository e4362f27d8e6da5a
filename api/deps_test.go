package api_test

import (
	"log/slog"
	"testing"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/discovery"
)

// serviceDeps is the api's dependencies as discoveryd wires them: one
// discovery.Service over reg, cat and ix (tb may be nil in examples).
func serviceDeps(tb testing.TB, reg discovery.Registry, cat discovery.Catalog, ix discovery.Index, logger *slog.Logger) api.Deps {
	svc, err := discovery.New(reg, cat, ix, &discovery.Options{Logger: logger})
	if err != nil {
		if tb == nil {
			panic(err)
		}
		tb.Fatal(err)
	}
	return api.ServiceDeps(svc)
}

func withLogger(d api.Deps, logger *slog.Logger) api.Deps {
	d.Logger = logger
	return d
}
