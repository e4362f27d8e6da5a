package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
	bolt "go.etcd.io/bbolt"
)

func TestDB_CreateStore(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDB(t)
		m := mustMerchant(t, db, "Acme")
		s := &nearby.Store{
			MerchantID: m.ID, Name: "Café Zoë", Lat: -33.8688, Lng: 151.2093, Category: "coffee",
			Address: "1 George St", Timezone: "Australia/Sydney",
			Hours: nearby.Hours{"mon": {{"09:00", "17:00"}, {"18:00", "02:00"}}, "sun": {}},
			Tags:  []string{"wifi", "vegan"},
		}
		if err := db.CreateStore(ctx, s); err != nil {
			t.Fatal(err)
		}
		if s.ID == 0 || s.CreatedAt.IsZero() || !s.UpdatedAt.Equal(s.CreatedAt) {
			t.Fatalf("ID, CreatedAt, UpdatedAt = %d, %v, %v: want set", s.ID, s.CreatedAt, s.UpdatedAt)
		}
		got, err := db.GetStore(ctx, m.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("GetStore = %+v, want %+v", got, s)
		}
		got.Tags[0] = "changed" // a fresh copy: the next read is unaffected
		if again, _ := db.GetStore(ctx, 0, s.ID); again.Tags[0] != "wifi" {
			t.Errorf("returned value aliases storage: %v", again.Tags)
		}
	})
	t.Run("ErrUnknownMerchant", func(t *testing.T) {
		db := MustOpenDB(t)
		err := db.CreateStore(ctx, &nearby.Store{MerchantID: 42, Name: "x", Category: "coffee"})
		wantCode(t, err, nearby.EINVALID, "merchant_id")
	})
	t.Run("BatchAllOrNothing", func(t *testing.T) {
		db := MustOpenDB(t)
		m := mustMerchant(t, db, "Acme")
		ss := []*nearby.Store{
			{MerchantID: m.ID, Name: "a", Category: "coffee"},
			{MerchantID: 999, Name: "b", Category: "coffee"},
		}
		wantCode(t, db.CreateStores(ctx, ss), nearby.EINVALID, "merchant_id")
		if got, _ := db.ListStores(ctx, 0, 0, 0); len(got) != 0 {
			t.Errorf("after a failed batch %d stores exist, want 0", len(got))
		}
		ss[1].MerchantID = m.ID
		if err := db.CreateStores(ctx, ss); err != nil {
			t.Fatal(err)
		}
		if ss[0].ID == 0 || ss[1].ID != ss[0].ID+1 {
			t.Errorf("ids = %d, %d; want consecutive", ss[0].ID, ss[1].ID)
		}
	})
}

func TestDB_GetStore(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s := mustStore(t, db, a.ID, "a1", "")
	tests := []struct {
		name         string
		merchant, id uint64
		wantCode     string
	}{
		{"Owner", a.ID, s.ID, ""},
		{"Any", 0, s.ID, ""},
		{"ErrOtherMerchant", b.ID, s.ID, nearby.ENOTFOUND},
		{"ErrMissing", a.ID, s.ID + 100, nearby.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.GetStore(ctx, tt.merchant, tt.id)
			if code := nearby.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", code, err, tt.wantCode)
			}
			if err == nil && got.ID != s.ID {
				t.Errorf("ID = %d, want %d", got.ID, s.ID)
			}
		})
	}
}

func TestDB_UpdateStore(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s := mustStore(t, db, a.ID, "old", "")
	t.Run("ErrOtherMerchant", func(t *testing.T) {
		u := *s
		u.MerchantID, u.Name = b.ID, "stolen"
		wantCode(t, db.UpdateStore(ctx, &u), nearby.ENOTFOUND, "")
	})
	t.Run("OK", func(t *testing.T) {
		u := &nearby.Store{ID: s.ID, MerchantID: a.ID, Name: "new", Lat: 1, Lng: 2, Category: "tea"}
		if err := db.UpdateStore(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetStore(ctx, a.ID, s.ID)
		if got.Name != "new" || got.Lat != 1 || got.Category != "tea" || !got.CreatedAt.Equal(s.CreatedAt) {
			t.Errorf("after update = %+v; want new fields and the old CreatedAt %v", got, s.CreatedAt)
		}
	})
}

func TestDB_ListStores(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	var mine []uint64
	for i := range 7 {
		mine = append(mine, mustStore(t, db, a.ID, fmt.Sprint("a", i), "").ID)
		mustStore(t, db, b.ID, fmt.Sprint("b", i), "")
	}
	t.Run("Pages", func(t *testing.T) {
		var got []uint64
		after := uint64(0)
		for pages := 0; ; pages++ {
			page, err := db.ListStores(ctx, a.ID, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			if len(page) == 0 {
				break
			}
			for _, s := range page {
				if s.MerchantID != a.ID {
					t.Fatalf("store %d of merchant %d listed for %d", s.ID, s.MerchantID, a.ID)
				}
				got = append(got, s.ID)
			}
			after = page[len(page)-1].ID
		}
		if !reflect.DeepEqual(got, mine) {
			t.Errorf("ids = %v, want %v", got, mine)
		}
	})
	t.Run("All", func(t *testing.T) {
		all, err := db.ListStores(ctx, 0, 0, 0)
		if err != nil || len(all) != 14 {
			t.Errorf("ListStores(any) = %d stores, %v; want 14", len(all), err)
		}
		if got, _ := db.ListStores(ctx, 0, ^uint64(0), 10); len(got) != 0 {
			t.Errorf("after the largest id: %d stores, want 0", len(got))
		}
	})
	t.Run("ForEachStore", func(t *testing.T) {
		n := 0
		err := db.ForEachStore(ctx, func(s *nearby.Store) error { n++; return nil })
		if err != nil || n != 14 {
			t.Errorf("ForEachStore visited %d, %v; want 14", n, err)
		}
	})
}

func TestDB_DeleteStore(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s1, s2 := mustStore(t, db, a.ID, "s1", ""), mustStore(t, db, a.ID, "s2", "")
	p := &nearby.Program{MerchantID: a.ID, AppID: "wx", Name: "P", Category: "coffee", StoreIDs: []uint64{s1.ID, s2.ID}}
	if err := db.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	bc := &nearby.Beacon{MerchantID: a.ID, StoreID: s1.ID}
	if err := db.CreateBeacon(ctx, bc); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOtherMerchant", func(t *testing.T) {
		wantCode(t, db.DeleteStore(ctx, b.ID, s1.ID), nearby.ENOTFOUND, "")
	})
	t.Run("ErrHasBeacon", func(t *testing.T) {
		wantCode(t, db.DeleteStore(ctx, a.ID, s1.ID), nearby.ECONFLICT, "id")
	})
	t.Run("RemovedFromPrograms", func(t *testing.T) {
		if err := db.DeleteStore(ctx, a.ID, s2.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetProgram(ctx, a.ID, p.ID)
		if !reflect.DeepEqual(got.StoreIDs, []uint64{s1.ID}) {
			t.Errorf("program StoreIDs = %v, want [%d]", got.StoreIDs, s1.ID)
		}
		wantCode(t, func() error { _, err := db.GetStore(ctx, a.ID, s2.ID); return err }(), nearby.ENOTFOUND, "")
	})
	t.Run("OKAfterBeaconDeleted", func(t *testing.T) {
		if err := db.DeleteBeacon(ctx, a.ID, bc.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteStore(ctx, a.ID, s1.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ListStores(ctx, a.ID, 0, 0); len(got) != 0 {
			t.Errorf("ListStores after delete = %d, want 0", len(got))
		}
	})
}

func TestDB_DeleteStoreChanged(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s, other := mustStore(t, db, a.ID, "s", ""), mustStore(t, db, a.ID, "other", "")
	mk := func(name string, ids ...uint64) *nearby.Program {
		t.Helper()
		p := &nearby.Program{MerchantID: a.ID, AppID: "wx", Name: name, Category: "coffee", StoreIDs: ids}
		if err := db.CreateProgram(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	only := mk("only", s.ID)
	both := mk("both", other.ID, s.ID)
	untouched := mk("untouched", other.ID)

	t.Run("ErrOtherMerchant", func(t *testing.T) {
		got, err := db.DeleteStoreChanged(ctx, b.ID, s.ID)
		wantCode(t, err, nearby.ENOTFOUND, "")
		if got != nil {
			t.Errorf("changed = %v, want nil", got)
		}
	})
	t.Run("ErrHasBeacon", func(t *testing.T) {
		bc := &nearby.Beacon{MerchantID: a.ID, StoreID: s.ID}
		if err := db.CreateBeacon(ctx, bc); err != nil {
			t.Fatal(err)
		}
		got, err := db.DeleteStoreChanged(ctx, a.ID, s.ID)
		wantCode(t, err, nearby.ECONFLICT, "id")
		if got != nil {
			t.Errorf("changed = %v, want nil", got)
		}
		if err := db.DeleteBeacon(ctx, a.ID, bc.ID); err != nil {
			t.Fatal(err)
		}
		// The failed delete rolled back: the programs still list s (in
		// store id order: the stores are links).
		p, _ := db.GetProgram(ctx, a.ID, both.ID)
		if want := []uint64{min(other.ID, s.ID), max(other.ID, s.ID)}; !reflect.DeepEqual(p.StoreIDs, want) {
			t.Errorf("StoreIDs after refused delete = %v, want %v", p.StoreIDs, want)
		}
	})
	t.Run("ReturnsChangedAsCommitted", func(t *testing.T) {
		got, err := db.DeleteStoreChanged(ctx, a.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint64
		for _, p := range got {
			ids = append(ids, p.ID)
			stored, err := db.GetProgram(ctx, a.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			storedRec := *stored
			storedRec.StoreIDs = nil // not returned: a chain's list can be long
			if !reflect.DeepEqual(p, &storedRec) {
				t.Errorf("changed program %d = %+v, want as stored %+v", p.ID, p, &storedRec)
			}
		}
		if want := []uint64{only.ID, both.ID}; !reflect.DeepEqual(ids, want) {
			t.Errorf("changed ids = %v, want %v (not %d)", ids, want, untouched.ID)
		}
		if p, _ := db.GetProgram(ctx, a.ID, only.ID); len(p.StoreIDs) != 0 {
			t.Errorf("only.StoreIDs = %v, want empty", p.StoreIDs)
		}
		if p, _ := db.GetProgram(ctx, a.ID, both.ID); !reflect.DeepEqual(p.StoreIDs, []uint64{other.ID}) {
			t.Errorf("both.StoreIDs = %v, want %v", p.StoreIDs, []uint64{other.ID})
		}
		p, _ := db.GetProgram(ctx, a.ID, untouched.ID)
		if !p.UpdatedAt.Equal(untouched.UpdatedAt) {
			t.Errorf("untouched program UpdatedAt = %v, want %v", p.UpdatedAt, untouched.UpdatedAt)
		}
	})
	t.Run("Remaining", func(t *testing.T) {
		got, err := db.DeleteStoreChanged(ctx, a.ID, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("changed = %d programs, want 2 (both, untouched)", len(got))
		}
		lone := mustStore(t, db, a.ID, "lone", "")
		got, err = db.DeleteStoreChanged(ctx, a.ID, lone.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("changed = %v, want none", got)
		}
	})
}

func TestOpen_ErrNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nearby.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint32(nil, store.SchemaVersion+1))
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	if db, err := store.Open(path, nil); err == nil {
		db.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
}

func TestDB_ForEachStore(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := mustMerchant(t, db, "A")
	const n = 2500 // several of ForEachStore's decoding chunks
	ss := make([]*nearby.Store, n)
	for i := range ss {
		ss[i] = &nearby.Store{MerchantID: m.ID, Name: fmt.Sprint("s", i), Lat: float64(i % 90), Category: "coffee",
			Hours: nearby.Hours{"mon": {{"09:00", "17:00"}}}}
	}
	if err := db.CreateStores(ctx, ss); err != nil {
		t.Fatal(err)
	}
	t.Run("All", func(t *testing.T) {
		var kept []*nearby.Store
		err := db.ForEachStore(ctx, func(s *nearby.Store) error { kept = append(kept, s); return nil })
		if err != nil || len(kept) != n {
			t.Fatalf("visited %d, %v; want %d", len(kept), err, n)
		}
		// Kept pointers stay valid and in id order after the scan.
		for i, s := range kept {
			if s.ID != ss[i].ID || s.Name != ss[i].Name || s.Hours["mon"][0][1] != "17:00" {
				t.Fatalf("store %d = %+v, want %+v", i, s, ss[i])
			}
		}
	})
	t.Run("ErrFromFn", func(t *testing.T) {
		stop := fmt.Errorf("enough")
		seen := 0
		err := db.ForEachStore(ctx, func(*nearby.Store) error {
			if seen++; seen == 1500 {
				return stop
			}
			return nil
		})
		if err != stop || seen != 1500 {
			t.Errorf("err = %v after %d calls; want %v after 1500", err, seen, stop)
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		seen := 0
		err := db.ForEachStore(cctx, func(*nearby.Store) error {
			if seen++; seen == 10 {
				cancel()
			}
			return nil
		})
		if err == nil || seen == n {
			t.Errorf("err = %v after %d calls; want a context error before the end", err, seen)
		}
	})
}
