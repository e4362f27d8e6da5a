package catalog

import (
	"fmt"
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
	var h progHot
	ends := map[string]uintptr{
		"sched":        unsafe.Offsetof(r.sched) + unsafe.Sizeof(r.sched),
		"one[0].id":    unsafe.Offsetof(r.one) + unsafe.Offsetof(h.id) + unsafe.Sizeof(h.id),
		"one[0].t":     unsafe.Offsetof(r.one) + unsafe.Offsetof(h.t) + unsafe.Sizeof(h.t),
		"one[0].cat":   unsafe.Offsetof(r.one) + unsafe.Offsetof(h.cat) + unsafe.Sizeof(h.cat),
		"one[0].chain": unsafe.Offsetof(r.one) + unsafe.Offsetof(h.chain) + unsafe.Sizeof(h.chain),
	}
	for name, end := range ends {
		if end > 64 {
			t.Errorf("visit reads %s, which ends at byte %d, want within the first cache line", name, end)
		}
	}
}

// bracketRenderer renders a record as its id and name in brackets.
type bracketRenderer struct{}

func (bracketRenderer) AppendStore(dst []byte, s *nearby.Store) []byte {
	return fmt.Appendf(dst, "[store %d %s]", s.ID, s.Name)
}

func (bracketRenderer) AppendProgram(dst []byte, p *nearby.Program) []byte {
	return fmt.Appendf(dst, "[program %d %s]", p.ID, p.Name)
}

func TestCompact(t *testing.T) {
	s := &nearby.Store{ID: 7, Name: "Rivoli", Address: "1 rue de Rivoli", Category: "coffee", Timezone: "Europe/Paris", Tags: []string{"a"}}
	p := &nearby.Program{ID: 3, AppID: "wx1", Name: "Cafe", Category: "coffee", Description: "d", IconURL: "https://x/i.png"}
	tests := []struct {
		name                  string
		r                     Renderer
		storeBrief, progBrief string
	}{
		{"no renderer", nil, "", ""},
		{"renderer", bracketRenderer{}, "[store 7 Rivoli]", "[program 3 Cafe]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := []byte("left over from an earlier record")
			got, brief, buf := compactStore(s, tt.r, buf)
			if got == s || !reflect.DeepEqual(*got, *s) {
				t.Fatalf("compactStore = %+v, want an equal copy of %+v", got, s)
			}
			if brief != tt.storeBrief {
				t.Errorf("store brief = %q, want %q", brief, tt.storeBrief)
			}
			gp, pbrief, _ := compactProgram(p, tt.r, buf)
			if gp == p || gp.AppID != p.AppID || gp.Name != p.Name || gp.Category != p.Category ||
				gp.IconURL != p.IconURL || gp.Description != p.Description {
				t.Fatalf("compactProgram = %+v, want an equal copy of %+v", gp, p)
			}
			if pbrief != tt.progBrief {
				t.Errorf("program brief = %q, want %q", pbrief, tt.progBrief)
			}
			empty, ebrief, _ := compactStore(&nearby.Store{}, tt.r, nil)
			if empty.Name != "" || empty.Address != "" {
				t.Fatalf("compactStore of an empty store = %+v", empty)
			}
			if tt.r != nil && ebrief != "[store 0 ]" {
				t.Errorf("brief of an empty store = %q", ebrief)
			}
		})
	}
}
