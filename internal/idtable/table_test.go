package idtable

import (
	"math/rand/v2"
	"testing"
)

// rec has an atomic-like field that only MoveFrom copies, to tell a move
// through Mover from a plain assignment.
type rec struct {
	v     uint64
	moves int
}

func (r *rec) MoveFrom(src *rec) { r.v, r.moves = src.v, src.moves+1 }

// TestTable checks Get, Add, Delete, At and Len against a map, over dense
// ids, far ids (sparse) and ids that the dense range grows over.
func TestTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab Table[rec]
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
			tab.Delete(id)
			delete(model, id)
		} else {
			tab.Add(id).v = id + 1
			model[id] = id + 1
		}
		if tab.Len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", i, tab.Len(), len(model))
		}
	}
	for id, v := range model {
		got := tab.Get(id)
		if got == nil || got.v != v || tab.At(id) != got {
			t.Fatalf("Get(%d) = %+v, want v %d", id, got, v)
		}
	}
	for id := uint64(0); id < 6000; id++ {
		if _, ok := model[id]; !ok && tab.Get(id) != nil {
			t.Fatalf("Get(%d) found a deleted or never added record", id)
		}
	}
	n := 0
	tab.Each(func(id uint64, r *rec) {
		n++
		if model[id] != r.v {
			t.Errorf("Each: %d has v %d, want %d", id, r.v, model[id])
		}
	})
	if n != len(model) {
		t.Errorf("Each visited %d records, want %d", n, len(model))
	}
	for id := range tab.sparse {
		if tab.Dense(id) {
			t.Fatalf("id %d is sparse but within the dense range of %d chunks", id, len(tab.chunks))
		}
	}
}

// TestTable_MoveUsesMover: a sparse record that the dense range grows over
// is moved with its MoveFrom.
func TestTable_MoveUsesMover(t *testing.T) {
	var tab Table[rec]
	const far = 70_000 // beyond the dense range of an empty table: sparse
	tab.Add(far).v = 42
	if tab.Dense(far) {
		t.Fatalf("id %d is dense in an empty table", far)
	}
	for id := uint64(0); !tab.Dense(far); id++ {
		tab.Add(id).v = 1
	}
	if got := tab.Get(far); got == nil || got.v != 42 || got.moves != 1 {
		t.Fatalf("moved record %+v, want v 42 moved once", got)
	}
	tab.Delete(far)
	if tab.Get(far) != nil || *tab.At(far) != (rec{v: 0, moves: 1}) {
		t.Errorf("deleted record %+v: want zeroed through MoveFrom", tab.At(far))
	}
}
