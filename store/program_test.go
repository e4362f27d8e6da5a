package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
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

func TestDB_CreatePrograms(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	sa, sb := mustStore(t, db, a.ID, "sa", ""), mustStore(t, db, b.ID, "sb", "")
	t.Run("OK", func(t *testing.T) {
		ps := []*nearby.Program{
			{MerchantID: a.ID, AppID: "wx1", Name: "one", Category: "coffee", StoreIDs: []uint64{sa.ID, sa.ID}},
			{MerchantID: b.ID, AppID: "wx2", Name: "two", Category: "food", Selection: &nearby.StoreSelection{All: true}},
		}
		if err := db.CreatePrograms(ctx, ps); err != nil {
			t.Fatal(err)
		}
		if ps[0].ID == 0 || ps[1].ID != ps[0].ID+1 || ps[1].Selection != nil || ps[0].CreatedAt.IsZero() {
			t.Fatalf("created %+v, %+v: want consecutive ids, times set, selection cleared", ps[0], ps[1])
		}
		for _, want := range []struct {
			p   *nearby.Program
			ids []uint64
		}{{ps[0], []uint64{sa.ID}}, {ps[1], []uint64{sb.ID}}} {
			got, err := db.GetProgram(ctx, 0, want.p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want.p) || !reflect.DeepEqual(got.StoreIDs, want.ids) {
				t.Errorf("GetProgram = %+v, want %+v with stores %v", got, want.p, want.ids)
			}
		}
	})
	t.Run("AllOrNothing", func(t *testing.T) {
		before, _ := db.ListPrograms(ctx, 0, 0, 0)
		ps := []*nearby.Program{
			{MerchantID: a.ID, AppID: "wx3", Name: "fine", Category: "coffee", StoreIDs: []uint64{sa.ID}},
			{MerchantID: a.ID, AppID: "wx4", Name: "foreign store", Category: "coffee", StoreIDs: []uint64{sb.ID}},
		}
		err := db.CreatePrograms(ctx, ps)
		wantCode(t, err, nearby.EINVALID, "store_ids[0]")
		if err == nil || !strings.Contains(err.Error(), "program 1") {
			t.Errorf("error %v does not name program 1", err)
		}
		if after, _ := db.ListPrograms(ctx, 0, 0, 0); len(after) != len(before) || ps[0].ID != 0 {
			t.Errorf("after a failed batch %d programs (was %d), first id %d; want none written", len(after), len(before), ps[0].ID)
		}
		wantCode(t, db.CreatePrograms(ctx, []*nearby.Program{{MerchantID: 99, AppID: "x"}}), nearby.EINVALID, "merchant_id")
	})
}

// TestDB_ReadStoresAndPrograms checks the bulk read against the reads by
// id, over several decoding chunks, programs with no store, one and many,
// and deleted records in between.
func TestDB_ReadStoresAndPrograms(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := mustMerchant(t, db, "A")
	const nStores, nPrograms = 1500, 2600
	ss := make([]*nearby.Store, nStores)
	for i := range ss {
		ss[i] = &nearby.Store{MerchantID: m.ID, Name: fmt.Sprint("s", i), Category: "coffee", Lat: float64(i % 80)}
		if i%7 == 0 {
			ss[i].Tags = []string{"t", fmt.Sprint(i)}
		}
	}
	if err := db.CreateStores(ctx, ss); err != nil {
		t.Fatal(err)
	}
	age := 21
	ps := make([]*nearby.Program, nPrograms)
	for i := range ps {
		p := &nearby.Program{MerchantID: m.ID, AppID: fmt.Sprint("wx", i), Name: fmt.Sprint("p", i), Category: "food"}
		switch i % 5 {
		case 0: // no store
		case 1:
			p.StoreIDs = []uint64{ss[i%nStores].ID}
		case 2: // a chain
			for k := range 40 {
				p.StoreIDs = append(p.StoreIDs, ss[(i*13+k*37)%nStores].ID)
			}
		case 3:
			p.StoreIDs = []uint64{ss[(i+1)%nStores].ID, ss[i%nStores].ID}
			p.Targeting = &nearby.Targeting{AgeMin: &age, OS: []string{"ios"}}
		case 4:
			if i%1000 == 4 {
				p.Selection = &nearby.StoreSelection{All: true}
			} else {
				p.Targeting = &nearby.Targeting{Strict: true}
			}
		}
		ps[i] = p
	}
	for i := 0; i < len(ps); i += 500 {
		if err := db.CreatePrograms(ctx, ps[i:min(i+500, len(ps))]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < nPrograms; i += 11 {
		if err := db.DeleteProgram(ctx, 0, ps[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := 3; i < nStores; i += 17 {
		if err := db.DeleteStore(ctx, 0, ss[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	wantStores, err := db.ListStores(ctx, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantPrograms, err := db.ListPrograms(ctx, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(wantPrograms) < 2*1024 {
		t.Fatalf("%d programs: fewer than the chunks this test is about", len(wantPrograms))
	}
	stores, programs, err := db.ReadStoresAndPrograms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stores, wantStores) {
		t.Errorf("stores differ from ListStores (%d and %d)", len(stores), len(wantStores))
	}
	if !reflect.DeepEqual(programs, wantPrograms) {
		for i := range min(len(programs), len(wantPrograms)) {
			if !reflect.DeepEqual(programs[i], wantPrograms[i]) {
				t.Fatalf("program %d = %+v, want %+v", i, programs[i], wantPrograms[i])
			}
		}
		t.Fatalf("%d programs, want %d", len(programs), len(wantPrograms))
	}
	var each []*nearby.Program
	if err := db.ForEachProgram(ctx, func(p *nearby.Program) error { each = append(each, p); return nil }); err != nil || !reflect.DeepEqual(each, wantPrograms) {
		t.Errorf("ForEachProgram: %d programs, %v; want the %d of ListPrograms", len(each), err, len(wantPrograms))
	}
	// One program's stores cannot grow into the next's.
	for i := 0; i+1 < len(programs); i++ {
		if len(programs[i].StoreIDs) > 0 && len(programs[i+1].StoreIDs) > 0 {
			next := append([]uint64(nil), programs[i+1].StoreIDs...)
			programs[i].StoreIDs = append(programs[i].StoreIDs, 0)
			if !reflect.DeepEqual(programs[i+1].StoreIDs, next) {
				t.Fatalf("appending to program %d's stores changed program %d's", programs[i].ID, programs[i+1].ID)
			}
			break
		}
	}
	t.Run("ErrFromFn", func(t *testing.T) {
		stop := fmt.Errorf("enough")
		seen := 0
		err := db.ForEachProgram(ctx, func(*nearby.Program) error {
			if seen++; seen == 1100 {
				return stop
			}
			return nil
		})
		if err != stop || seen != 1100 {
			t.Errorf("err = %v after %d calls; want %v after 1100", err, seen, stop)
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := db.ReadStoresAndPrograms(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
