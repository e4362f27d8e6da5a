package catalog

import (
	"context"
	"fmt"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// TestArena_Compaction rewrites records until the arena compacts, several
// times over, and checks that every snapshot and every brief a query
// serves is the latest one afterwards, and that the dead bytes went.
func TestArena_Compaction(t *testing.T) {
	c := New(geo.New(), &Options{Renderer: bracketRenderer{}})
	const n = 200
	for i := uint64(1); i <= n; i++ {
		if err := c.PutStore(&nearby.Store{ID: i, Name: "s", Lat: 48 + float64(i)/1e4, Lng: 2}); err != nil {
			t.Fatal(err)
		}
	}
	compactions, chunks := 0, 0
	for round := 0; compactions < 3; round++ {
		if round > 1_000_000 {
			t.Fatal("the arena never compacted")
		}
		id := uint64(round%n) + 1
		c.PutProgram(&nearby.Program{ID: 1000 + id, Name: fmt.Sprintf("p%d-%d", id, round), StoreIDs: []uint64{id}})
		if round%7 == 0 {
			if err := c.PutStore(&nearby.Store{ID: id, Name: fmt.Sprintf("s%d-%d", id, round), Lat: 48 + float64(id)/1e4, Lng: 2}); err != nil {
				t.Fatal(err)
			}
		}
		c.mu.RLock()
		if len(c.arena.chunks) < chunks {
			compactions++
		}
		chunks = len(c.arena.chunks)
		c.mu.RUnlock()
	}
	page, err := c.Nearby(context.Background(), NearbyQuery{Lat: 48, Lng: 2, RadiusM: 50_000, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 100 {
		t.Fatalf("%d results, want 100", len(page.Results))
	}
	for _, r := range page.Results {
		p, _ := c.Program(r.Program.ID)
		s, _ := c.Store(r.Store.ID)
		if want := fmt.Sprintf("[program %d %s]", p.ID, p.Name); r.ProgramBrief != want || r.Program.Name != p.Name {
			t.Errorf("program brief %q (name %q), want %q", r.ProgramBrief, r.Program.Name, want)
		}
		if want := fmt.Sprintf("[store %d %s]", s.ID, s.Name); r.StoreBrief != want {
			t.Errorf("store brief %q, want %q", r.StoreBrief, want)
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.arena.total-c.arena.live > max(c.arena.live, 4*arenaChunk) {
		t.Errorf("after compaction %d of %d bytes are dead", c.arena.total-c.arena.live, c.arena.total)
	}
}
