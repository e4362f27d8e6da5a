package catalog

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestStoreTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab table[storeRec]
	model := map[uint64]uint64{}
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
			rec.merchant = id + 1
			if fresh {
				rec.act.add(float64(id))
			}
			model[id] = id + 1
		}
		if tab.len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", i, tab.len(), len(model))
		}
	}
	for id, m := range model {
		got := tab.get(id)
		if got == nil || got.merchant != m || got.act.load() != float64(id) || tab.at(id) != got {
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

// TestStoreTable_MoveAndDelete checks that a record moved from the sparse
// map into a chunk keeps every field, and that a delete clears it:
// storeRec has an atomic, so its copy is written out by hand and a new
// field is easy to forget.
func TestStoreTable_MoveAndDelete(t *testing.T) {
	// The fields below: a new field fails here first.
	if got, want := reflect.TypeFor[storeRec]().NumField(), 8; got != want {
		t.Fatalf("storeRec has %d fields, want %d: copy the new one in copyFrom, then set it below", got, want)
	}
	var tab table[storeRec]
	const far = 70_000 // beyond the dense range of an empty table: sparse
	rec := tab.add(far)
	if _, sparse := tab.sparse[far]; !sparse {
		t.Fatalf("store %d is not sparse in an empty table", far)
	}
	want := storeRec{one: progHot{id: 9, rec: 10, cat: 2, tc: 3<<1 | 1}, rec: 77, merchant: 5, multi: 4, hours: 6, cat: 7, zone: 8}
	rec.copyFrom(&want)
	rec.act.add(2.5)
	for id := uint64(0); tab.get(far) == rec; id++ { // fill the table until the dense range covers far
		tab.add(id).rec = 1
	}
	moved := tab.get(far)
	if moved == nil {
		t.Fatal("store lost in the move")
	}
	if moved.act.load() != 2.5 {
		t.Fatalf("moved record's activity %v, want 2.5", moved.act.load())
	}
	moved.act.bits.Store(0)
	if *moved != want {
		t.Fatalf("moved record %+v, want every field of %+v", moved, &want)
	}
	tab.delete(far)
	if tab.get(far) != nil || *tab.at(far) != (storeRec{}) {
		t.Errorf("deleted record %+v is still there", tab.at(far))
	}
}
