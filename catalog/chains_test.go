package catalog_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

// TestCatalog_LinkStores: programs gain and lose stores one at a time
// (some of them not loaded yet) and every nearby answer still equals the
// brute force over the programs' current store lists: each program once,
// at its nearest store.
func TestCatalog_LinkStores(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2))
	c, _ := MustNew(t, nil)
	stores := map[uint64]*nearby.Store{}
	for id := uint64(1); id <= 400; id++ {
		stores[id] = store(id, 48.85+rng.Float64()*0.02, 2.35+rng.Float64()*0.02)
		if id <= 350 {
			if err := c.PutStore(stores[id]); err != nil {
				t.Fatal(err)
			}
		}
	}
	programs := []*nearby.Program{}
	for pid := uint64(1); pid <= 20; pid++ {
		p := program(pid, "coffee", 1+uint64(rng.IntN(400)))
		c.PutProgram(p)
		programs = append(programs, p)
	}
	for step := range 400 {
		p := programs[rng.IntN(len(programs))]
		sid := 1 + uint64(rng.IntN(400))
		if rng.IntN(3) > 0 {
			c.LinkStores(p.ID, []uint64{sid})
			if !slices.Contains(p.StoreIDs, sid) {
				p.StoreIDs = append(p.StoreIDs, sid)
			}
		} else {
			c.UnlinkStore(p.ID, sid)
			p.StoreIDs = slices.DeleteFunc(p.StoreIDs, func(id uint64) bool { return id == sid })
		}
		if step == 200 { // the last stores arrive, taking over what waits for them
			for id := uint64(351); id <= 400; id++ {
				if err := c.PutStore(stores[id]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if step%20 != 0 {
			continue
		}
		known := stores
		if step < 200 {
			known = map[uint64]*nearby.Store{}
			for id, s := range stores {
				if id <= 350 {
					known[id] = s
				}
			}
		}
		q := catalog.NearbyQuery{Lat: 48.86, Lng: 2.36, RadiusM: 5000, Limit: 7}
		CompareWithBrute(t, AllPages(t, c, q), Brute(known, programs, q, c.Weights(), monday, func(uint64) float64 { return -1 }))
	}
}
