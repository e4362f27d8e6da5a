package store_test

import (
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
	bolt "go.etcd.io/bbolt"
)

// openSchema2 opens a copy of testdata/schema2-json-programs.db.gz: a file
// written by the build of commit 2781d96 (schema version 2: programs as
// JSON records, stores as storeRecordV1). It holds merchant 1 "Old";
// stores 1 and 3 (2 was deleted); programs 1 (every field set, at stores
// 1 and 3), 2 (bare) and 3 (empty targeting; it was at store 2), program 4
// deleted; beacon 1 at store 1 showing program 1. Its clock started at
// 2026-01-02 03:04:05.000000006 UTC and ticked a second a call.
func openSchema2(t *testing.T) *store.DB {
	t.Helper()
	return MustOpenDBAt(t, schema2File(t), nil)
}

// schema2File writes the file of openSchema2 and returns its path.
func schema2File(t *testing.T) string {
	t.Helper()
	f, err := os.Open("testdata/schema2-json-programs.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nearby.db")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func schema2Records() ([]*nearby.Store, []*nearby.Program) {
	at := func(sec int) time.Time { return time.Date(2026, 1, 2, 3, 4, sec, 6, time.UTC) }
	zero, max := 0, 65
	stores := []*nearby.Store{
		{ID: 1, MerchantID: 1, Name: "Café Zoë", Lat: 48.8566, Lng: 2.3522, Category: "coffee", Address: "1 Rue de Rivoli",
			Timezone: "Europe/Paris", Hours: nearby.Hours{"mon": {{"08:00", "20:00"}}}, Tags: []string{"wifi"},
			CreatedAt: at(8), UpdatedAt: at(8)},
		{ID: 3, MerchantID: 1, Name: "Plain", Lat: -33.8688, Lng: 151.2093, Category: "retail", CreatedAt: at(8), UpdatedAt: at(8)},
	}
	programs := []*nearby.Program{
		{ID: 1, MerchantID: 1, AppID: "wx0001", Name: "Full", Category: "coffee", Description: "Every field set",
			IconURL: "https://example.com/i.png", StoreIDs: []uint64{1, 3},
			Targeting: &nearby.Targeting{AgeMin: &zero, AgeMax: &max, Genders: []string{"female"}, OS: []string{"ios", "android"}, Strict: true},
			CreatedAt: at(9), UpdatedAt: at(9)},
		{ID: 2, MerchantID: 1, AppID: "wx0002", Name: "Bare", Category: "food", CreatedAt: at(10), UpdatedAt: at(10)},
		{ID: 3, MerchantID: 1, AppID: "wx0003", Name: "Empty targeting", Category: "retail",
			Targeting: &nearby.Targeting{}, CreatedAt: at(11), UpdatedAt: at(11)},
	}
	return stores, programs
}

// TestSchema2File reads a file of the previous record encodings with every
// reader, then changes its records (which rewrites them in the current
// encodings) next to the old ones.
func TestSchema2File(t *testing.T) {
	ctx := context.Background()
	db := openSchema2(t)
	wantStores, wantPrograms := schema2Records()
	check := func(t *testing.T, wantStores []*nearby.Store, wantPrograms []*nearby.Program) {
		t.Helper()
		if got, err := db.ListStores(ctx, 0, 0, 0); err != nil || !reflect.DeepEqual(got, wantStores) {
			t.Errorf("ListStores = %s, %v; want %s", dumpJSON(got), err, dumpJSON(wantStores))
		}
		if got, err := db.ListPrograms(ctx, 1, 0, 0); err != nil || !reflect.DeepEqual(got, wantPrograms) {
			t.Errorf("ListPrograms = %s, %v; want %s", dumpJSON(got), err, dumpJSON(wantPrograms))
		}
		for _, p := range wantPrograms {
			if got, err := db.GetProgram(ctx, 1, p.ID); err != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("GetProgram(%d) = %s, %v; want %s", p.ID, dumpJSON(got), err, dumpJSON(p))
			}
		}
		var each []*nearby.Program
		if err := db.ForEachProgram(ctx, func(p *nearby.Program) error { each = append(each, p); return nil }); err != nil || !reflect.DeepEqual(each, wantPrograms) {
			t.Errorf("ForEachProgram = %s, %v; want %s", dumpJSON(each), err, dumpJSON(wantPrograms))
		}
		var eachStore []*nearby.Store
		if err := db.ForEachStore(ctx, func(s *nearby.Store) error { eachStore = append(eachStore, s); return nil }); err != nil || !reflect.DeepEqual(eachStore, wantStores) {
			t.Errorf("ForEachStore = %s, %v; want %s", dumpJSON(eachStore), err, dumpJSON(wantStores))
		}
		ss, ps, err := db.ReadStoresAndPrograms(ctx)
		if err != nil || !reflect.DeepEqual(ss, wantStores) || !reflect.DeepEqual(ps, wantPrograms) {
			t.Errorf("ReadStoresAndPrograms = %s, %s, %v; want %s, %s", dumpJSON(ss), dumpJSON(ps), err, dumpJSON(wantStores), dumpJSON(wantPrograms))
		}
	}
	t.Run("Read", func(t *testing.T) {
		check(t, wantStores, wantPrograms)
		b, err := db.GetBeacon(ctx, 1, 1)
		if err != nil || b.StoreID != 1 || b.Page == nil || b.Page.ProgramID != 1 {
			t.Errorf("GetBeacon = %+v, %v; want at store 1 showing program 1", b, err)
		}
		// The delete rules read the old records too.
		wantCode(t, db.DeleteProgram(ctx, 1, 1), nearby.ECONFLICT, "id")
	})
	t.Run("Rewrite", func(t *testing.T) {
		s := *wantStores[1]
		s.Name, s.Tags = "Plain, renamed", []string{"new"}
		if err := db.UpdateStore(ctx, &s); err != nil {
			t.Fatal(err)
		}
		p := *wantPrograms[1]
		p.Description, p.StoreIDs = "now binary", []uint64{3}
		if err := db.UpdateProgram(ctx, &p); err != nil {
			t.Fatal(err)
		}
		fresh := []*nearby.Program{{MerchantID: 1, AppID: "wx0005", Name: "New", Category: "food", StoreIDs: []uint64{1}}}
		if err := db.CreatePrograms(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		stores := []*nearby.Store{wantStores[0], &s}
		p1 := *wantPrograms[0]
		programs := []*nearby.Program{&p1, &p, wantPrograms[2], fresh[0]}
		check(t, stores, programs)

		// Store 3 leaves an old record (program 1) and a new one (2).
		changed, err := db.DeleteStoreChanged(ctx, 1, 3)
		if err != nil {
			t.Fatal(err)
		}
		p1.StoreIDs, p.StoreIDs = []uint64{1}, nil
		if len(changed) != 2 || changed[0].Name != p1.Name || changed[1].Description != p.Description {
			t.Errorf("DeleteStoreChanged = %s, want programs 1 and 2", dumpJSON(changed))
		}
		stores = stores[:1]
		check(t, stores, programs)
	})
}

func dumpJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestCompact_Schema2File compacts the file of the previous encodings:
// the copy holds the same records, now in the current encodings (version
// 3), and its pages are full.
func TestCompact_Schema2File(t *testing.T) {
	ctx := context.Background()
	src := schema2File(t) // never opened by this build
	dst := filepath.Join(t.TempDir(), "compacted.db")
	if err := store.Compact(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	bdb, err := bolt.Open(dst, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.View(func(tx *bolt.Tx) error {
		for _, name := range []string{"stores", "programs"} {
			n := 0
			tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				if n++; v[0] != 2 {
					t.Errorf("%s %x: record version %d, want 2", name, k, v[0])
				}
				return nil
			})
			if n == 0 {
				t.Errorf("no %s", name)
			}
		}
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); binary.BigEndian.Uint32(v) != store.SchemaVersion {
			t.Errorf("schema version %x, want %d", v, store.SchemaVersion)
		}
		return nil
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := MustOpenDBAt(t, dst, nil)
	wantStores, wantPrograms := schema2Records()
	ss, ps, err := db.ReadStoresAndPrograms(ctx)
	if err != nil || !reflect.DeepEqual(ss, wantStores) || !reflect.DeepEqual(ps, wantPrograms) {
		t.Errorf("compacted = %s, %s, %v; want %s, %s", dumpJSON(ss), dumpJSON(ps), err, dumpJSON(wantStores), dumpJSON(wantPrograms))
	}
	if b, err := db.GetBeacon(ctx, 1, 1); err != nil || b.Page.ProgramID != 1 {
		t.Errorf("GetBeacon = %+v, %v", b, err)
	}
	// Sequences were kept: the next ids are new ones.
	p := &nearby.Program{MerchantID: 1, AppID: "wx", Name: "n", Category: "food"}
	if err := db.CreateProgram(ctx, p); err != nil || p.ID != 5 {
		t.Errorf("CreateProgram: id %d, %v; want 5 (4 was used)", p.ID, err)
	}
}
