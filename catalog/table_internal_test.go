package catalog

import (
	"math/rand/v2"
	"testing"
)

func TestStoreTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab storeTable
	model := map[uint64]*storeRec{}
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
			rec := &storeRec{}
			tab.put(id, rec)
			model[id] = rec
		}
		if tab.len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", i, tab.len(), len(model))
		}
	}
	for id, rec := range model {
		if got := tab.get(id); got != rec {
			t.Fatalf("get(%d) = %p, want %p", id, got, rec)
		}
	}
	for id := range tab.sparse {
		if id < uint64(len(tab.dense)) {
			t.Fatalf("id %d is sparse but within the dense range %d", id, len(tab.dense))
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
