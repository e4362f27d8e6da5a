package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
)

// nameRenderer renders a record as its kind, id and name.
type nameRenderer struct{}

func (nameRenderer) AppendStore(dst []byte, s *nearby.Store) []byte {
	return fmt.Appendf(dst, "store %d %s", s.ID, s.Name)
}

func (nameRenderer) AppendProgram(dst []byte, p *nearby.Program) []byte {
	return fmt.Appendf(dst, "program %d %s", p.ID, p.Name)
}

// fieldsRenderer renders the fields that change when a test moves a store
// or relinks a program: MustNew's catalogs use it, and checkBriefs compares
// every result's briefs with a fresh rendering of its snapshots, so a stale
// brief anywhere in the tests fails them.
type fieldsRenderer struct{}

func (fieldsRenderer) AppendStore(dst []byte, s *nearby.Store) []byte {
	return fmt.Appendf(dst, "%d|%s|%v|%v|%s", s.ID, s.Name, s.Lat, s.Lng, s.Address)
}

func (fieldsRenderer) AppendProgram(dst []byte, p *nearby.Program) []byte {
	return fmt.Appendf(dst, "%d|%s|%s|%v", p.ID, p.Name, p.Category, p.StoreIDs)
}

// checkBriefs reports results whose briefs are not c's renderer's
// rendering of their snapshots.
func checkBriefs(tb testing.TB, c *catalog.Catalog, rs []catalog.NearbyResult) {
	tb.Helper()
	r := c.Renderer()
	if r == nil {
		return
	}
	for i, res := range rs {
		if want := string(r.AppendStore(nil, res.Store)); res.StoreBrief != want {
			tb.Errorf("result %d: store brief %q, want %q", i, res.StoreBrief, want)
		}
		if want := string(r.AppendProgram(nil, res.Program)); res.ProgramBrief != want {
			tb.Errorf("result %d: program brief %q, want %q", i, res.ProgramBrief, want)
		}
	}
}

// TestCatalog_Briefs checks that results carry the renderer's briefs of
// their store and program, rendered again when either changes, and none
// without a renderer.
func TestCatalog_Briefs(t *testing.T) {
	ctx := context.Background()
	q := catalog.NearbyQuery{Lat: 48.8567, Lng: 2.3522, RadiusM: 1000}
	briefs := func(t *testing.T, c *catalog.Catalog) []string {
		t.Helper()
		page, err := c.Nearby(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range page.Results {
			got = append(got, r.ProgramBrief+" @ "+r.StoreBrief)
		}
		return got
	}
	store := func(id uint64, name string, lat float64) *nearby.Store {
		return &nearby.Store{ID: id, Name: name, Lat: lat, Lng: 2.3522}
	}
	for _, tt := range []struct {
		name string
		r    catalog.Renderer
		want [][]string // after each step
	}{
		{"renderer", nameRenderer{}, [][]string{
			{"program 10 Cafe @ store 1 Rivoli"},
			{"program 10 Cafe @ store 1 Louvre"},
			{"program 10 Café @ store 1 Louvre"},
			{"program 10 Café @ store 2 Marais"},
			{"program 10 Café @ store 2 Marais", "program 11 Tea @ store 1 Louvre"},
		}},
		{"no renderer", nil, [][]string{{" @ "}, {" @ "}, {" @ "}, {" @ "}, {" @ ", " @ "}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := catalog.New(geo.New(), &catalog.Options{Renderer: tt.r})
			steps := []func() error{
				func() error {
					if err := c.PutStore(store(1, "Rivoli", 48.8566)); err != nil {
						return err
					}
					c.PutProgram(&nearby.Program{ID: 10, Name: "Cafe", StoreIDs: []uint64{1}})
					return nil
				},
				func() error { return c.PutStore(store(1, "Louvre", 48.8566)) },
				func() error {
					c.PutProgram(&nearby.Program{ID: 10, Name: "Café", StoreIDs: []uint64{1}})
					return nil
				},
				func() error {
					// A nearer store of the same program: the program moves there.
					if err := c.PutStore(store(2, "Marais", 48.8567)); err != nil {
						return err
					}
					c.PutProgram(&nearby.Program{ID: 10, Name: "Café", StoreIDs: []uint64{1, 2}})
					return nil
				},
				func() error {
					c.PutProgram(&nearby.Program{ID: 11, Name: "Tea", StoreIDs: []uint64{1}})
					return nil
				},
			}
			for i, step := range steps {
				if err := step(); err != nil {
					t.Fatal(err)
				}
				got := briefs(t, c)
				if fmt.Sprint(got) != fmt.Sprint(tt.want[i]) {
					t.Errorf("step %d: briefs %q, want %q", i, got, tt.want[i])
				}
			}
		})
	}
}
