package discovery

import (
	"context"

	"github.com/nearby-dev/nearby/catalog"
)

// StoresNearby answers the public store locator from the catalog: every
// store, whether or not a program lists it, nearest first.
func (s *Service) StoresNearby(ctx context.Context, q catalog.StoresQuery) (catalog.StoresPage, error) {
	return s.cat.StoresNearby(ctx, q)
}
