package store_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
	bolt "go.etcd.io/bbolt"
)

func TestDB_Chains(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := mustMerchant(t, db, "Chain")
	other := mustMerchant(t, db, "Other")
	var ids []uint64
	for i := range 6 {
		s := &nearby.Store{MerchantID: m.ID, Name: "s", Lat: 1, Lng: 1, Category: []string{"coffee", "food"}[i%2]}
		if i < 2 {
			s.Tags = []string{"drive-thru"}
		}
		if err := db.CreateStore(ctx, s); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	foreign := mustStore(t, db, other.ID, "theirs", "")

	for _, tc := range []struct {
		name string
		sel  nearby.StoreSelection
		want []uint64
	}{
		{"All", nearby.StoreSelection{All: true}, ids},
		{"Category", nearby.StoreSelection{Category: "food"}, []uint64{ids[1], ids[3], ids[5]}},
		{"Tag", nearby.StoreSelection{Tags: []string{"drive-thru"}}, ids[:2]},
		{"CategoryAndTag", nearby.StoreSelection{Category: "food", Tags: []string{"drive-thru"}}, ids[1:2]},
	} {
		t.Run("CreateBySelection/"+tc.name, func(t *testing.T) {
			p := &nearby.Program{MerchantID: m.ID, AppID: "wx", Name: "p", Category: "coffee", Selection: &tc.sel}
			if err := db.CreateProgram(ctx, p); err != nil {
				t.Fatal(err)
			}
			got, _ := db.GetProgram(ctx, m.ID, p.ID)
			if !reflect.DeepEqual(p.StoreIDs, tc.want) || !reflect.DeepEqual(got.StoreIDs, tc.want) || got.Selection != nil {
				t.Errorf("created with %v, read %v (selection %v), want %v", p.StoreIDs, got.StoreIDs, got.Selection, tc.want)
			}
		})
	}

	p := &nearby.Program{MerchantID: m.ID, AppID: "wx", Name: "chain", Category: "coffee", StoreIDs: ids[:1]}
	if err := db.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	t.Run("Link", func(t *testing.T) {
		added, err := db.LinkStores(ctx, m.ID, p.ID, []uint64{ids[2], ids[0], ids[2]}, &nearby.StoreSelection{Tags: []string{"drive-thru"}})
		if err != nil {
			t.Fatal(err)
		}
		if want := []uint64{ids[2], ids[1]}; !reflect.DeepEqual(added, want) {
			t.Errorf("added %v, want %v (the linked store and duplicates left out)", added, want)
		}
		got, _ := db.GetProgram(ctx, m.ID, p.ID)
		if want := []uint64{ids[0], ids[1], ids[2]}; !reflect.DeepEqual(got.StoreIDs, want) || !got.UpdatedAt.After(p.UpdatedAt) && !got.UpdatedAt.Equal(p.UpdatedAt) {
			t.Errorf("stores %v, want %v", got.StoreIDs, want)
		}
		_, err = db.LinkStores(ctx, m.ID, p.ID, []uint64{foreign.ID}, nil)
		wantCode(t, err, nearby.EINVALID, "store_ids[0]")
		_, err = db.LinkStores(ctx, other.ID, p.ID, []uint64{foreign.ID}, nil)
		wantCode(t, err, nearby.ENOTFOUND, "")
	})
	t.Run("Unlink", func(t *testing.T) {
		if err := db.UnlinkStore(ctx, m.ID, p.ID, ids[1]); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetProgram(ctx, m.ID, p.ID)
		if want := []uint64{ids[0], ids[2]}; !reflect.DeepEqual(got.StoreIDs, want) {
			t.Errorf("stores %v, want %v", got.StoreIDs, want)
		}
		wantCode(t, db.UnlinkStore(ctx, m.ID, p.ID, ids[1]), nearby.ENOTFOUND, "")
		wantCode(t, db.UnlinkStore(ctx, other.ID, p.ID, ids[0]), nearby.ENOTFOUND, "")
	})
	t.Run("DeleteProgramDropsLinks", func(t *testing.T) {
		if err := db.DeleteProgram(ctx, m.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		changed, err := db.DeleteStoreChanged(ctx, m.ID, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changed {
			if c.ID == p.ID {
				t.Errorf("deleted program %d still linked to store %d", p.ID, ids[0])
			}
		}
	})
}

// TestOpen_MigratesProgramStores: a version 1 file kept each program's
// stores in its record; Open moves them to links.
func TestOpen_MigratesProgramStores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := mustMerchant(t, db, "Old")
	s1, s2 := mustStore(t, db, m.ID, "a", ""), mustStore(t, db, m.ID, "b", "")
	p := &nearby.Program{MerchantID: m.ID, AppID: "wx", Name: "old", Category: "coffee", StoreIDs: []uint64{s2.ID, s1.ID}}
	if err := db.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var bdb *bolt.DB
	// Rewrite it as version 1 wrote it: the list in the record, no
	// program_stores, schema version 1.
	bdb, err = bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		rec := *p
		j, _ := json.Marshal(&rec)
		v := append([]byte{1}, j...) // version 1 records were JSON, format byte 1
		key := binary.BigEndian.AppendUint64(nil, p.ID)
		if err := tx.Bucket([]byte("programs")).Put(key, v); err != nil {
			return err
		}
		if err := tx.DeleteBucket([]byte("program_stores")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint32(nil, 1))
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Compact leaves a version 1 file's records alone (their store lists
	// are not links yet), so that Open migrates the copy as well.
	compacted := filepath.Join(t.TempDir(), "v1-compacted.db")
	if err := store.Compact(ctx, path, compacted); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{path, compacted} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			db2, err := store.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			got, err := db2.GetProgram(ctx, m.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := []uint64{s1.ID, s2.ID}; !reflect.DeepEqual(got.StoreIDs, want) {
				t.Errorf("migrated stores %v, want %v", got.StoreIDs, want)
			}
			if err := db2.UnlinkStore(ctx, m.ID, p.ID, s1.ID); err != nil {
				t.Fatalf("unlink after migration: %v", err)
			}
		})
	}
}
