package catalog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/geo"
)

// TestCatalog_LoadEqualsPuts checks the bulk start-up build against the
// same records put one by one: the same snapshots, the same pages (text
// queries included, so the text index too), with a program given twice
// (the later wins) and a program listing a store that is not
// there.
func TestCatalog_LoadEqualsPuts(t *testing.T) {
	w := catalogtest.NewWorld(catalogtest.Options{Seed: 21, Stores: 12_000, Cities: 3, Rich: true, Center: &[2]float64{48.85, 2.35}})
	stores, programs := w.Stores, w.Programs
	stores[5].Name = "Moved Café"
	p2 := *programs[7]
	p2.Name, p2.StoreIDs = "Renamed", append([]uint64{999_999_999}, p2.StoreIDs...)
	programs = append(programs, &p2)

	opts := &catalog.Options{Now: func() time.Time { return benchNow }, Renderer: api.Briefs{}}
	bulk := catalog.New(geo.New(), opts)
	if err := bulk.Load(stores, programs, nil); err != nil {
		t.Fatal(err)
	}
	one := catalog.New(geo.New(), opts)
	for _, s := range stores {
		if err := one.PutStore(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range programs {
		one.PutProgram(p)
	}
	if a, b, _ := bulk.Counts(); a != len(w.Stores) || b != len(w.Programs) {
		t.Fatalf("bulk holds %d stores, %d programs; want %d, %d", a, b, len(w.Stores), len(w.Programs))
	}
	for _, s := range w.Stores {
		got, _ := bulk.Store(s.ID)
		want, _ := one.Store(s.ID)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Store(%d): bulk %+v, one by one %+v", s.ID, got, want)
		}
	}
	for _, p := range w.Programs {
		got, _ := bulk.Program(p.ID)
		want, _ := one.Program(p.ID)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Program(%d): bulk %+v, one by one %+v", p.ID, got, want)
		}
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		s := w.Stores[rng.IntN(len(w.Stores))]
		q := catalog.NearbyQuery{Lat: s.Lat, Lng: s.Lng, RadiusM: 3000, Limit: 20, Explain: true}
		switch i % 4 {
		case 3:
			q.Q = "store 1"
		case 1:
			q.Q = "moved"
		case 2:
			q.Q = "renamed"
		}
		got, err := bulk.Nearby(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := one.Nearby(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := fmt.Sprint(pageIDs(got)), fmt.Sprint(pageIDs(want)); g != w {
			t.Fatalf("query %d %+v: bulk %s, one by one %s", i, q, g, w)
		}
	}
}

func pageIDs(p catalog.NearbyPage) [][3]any {
	var out [][3]any
	for _, r := range p.Results {
		out = append(out, [3]any{r.Program.ID, r.Store.ID, r.ProgramBrief + r.StoreBrief})
	}
	return out
}
