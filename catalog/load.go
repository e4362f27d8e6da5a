package catalog

import (
	"fmt"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// Load adds many stores, programs and beacons at once, as at start-up.
// Into an empty catalog it bulk-builds the geo index (geo.Index.Load), much
// faster than one PutStore per store; otherwise it is the same as calling
// the Put methods in order. The catalog copies what it keeps.
func (c *Catalog) Load(stores []*nearby.Store, programs []*nearby.Program, beacons []*nearby.Beacon) error {
	c.mu.Lock()
	bulk := c.stores.len() == 0 && c.ix.Len() == 0 && len(stores) > 0
	if bulk {
		ids := make([]uint64, len(stores))
		pts := make([]geo.Point, len(stores))
		for i, s := range stores {
			ids[i], pts[i] = s.ID, geo.Point{Lat: s.Lat, Lng: s.Lng}
		}
		if err := c.ix.Load(ids, pts); err != nil {
			c.mu.Unlock()
			return fmt.Errorf("catalog: load stores: %w", err)
		}
		var buf []byte
		for _, s := range stores {
			buf = c.encodeStore(buf, s)
			c.fill(s, buf)
		}
	}
	c.mu.Unlock()
	if !bulk {
		for _, s := range stores {
			if err := c.PutStore(s); err != nil {
				return err
			}
		}
	}
	for _, p := range programs {
		c.PutProgram(p)
	}
	for _, b := range beacons {
		c.PutBeacon(b)
	}
	return nil
}
