package catalog

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// TestCatalog_ProgramLinks applies random writes in random order (programs
// before their stores, stores deleted and put back, programs moved between
// stores) and checks every store's inline program list against the model.
func TestCatalog_ProgramLinks(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 3))
	c := New(geo.New(), nil)
	stores := map[uint64]bool{}
	programs := map[uint64][]uint64{} // program -> store ids
	for step := 0; step < 5000; step++ {
		sid := uint64(1 + rng.IntN(60))
		pid := uint64(1 + rng.IntN(40))
		switch rng.IntN(4) {
		case 0:
			c.PutStore(&nearby.Store{ID: sid, Lat: 1, Lng: float64(sid) * 0.001, Name: "s", Category: "c"})
			stores[sid] = true
		case 1:
			c.DeleteStore(sid)
			delete(stores, sid)
		case 2:
			ids := make([]uint64, 1+rng.IntN(4))
			for i := range ids {
				ids[i] = uint64(1 + rng.IntN(60))
			}
			c.PutProgram(&nearby.Program{ID: pid, Name: "p", Category: "c", StoreIDs: ids})
			slices.Sort(ids)
			programs[pid] = slices.Compact(ids)
		case 3:
			c.DeleteProgram(pid)
			delete(programs, pid)
		}
		if step%50 != 0 {
			continue
		}
		for sid := uint64(1); sid <= 60; sid++ {
			var want []string
			for pid, ids := range programs {
				if slices.Contains(ids, sid) {
					want = append(want, fmt.Sprintf("%d/%v", pid, len(ids) > 1))
				}
			}
			slices.Sort(want)
			rec := c.stores.Get(sid)
			if !stores[sid] {
				if rec != nil {
					t.Fatalf("seed %d step %d: deleted store %d is present", seed, step, sid)
				}
				continue
			}
			var got []string
			progs := c.progs(rec)
			for _, h := range progs {
				if p := c.programs.Get(h.id); p == nil || p.rec != h.rec {
					t.Fatalf("seed %d step %d: store %d has a broken entry %+v", seed, step, sid, h)
				}
				got = append(got, fmt.Sprintf("%d/%v", h.id, h.chain()))
			}
			if !slices.IsSortedFunc(progs, func(a, b progHot) int { return cmp.Compare(a.id, b.id) }) {
				t.Fatalf("seed %d step %d: store %d programs out of order: %v", seed, step, sid, got)
			}
			slices.Sort(got)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("seed %d step %d: store %d has programs %v, want %v", seed, step, sid, got, want)
			}
			if len(progs) == 1 && (rec.multi != 0 || &progs[0] != &rec.one) {
				t.Fatalf("seed %d step %d: store %d's single program is not inline", seed, step, sid)
			}
		}
	}
}
