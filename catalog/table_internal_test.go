package catalog

import (
	"math/rand/v2"
	"testing"

	"github.com/nearby-dev/nearby"
)

func TestStoreTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab storeTable
	model := map[uint64]*nearby.Store{}
	for i := 0; i < 20000; i++ {
		var id uint64
		switch rng.IntN(3) {
		case 0:
			id = uint64(rng.IntN(5000)) // dense
		case 1:
			id = 1<<40 + uint64(rng.IntN(100)) // far away
		default:
			id = uint64(rng.IntN(300_000)) // beyond the dense range at first
		}
		if rng.IntN(4) == 0 {
			tab.delete(id)
			delete(model, id)
		} else {
			fresh := tab.get(id) == nil
			rec := tab.add(id)
			rec.s = &nearby.Store{ID: id}
			if fresh {
				rec.act.add(float64(id))
			}
			model[id] = rec.s
		}
		if tab.len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", i, tab.len(), len(model))
		}
	}
	for id, s := range model {
		got := tab.get(id)
		if got == nil || got.s != s || got.act.load() != float64(id) || tab.at(id) != got {
			t.Fatalf("get(%d) = %+v, want store %d with activity %d", id, got, id, id)
		}
	}
	for id := uint64(0); id < 6000; id++ {
		if _, ok := model[id]; !ok && tab.get(id) != nil {
			t.Fatalf("get(%d) found a deleted or never added store", id)
		}
	}
	for id := range tab.sparse {
		if id>>chunkBits < uint64(len(tab.chunks)) {
			t.Fatalf("id %d is sparse but within the dense range of %d chunks", id, len(tab.chunks))
		}
	}
}

func TestIDSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var s idSet
	for round := 0; round < 3; round++ {
		model := map[uint64]bool{}
		for i := 0; i < 3000; i++ {
			id := uint64(rng.IntN(2000))
			if got, want := s.add(id), !model[id]; got != want {
				t.Fatalf("add(%d) = %v, want %v", id, got, want)
			}
			model[id] = true
		}
		for id := uint64(0); id < 2100; id++ {
			if got, want := s.has(id), model[id]; got != want {
				t.Fatalf("has(%d) = %v, want %v", id, got, want)
			}
		}
		s.reset()
		if s.has(0) || s.has(1) {
			t.Fatalf("reset set still has members")
		}
	}
}
