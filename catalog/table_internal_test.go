package catalog

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
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

// TestStoreTable_MoveAndDelete checks that a record moved from the sparse
// map into a chunk keeps every field, and that a delete drops every
// reference, field by field: storeRec has an atomic, so both are written
// out by hand and a new field is easy to forget.
func TestStoreTable_MoveAndDelete(t *testing.T) {
	// The fields below, and the padding: a new field fails here first.
	if got, want := reflect.TypeFor[storeRec]().NumField(), 8; got != want {
		t.Fatalf("storeRec has %d fields, want %d: copy the new one in moveRec, clear it in delete, then set it below", got, want)
	}
	var tab storeTable
	const far = 70_000 // beyond the dense range of an empty table: sparse
	rec := tab.add(far)
	if _, sparse := tab.sparse[far]; !sparse {
		t.Fatalf("store %d is not sparse in an empty table", far)
	}
	st := &nearby.Store{ID: far}
	prog := &nearby.Program{ID: 9}
	sched := ranking.Compile(nearby.Hours{"mon": {{"09:00", "17:00"}}})
	rec.s, rec.sched, rec.loc, rec.brief = st, sched, time.UTC, "store brief"
	text := newTextRec("Café")
	rec.text = text
	rec.one[0] = progHot{id: 9, p: prog, brief: "program brief"}
	rec.progs = rec.one[:]
	rec.act.add(2.5)
	for id := uint64(0); tab.get(far) == rec; id++ { // fill the table until the dense range covers far
		tab.add(id).s = &nearby.Store{ID: id}
	}
	moved := tab.get(far)
	if moved == nil {
		t.Fatal("store lost in the move")
	}
	if moved.s != st || moved.sched != sched || moved.loc != time.UTC || moved.brief != "store brief" || moved.text != text ||
		moved.act.load() != 2.5 || len(moved.progs) != 1 || &moved.progs[0] != &moved.one[0] ||
		moved.one[0].p != prog || moved.one[0].brief != "program brief" {
		t.Fatalf("moved record %+v, want every field of %+v (progs inline)", moved, rec)
	}
	tab.delete(far)
	if moved.s != nil || moved.sched != nil || moved.loc != nil || moved.brief != "" || moved.progs != nil || moved.text != nil ||
		moved.one != ([1]progHot{}) || moved.act.load() != 0 {
		t.Errorf("deleted record %+v still holds references", moved)
	}
}
