package geo

import (
	"errors"
	"testing"
)

func TestIndex_Insert(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ix := mustNew(t)
		if err := ix.Insert(1, Point{48.85, 2.35}); err != nil {
			t.Fatal(err)
		}
		if got, want := ix.Len(), 1; got != want {
			t.Fatalf("Len() = %d, want %d", got, want)
		}
		if got, ok := ix.Get(1); !ok || got != (Point{48.85, 2.35}) {
			t.Fatalf("Get(1) = %v, %v, want {48.85 2.35}, true", got, ok)
		}
	})
	t.Run("Upsert", func(t *testing.T) {
		ix := mustNew(t)
		_ = ix.Insert(1, Point{48.85, 2.35})
		if err := ix.Insert(1, Point{-33.87, 151.21}); err != nil {
			t.Fatal(err)
		}
		if got, want := ix.Len(), 1; got != want {
			t.Fatalf("Len() = %d, want %d", got, want)
		}
		hits, _ := ix.Nearby(Query{Center: Point{48.85, 2.35}, RadiusM: 1000, Limit: 5}, nil)
		if len(hits) != 0 {
			t.Fatalf("old position still answers: %v", hits)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		ix := mustNew(t)
		for _, p := range []Point{{91, 0}, {0, 180.5}, {nan(), 0}} {
			err := ix.Insert(1, p)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Insert(%v) = %v, want ErrInvalid", p, err)
			}
		}
		if got := ix.Len(); got != 0 {
			t.Fatalf("Len() = %d after failed inserts, want 0", got)
		}
	})
}

func TestIndex_Move(t *testing.T) {
	tests := []struct {
		name     string
		from, to Point
	}{
		{"SameCell", Point{10, 10}, Point{10.001, 10.001}},
		{"OtherCell", Point{10, 10}, Point{-10, -10}},
		{"AcrossAntimeridian", Point{0, 179.999}, Point{0, -179.999}},
		{"ToPole", Point{89, 0}, Point{90, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := mustNew(t)
			_ = ix.Insert(7, tt.from)
			_ = ix.Insert(8, tt.from) // a neighbour that stays
			if err := ix.Move(7, tt.to); err != nil {
				t.Fatal(err)
			}
			hits, _ := ix.KNN(tt.to, 1, 1, nil, nil)
			if len(hits) != 1 || hits[0].ID != 7 {
				t.Fatalf("KNN at new point = %v, want id 7", hits)
			}
			if got, _ := ix.Get(7); got != tt.to {
				t.Fatalf("Get(7) = %v, want %v", got, tt.to)
			}
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		ix := mustNew(t)
		if err := ix.Move(1, Point{}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Move(absent) = %v, want ErrNotFound", err)
		}
	})
}

func TestIndex_Delete(t *testing.T) {
	ix := mustNew(t)
	_ = ix.Insert(1, Point{1, 1})
	_ = ix.Insert(2, Point{1, 1})
	if !ix.Delete(1) {
		t.Fatal("Delete(1) = false, want true")
	}
	if ix.Delete(1) {
		t.Fatal("second Delete(1) = true, want false")
	}
	hits, _ := ix.Nearby(Query{Center: Point{1, 1}, RadiusM: 0, Limit: 10}, nil)
	if len(hits) != 1 || hits[0].ID != 2 {
		t.Fatalf("Nearby after delete = %v, want [id 2]", hits)
	}
	ix.Delete(2)
	if got := ix.Len(); got != 0 {
		t.Fatalf("Len() = %d, want 0", got)
	}
}

func TestIndex_Load(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ix := mustNew(t)
		if err := ix.Load([]uint64{1, 2, 3}, []Point{{0, 0}, {0, 0}, {0, 180}}); err != nil {
			t.Fatal(err)
		}
		hits, _ := ix.Nearby(Query{Center: Point{0, -180}, RadiusM: 1, Limit: 10}, nil)
		if len(hits) != 1 || hits[0].ID != 3 {
			t.Fatalf("Nearby at -180 = %v, want id 3 (stored at 180)", hits)
		}
	})
	t.Run("NonEmpty", func(t *testing.T) {
		ix := mustNew(t)
		_ = ix.Insert(1, Point{5, 5})
		if err := ix.Load([]uint64{1, 2}, []Point{{6, 6}, {7, 7}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := ix.Get(1); got != (Point{6, 6}) {
			t.Fatalf("Get(1) = %v, want moved to {6 6}", got)
		}
	})
	tests := []struct {
		name  string
		ids   []uint64
		pts   []Point
		field string
	}{
		{"ErrLength", []uint64{1}, nil, "pts"},
		{"ErrDuplicate", []uint64{1, 1}, []Point{{0, 0}, {1, 1}}, "ids"},
		{"ErrLat", []uint64{1, 2}, []Point{{0, 0}, {-91, 1}}, "lat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := mustNew(t)
			err := ix.Load(tt.ids, tt.pts)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Load = %v, want FieldError on %q", err, tt.field)
			}
			if got := ix.Len(); got != 0 {
				t.Fatalf("Len() = %d after failed Load, want 0", got)
			}
		})
	}
}
