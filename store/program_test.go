package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/nearby-dev/nearby"
)

func TestDB_CreateProgram(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	sa, sb := mustStore(t, db, a.ID, "sa", ""), mustStore(t, db, b.ID, "sb", "")
	age := 18
	tests := []struct {
		name      string
		storeIDs  []uint64
		wantField string
		wantIDs   []uint64
	}{
		{"OK", []uint64{sa.ID}, "", []uint64{sa.ID}},
		{"DuplicatesRemoved", []uint64{sa.ID, sa.ID}, "", []uint64{sa.ID}},
		{"NoStores", nil, "", []uint64{}},
		{"ErrOtherMerchantsStore", []uint64{sa.ID, sb.ID}, "store_ids[1]", nil},
		{"ErrMissingStore", []uint64{999}, "store_ids[0]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &nearby.Program{MerchantID: a.ID, AppID: "wx", Name: "P", Category: "coffee",
				StoreIDs: tt.storeIDs, Targeting: &nearby.Targeting{AgeMin: &age, OS: []string{"ios"}}}
			err := db.CreateProgram(ctx, p)
			if tt.wantField != "" {
				wantCode(t, err, nearby.EINVALID, tt.wantField)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.GetProgram(ctx, a.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.StoreIDs, tt.wantIDs) && len(got.StoreIDs)+len(tt.wantIDs) != 0 {
				t.Errorf("StoreIDs = %v, want %v", got.StoreIDs, tt.wantIDs)
			}
			if got.Targeting == nil || *got.Targeting.AgeMin != 18 || got.Targeting.OS[0] != "ios" {
				t.Errorf("Targeting = %+v, want kept", got.Targeting)
			}
		})
	}
}

func TestDB_UpdateProgram(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s1, s2 := mustStore(t, db, a.ID, "s1", ""), mustStore(t, db, a.ID, "s2", "")
	p := &nearby.Program{MerchantID: a.ID, AppID: "wx", Name: "P", Category: "coffee", StoreIDs: []uint64{s1.ID}}
	if err := db.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOtherMerchant", func(t *testing.T) {
		u := *p
		u.MerchantID = b.ID
		wantCode(t, db.UpdateProgram(ctx, &u), nearby.ENOTFOUND, "")
	})
	t.Run("MovesLinks", func(t *testing.T) {
		u := *p
		u.StoreIDs, u.Name = []uint64{s2.ID}, "Q"
		if err := db.UpdateProgram(ctx, &u); err != nil {
			t.Fatal(err)
		}
		// s1 is no longer linked: deleting it leaves the program alone.
		if err := db.DeleteStore(ctx, a.ID, s1.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetProgram(ctx, a.ID, p.ID)
		if got.Name != "Q" || !reflect.DeepEqual(got.StoreIDs, []uint64{s2.ID}) || !got.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("program = %+v", got)
		}
		// s2 is linked: deleting it empties StoreIDs.
		if err := db.DeleteStore(ctx, a.ID, s2.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = db.GetProgram(ctx, a.ID, p.ID)
		if len(got.StoreIDs) != 0 {
			t.Errorf("StoreIDs = %v, want empty", got.StoreIDs)
		}
	})
}

func TestDB_DeleteProgram(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s := mustStore(t, db, a.ID, "s", "")
	p := &nearby.Program{MerchantID: a.ID, AppID: "wx", Name: "P", Category: "coffee", StoreIDs: []uint64{s.ID}}
	if err := db.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	bc := &nearby.Beacon{MerchantID: a.ID, StoreID: s.ID, Page: &nearby.Page{ProgramID: p.ID}}
	if err := db.CreateBeacon(ctx, bc); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeleteProgram(ctx, b.ID, p.ID), nearby.ENOTFOUND, "")
	wantCode(t, db.DeleteProgram(ctx, a.ID, p.ID), nearby.ECONFLICT, "id")
	bc.Page = nil
	if err := db.UpdateBeacon(ctx, bc); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteProgram(ctx, a.ID, p.ID); err != nil {
		t.Fatalf("DeleteProgram after the page moved: %v", err)
	}
	if got, _ := db.ListPrograms(ctx, a.ID, 0, 0); len(got) != 0 {
		t.Errorf("ListPrograms = %d, want 0", len(got))
	}
	// The store link went with the program: the store deletes cleanly.
	if err := db.DeleteBeacon(ctx, a.ID, bc.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteStore(ctx, a.ID, s.ID); err != nil {
		t.Fatal(err)
	}
}

func TestDB_ListPrograms(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	for i := range 5 {
		for _, m := range []uint64{a.ID, b.ID} {
			p := &nearby.Program{MerchantID: m, AppID: "wx", Name: "P", Category: "coffee"}
			if err := db.CreateProgram(ctx, p); err != nil {
				t.Fatal(i, err)
			}
		}
	}
	page1, _ := db.ListPrograms(ctx, b.ID, 0, 2)
	page2, _ := db.ListPrograms(ctx, b.ID, page1[1].ID, 10)
	if len(page1) != 2 || len(page2) != 3 || page2[0].ID <= page1[1].ID {
		t.Errorf("pages = %d, %d programs; want 2, 3 ascending", len(page1), len(page2))
	}
	for _, p := range append(page1, page2...) {
		if p.MerchantID != b.ID {
			t.Errorf("program %d of merchant %d listed for %d", p.ID, p.MerchantID, b.ID)
		}
	}
	n := 0
	if err := db.ForEachProgram(ctx, func(*nearby.Program) error { n++; return nil }); err != nil || n != 10 {
		t.Errorf("ForEachProgram visited %d, %v; want 10", n, err)
	}
}
