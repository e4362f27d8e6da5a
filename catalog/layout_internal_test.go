package catalog

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/nearby-dev/nearby"
)

func TestStoreRec_Layout(t *testing.T) {
	var r storeRec
	if got := unsafe.Sizeof(r); got != 128 {
		t.Errorf("storeRec is %d bytes, want 128 (a size class aligned to cache lines)", got)
	}
	if end := unsafe.Offsetof(r.sched) + unsafe.Sizeof(r.sched); end > 64 {
		t.Errorf("what visit reads ends at byte %d, want within the first cache line", end)
	}
}

func TestCompact(t *testing.T) {
	s := &nearby.Store{ID: 7, Name: "Rivoli", Address: "1 rue de Rivoli", Category: "coffee", Timezone: "Europe/Paris", Tags: []string{"a"}}
	got := compactStore(s)
	if got == s || !reflect.DeepEqual(*got, *s) {
		t.Fatalf("compactStore = %+v, want an equal copy of %+v", got, s)
	}
	p := &nearby.Program{ID: 3, AppID: "wx1", Name: "Cafe", Category: "coffee", Description: "d", IconURL: "https://x/i.png"}
	if gp := compactProgram(p); gp == p || gp.AppID != p.AppID || gp.Name != p.Name || gp.Category != p.Category ||
		gp.IconURL != p.IconURL || gp.Description != p.Description {
		t.Fatalf("compactProgram = %+v, want an equal copy of %+v", gp, p)
	}
	empty := compactStore(&nearby.Store{})
	if empty.Name != "" || empty.Address != "" {
		t.Fatalf("compactStore of an empty store = %+v", empty)
	}
}
