package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

// MustOpenDB opens a DB in a temporary directory and registers a cleanup
// that checks the file's consistency and closes it.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpenDBAt(tb, filepath.Join(tb.TempDir(), "nearby.db"), nil)
}

// MustOpenDBAt opens path with opts, with MustOpenDB's cleanup.
func MustOpenDBAt(tb testing.TB, path string, opts *store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(path, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			tb.Errorf("Check: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// fixedClock returns a Now func reporting t.
func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// mustMerchant creates a merchant named name.
func mustMerchant(tb testing.TB, db *store.DB, name string) *nearby.Merchant {
	tb.Helper()
	m := &nearby.Merchant{Name: name, APIKeyHash: []byte("hash-" + name)}
	if err := db.CreateMerchant(context.Background(), m); err != nil {
		tb.Fatalf("CreateMerchant: %v", err)
	}
	return m
}

// mustStore creates a store of merchant m.
func mustStore(tb testing.TB, db *store.DB, m uint64, name, tz string) *nearby.Store {
	tb.Helper()
	s := &nearby.Store{MerchantID: m, Name: name, Lat: 31.23, Lng: 121.47, Category: "coffee", Timezone: tz}
	if err := db.CreateStore(context.Background(), s); err != nil {
		tb.Fatalf("CreateStore: %v", err)
	}
	return s
}

// wantCode fails unless err is a *nearby.Error with code (and, when field
// is not empty, naming field).
func wantCode(tb testing.TB, err error, code, field string) {
	tb.Helper()
	var e *nearby.Error
	if !errors.As(err, &e) {
		tb.Fatalf("err = %v, want a *nearby.Error %s", err, code)
	}
	if e.Code != code {
		tb.Fatalf("code = %q (%v), want %q", e.Code, err, code)
	}
	if field == "" {
		return
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	tb.Fatalf("fields = %v, want one named %q", e.Fields, field)
}

func TestOpen(t *testing.T) {
	t.Run("ReopenKeepsEverything", func(t *testing.T) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "sub", "nearby.db")
		db, err := store.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := mustMerchant(t, db, "Acme")
		s := mustStore(t, db, m.ID, "Main St", "Asia/Shanghai")
		p := &nearby.Program{MerchantID: m.ID, AppID: "wx1", Name: "Menu", Category: "coffee", StoreIDs: []uint64{s.ID}}
		if err := db.CreateProgram(ctx, p); err != nil {
			t.Fatal(err)
		}
		b := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID, Page: &nearby.Page{ProgramID: p.ID, Path: "/"}}
		if err := db.CreateBeacon(ctx, b); err != nil {
			t.Fatal(err)
		}
		uuid := db.ProximityUUID()
		ev := nearby.Event{ID: "0b7bd1ce-9d35-4f5e-a3f0-7c3e2b61f001", Type: nearby.EventEnter, At: time.Now(), DeviceID: "d1"}
		if _, _, err := db.RecordEvents(ctx, b.ID, []nearby.Event{ev}); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}

		db = MustOpenDBAt(t, path, nil)
		if got := db.ProximityUUID(); got != uuid {
			t.Errorf("ProximityUUID = %s, want %s (kept across reopen)", got, uuid)
		}
		if got, err := db.GetMerchant(ctx, m.ID); err != nil || got.Name != "Acme" || len(got.Keys) != 1 || string(got.Keys[0].Hash) != "hash-Acme" {
			t.Errorf("GetMerchant = %+v, %v", got, err)
		}
		if got, err := db.GetStore(ctx, m.ID, s.ID); err != nil || got.Name != "Main St" || !got.CreatedAt.Equal(s.CreatedAt) {
			t.Errorf("GetStore = %+v, %v", got, err)
		}
		if got, err := db.GetProgram(ctx, m.ID, p.ID); err != nil || len(got.StoreIDs) != 1 {
			t.Errorf("GetProgram = %+v, %v", got, err)
		}
		if got, err := db.GetBeacon(ctx, m.ID, b.ID); err != nil || got.Identity != b.Identity {
			t.Errorf("GetBeacon = %+v, %v", got, err)
		}
		_, dups, err := db.RecordEvents(ctx, b.ID, []nearby.Event{ev})
		if err != nil || len(dups) != 1 {
			t.Errorf("replay after reopen: duplicates = %v, %v; want 1", dups, err)
		}
		// A second beacon continues the identity sequence instead of reusing it.
		b2 := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID}
		if err := db.CreateBeacon(ctx, b2); err != nil {
			t.Fatal(err)
		}
		if b2.Identity == b.Identity {
			t.Errorf("identity %v reused after reopen", b2.Identity)
		}
	})
	t.Run("ErrLocked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nearby.db")
		MustOpenDBAt(t, path, nil)
		start := time.Now()
		_, err := store.Open(path, &store.Options{Timeout: 100 * time.Millisecond})
		if err == nil {
			t.Fatal("second Open of a locked file succeeded")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Open waited %v, want about the 100ms timeout", d)
		}
	})
}
