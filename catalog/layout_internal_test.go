package catalog

import (
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// TestRecords_Layout keeps the per-record types small and free of
// pointers: a chunk of them is then one object the garbage collector
// marks without scanning (the point of issue 14's lean catalog).
func TestRecords_Layout(t *testing.T) {
	sizes := []struct {
		typ  reflect.Type
		want uintptr
	}{
		{reflect.TypeFor[storeRec](), 64},
		{reflect.TypeFor[progRec](), 40},
		{reflect.TypeFor[progHot](), 24},
	}
	for _, s := range sizes {
		if got := s.typ.Size(); got != s.want {
			t.Errorf("%s is %d bytes, want %d", s.typ, got, s.want)
		}
		if path := pointerIn(s.typ); path != "" {
			t.Errorf("%s holds a pointer (%s): its chunks would be scanned by the collector", s.typ, path)
		}
	}
	var r storeRec
	if end := unsafe.Offsetof(r.zone) + unsafe.Sizeof(r.zone); end > 64 {
		t.Errorf("visit reads zone, which ends at byte %d, want within the first cache line", end)
	}
}

// pointerIn returns the path of a pointer-holding field of t, "" if none.
func pointerIn(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func, reflect.Interface, reflect.UnsafePointer:
		return t.String()
	case reflect.Array:
		return pointerIn(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if p := pointerIn(t.Field(i).Type); p != "" {
				return t.Field(i).Name + "." + p
			}
		}
	}
	return ""
}

// bracketRenderer renders a record as its id and name in brackets.
type bracketRenderer struct{}

func (bracketRenderer) AppendStore(dst []byte, s *nearby.Store) []byte {
	return fmt.Appendf(dst, "[store %d %s]", s.ID, s.Name)
}

func (bracketRenderer) AppendProgram(dst []byte, p *nearby.Program) []byte {
	return fmt.Appendf(dst, "[program %d %s]", p.ID, p.Name)
}

// TestRecords_RoundTrip puts records through the arena and back: every
// field of the snapshot survives, with a renderer (strings found in the
// brief are kept once) or without.
func TestRecords_RoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 7, 1, 2, 3, 4, time.UTC)
	local := time.Unix(1_700_000_000, 5)
	age := 18
	stores := []*nearby.Store{
		{ID: 7, MerchantID: 3, Name: "Rivoli", Address: "1 rue de Rivoli", Category: "coffee", Timezone: "Europe/Paris",
			Lat: 48.8606, Lng: 2.3376, Tags: []string{"terrasse", "wifi"}, CreatedAt: at, UpdatedAt: local,
			Hours: nearby.Hours{"mon": {{"09:00", "18:00"}}, "sun": {}}},
		{ID: 8, Name: `He said "hi" \ ok`, Category: "food", Hours: nearby.Hours{}},
		{ID: 9},
	}
	programs := []*nearby.Program{
		{ID: 3, MerchantID: 3, AppID: "wx1", Name: "Cafe", Category: "coffee", Description: "d", IconURL: "https://x/i.png",
			CreatedAt: at, UpdatedAt: at, Targeting: &nearby.Targeting{AgeMin: &age, Genders: []string{"female"}, Strict: true}},
		{ID: 4, Name: "Nameless", Description: "Nameless"},
	}
	for _, r := range []Renderer{nil, bracketRenderer{}} {
		t.Run(fmt.Sprintf("renderer=%v", r != nil), func(t *testing.T) {
			c := New(geo.New(), &Options{Renderer: r})
			for _, s := range stores {
				if err := c.PutStore(s); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range programs {
				c.PutProgram(p)
			}
			for _, want := range stores {
				got, ok := c.Store(want.ID)
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("Store(%d) = %+v, want %+v", want.ID, got, want)
				}
			}
			for _, want := range programs {
				got, ok := c.Program(want.ID)
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("Program(%d) = %+v, want %+v", want.ID, got, want)
				}
			}
			if r == nil {
				return
			}
			c.mu.RLock()
			defer c.mu.RUnlock()
			if got := recBrief(c.arena.get(c.stores.Get(7).rec)); got != "[store 7 Rivoli]" {
				t.Errorf("store brief = %q", got)
			}
			if got := recBrief(c.arena.get(c.programs.Get(3).rec)); got != "[program 3 Cafe]" {
				t.Errorf("program brief = %q", got)
			}
		})
	}
}
