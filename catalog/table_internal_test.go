package catalog

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/nearby-dev/nearby/internal/idtable"
)

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
		t.Fatalf("storeRec has %d fields, want %d: copy the new one in MoveFrom, then set it below", got, want)
	}
	var tab idtable.Table[storeRec]
	const far = 70_000 // beyond the dense range of an empty table: sparse
	rec := tab.Add(far)
	if tab.Dense(far) {
		t.Fatalf("store %d is dense in an empty table", far)
	}
	want := storeRec{one: progHot{id: 9, rec: 10, cat: 2, tc: 3<<1 | 1}, rec: 77, merchant: 5, multi: 4, hours: 6, cat: 7, zone: 8}
	rec.MoveFrom(&want)
	rec.act.add(2.5)
	for id := uint64(0); tab.Get(far) == rec; id++ { // fill the table until the dense range covers far
		tab.Add(id).rec = 1
	}
	moved := tab.Get(far)
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
	tab.Delete(far)
	if tab.Get(far) != nil || *tab.At(far) != (storeRec{}) {
		t.Errorf("deleted record %+v is still there", tab.At(far))
	}
}
