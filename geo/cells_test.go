package geo

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// TestIndex_Cells compares Cells with CellOf over every point inside random
// boxes (antimeridian-crossing ones included).
func TestIndex_Cells(t *testing.T) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 3))
	pts := datasets[1].gen(r) // clustered, with the special points
	ids := make([]uint64, len(pts))
	for i := range ids {
		ids[i] = uint64(i)
	}
	ix := mustNew(t)
	if err := ix.Load(ids, pts); err != nil {
		t.Fatal(err)
	}
	for n := range 60 {
		b := randBounds(r)
		if n%3 == 0 {
			b = Bounds{MinLat: -90, MaxLat: 90, MinLng: 170, MaxLng: -170}
		}
		res := r.IntN(9)
		want := map[string]int{}
		for _, p := range pts {
			if inBoundsRef(p, b) {
				c, err := CellOf(p, res)
				if err != nil {
					t.Fatal(err)
				}
				want[c]++
			}
		}
		got, err := ix.Cells(res, b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d box %+v res %d: %d cells, want %d", seed, b, res, len(got), len(want))
		}
		for i, c := range got {
			if want[c.Cell] != c.Count {
				t.Fatalf("seed %d box %+v res %d: cell %s count %d, want %d", seed, b, res, c.Cell, c.Count, want[c.Cell])
			}
			if i > 0 && got[i-1].Cell >= c.Cell {
				t.Fatalf("cells out of order: %s then %s", got[i-1].Cell, c.Cell)
			}
			if centre, _ := CellOf(Point{c.Lat, c.Lng}, res); centre != c.Cell {
				t.Fatalf("cell %s centre %v,%v lies in %s", c.Cell, c.Lat, c.Lng, centre)
			}
		}
	}
}

func TestCellOf(t *testing.T) {
	// h3 documentation example: (37.775938728915946, -122.41795063018799)
	// at resolution 9 is 8928308280fffff.
	got, err := CellOf(Point{37.775938728915946, -122.41795063018799}, 9)
	if err != nil || got != "8928308280fffff" {
		t.Fatalf("CellOf = %q, %v, want 8928308280fffff", got, err)
	}
	for _, tt := range []struct {
		p     Point
		res   int
		field string
	}{{Point{0, 0}, 16, "res"}, {Point{0, 0}, -1, "res"}, {Point{100, 0}, 5, "lat"}} {
		var fe *FieldError
		if _, err := CellOf(tt.p, tt.res); !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("CellOf(%v, %d) = %v, want FieldError on %q", tt.p, tt.res, err, tt.field)
		}
	}
}
