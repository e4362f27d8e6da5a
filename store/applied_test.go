package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

func TestDB_WithApplied(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDBAt(t, t.TempDir()+"/n.db", &store.Options{Now: fixedClock(at.Add(time.Hour))})
		m := mustMerchant(t, db, "Acme")
		s := &nearby.Store{MerchantID: m.ID, Name: "a", Category: "coffee"}
		if err := db.CreateStore(store.WithApplied(ctx, store.Applied{Seq: 7, At: at}), s); err != nil {
			t.Fatal(err)
		}
		if !s.CreatedAt.Equal(at) || !s.UpdatedAt.Equal(at) {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v, want the command's %v", s.CreatedAt, s.UpdatedAt, at)
		}
		if got, err := db.AppliedSeq(ctx); err != nil || got != 7 {
			t.Errorf("AppliedSeq = %d, %v, want 7 (same transaction as the write)", got, err)
		}
		// Without the value the clock stamps, as before.
		if err := db.UpdateStore(ctx, s); err != nil {
			t.Fatal(err)
		}
		if want := at.Add(time.Hour); !s.UpdatedAt.Equal(want) {
			t.Errorf("UpdatedAt = %v, want the clock's %v", s.UpdatedAt, want)
		}
	})
	t.Run("FailedWriteRecordsNothing", func(t *testing.T) {
		db := MustOpenDB(t)
		err := db.CreateStore(store.WithApplied(ctx, store.Applied{Seq: 3}), &nearby.Store{MerchantID: 99, Name: "x", Category: "coffee"})
		wantCode(t, err, nearby.EINVALID, "merchant_id")
		if got, _ := db.AppliedSeq(ctx); got != 0 {
			t.Errorf("AppliedSeq = %d after a rolled-back write, want 0", got)
		}
		if err := db.SetAppliedSeq(ctx, 3); err != nil {
			t.Fatal(err)
		}
		if err := db.SetAppliedSeq(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.AppliedSeq(ctx); got != 3 {
			t.Errorf("AppliedSeq = %d, want 3 (never backwards)", got)
		}
	})
	t.Run("SharedProximityUUID", func(t *testing.T) {
		u, err := nearby.ParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e")
		if err != nil {
			t.Fatal(err)
		}
		var got []nearby.Identity
		for range 2 { // two replicas, each with its own random UUID at first
			db := MustOpenDB(t)
			if err := db.SetProximityUUID(store.WithApplied(ctx, store.Applied{Seq: 1}), u); err != nil {
				t.Fatal(err)
			}
			if db.ProximityUUID() != u {
				t.Fatalf("ProximityUUID = %s, want %s", db.ProximityUUID(), u)
			}
			m := mustMerchant(t, db, "Acme")
			s := mustStore(t, db, m.ID, "a", "UTC")
			b := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID, TxPower: -70}
			if err := db.CreateBeacon(ctx, b); err != nil {
				t.Fatal(err)
			}
			got = append(got, b.Identity)
		}
		if got[0] != got[1] || got[0].UUID != u {
			t.Errorf("allocated identities %v, %v: want equal, under %s", got[0], got[1], u)
		}
	})
}

func TestDB_Restore(t *testing.T) {
	ctx := context.Background()
	src := MustOpenDB(t)
	m := mustMerchant(t, src, "Acme")
	s := mustStore(t, src, m.ID, "a", "UTC")
	if err := src.SetAppliedSeq(ctx, 42); err != nil {
		t.Fatal(err)
	}
	var snap bytes.Buffer
	seq, err := src.WriteSnapshot(ctx, &snap)
	if err != nil || seq != 42 {
		t.Fatalf("WriteSnapshot = %d, %v, want 42", seq, err)
	}
	dst := MustOpenDB(t)
	stale := mustMerchant(t, dst, "stale") // replaced, not merged
	if seq, err := dst.Restore(ctx, &snap); err != nil || seq != 42 {
		t.Fatalf("Restore = %d, %v, want 42", seq, err)
	}
	got, err := dst.GetStore(ctx, m.ID, s.ID)
	if err != nil || got.Name != "a" {
		t.Errorf("restored store = %+v, %v, want %q", got, err, "a")
	}
	if gm, err := dst.GetMerchant(ctx, stale.ID); err != nil || gm.Name != "Acme" {
		t.Errorf("merchant %d after restore = %+v, %v: want the snapshot's Acme", stale.ID, gm, err)
	}
	if dst.ProximityUUID() != src.ProximityUUID() {
		t.Error("the proximity UUID was not restored")
	}
	if got, _ := dst.AppliedSeq(ctx); got != 42 {
		t.Errorf("AppliedSeq = %d, want 42", got)
	}
	if err := dst.Check(ctx); err != nil {
		t.Error(err)
	}
	// Ids go on from the snapshot's sequences, as on the node it came from.
	next, want := mustStore(t, dst, m.ID, "b", "UTC"), mustStore(t, src, m.ID, "b", "UTC")
	if next.ID != want.ID {
		t.Errorf("store created after restore has id %d, want %d (the source's next)", next.ID, want.ID)
	}
	t.Run("ErrNotASnapshot", func(t *testing.T) {
		if _, err := MustOpenDB(t).Restore(ctx, strings.NewReader("not bbolt")); err == nil {
			t.Error("Restore of garbage = nil error")
		}
	})
}
