package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

func TestDB_MerchantKeys(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "nearby.db"), &store.Options{Now: fixedClock(now)})
	m := mustMerchant(t, db, "A")
	if len(m.Keys) != 1 || m.Keys[0].ID == 0 || m.APIKeyHash != nil {
		t.Fatalf("created merchant keys %+v, hash %q; want the given hash as key 1", m.Keys, m.APIKeyHash)
	}
	soon := now.Add(-time.Second) // already expired: dropped by the next add
	expired := &nearby.Key{Hash: []byte("old"), ExpiresAt: &soon}
	if err := db.AddMerchantKey(ctx, m.ID, expired); err != nil {
		t.Fatal(err)
	}
	var added []uint64
	for i := range nearby.MaxKeys - 1 {
		k := &nearby.Key{Hash: []byte{byte(i)}}
		if err := db.AddMerchantKey(ctx, m.ID, k); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if k.ID <= expired.ID || !k.CreatedAt.Equal(now) {
			t.Errorf("key %d: id %d, created %v", i, k.ID, k.CreatedAt)
		}
		added = append(added, k.ID)
	}
	wantCode(t, db.AddMerchantKey(ctx, m.ID, &nearby.Key{Hash: []byte("x")}), nearby.ECONFLICT, "keys")
	got, _ := db.GetMerchant(ctx, m.ID)
	if len(got.Keys) != nearby.MaxKeys {
		t.Errorf("%d keys, want %d (the expired one dropped)", len(got.Keys), nearby.MaxKeys)
	}
	if err := db.RevokeMerchantKey(ctx, m.ID, added[0]); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.RevokeMerchantKey(ctx, m.ID, added[0]), nearby.ENOTFOUND, "")
	used := now.Add(time.Minute)
	if err := db.TouchMerchantKey(ctx, m.ID, added[1], used); err != nil {
		t.Fatal(err)
	}
	got, _ = db.GetMerchant(ctx, m.ID)
	if k := nearby.MatchKey(got.Keys, []byte{1}, now); k == nil || k.ID != added[1] || k.LastUsedAt == nil || !k.LastUsedAt.Equal(used) {
		t.Errorf("touched key = %+v", k)
	}
	if k := nearby.MatchKey(got.Keys, []byte{0}, now); k != nil {
		t.Errorf("the revoked key still matches: %+v", k)
	}

	mustMerchant(t, db, "B")
	mustMerchant(t, db, "C")
	page, err := db.ListMerchants(ctx, m.ID, 1)
	if err != nil || len(page) != 1 || page[0].Name != "B" {
		t.Errorf("ListMerchants after A, 1 = %+v, %v; want B", page, err)
	}
	if all, _ := db.ListMerchants(ctx, 0, 0); len(all) != 3 {
		t.Errorf("ListMerchants = %d merchants, want 3", len(all))
	}
}

func TestDB_AgentTokens(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, "UTC", now)
	b := &nearby.Beacon{MerchantID: f.m.ID, StoreID: f.s.ID, AgentTokenHash: []byte("first")}
	if err := f.db.CreateBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	k := &nearby.Key{Hash: []byte("second")}
	if err := f.db.AddAgentToken(ctx, f.m.ID, b.ID, k); err != nil {
		t.Fatal(err)
	}
	other := mustMerchant(t, f.db, "other")
	wantCode(t, f.db.AddAgentToken(ctx, other.ID, b.ID, &nearby.Key{Hash: []byte("x")}), nearby.ENOTFOUND, "")
	// A PUT of the beacon keeps its tokens.
	if err := f.db.UpdateBeacon(ctx, &nearby.Beacon{ID: b.ID, MerchantID: f.m.ID, StoreID: f.s.ID, Label: "x"}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.GetBeacon(ctx, f.m.ID, b.ID)
	if len(got.AgentTokens) != 2 || nearby.MatchKey(got.AgentTokens, []byte("first"), now) == nil {
		t.Fatalf("tokens after update = %+v", got.AgentTokens)
	}
	if err := f.db.RevokeAgentToken(ctx, f.m.ID, b.ID, got.AgentTokens[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := f.db.TouchAgentToken(ctx, b.ID, k.ID, now); err != nil {
		t.Fatal(err)
	}
	got, _ = f.db.GetBeacon(ctx, f.m.ID, b.ID)
	if len(got.AgentTokens) != 1 || got.AgentTokens[0].ID != k.ID || got.AgentTokens[0].LastUsedAt == nil {
		t.Errorf("tokens after revoking the first = %+v", got.AgentTokens)
	}
}

// TestDB_KeysMigrated: a record written before keys were lists, with its
// single hash, holds that hash as its first key after the next open.
func TestDB_KeysMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nearby.db")
	old, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := mustMerchant(t, old, "old")
	if err := store.WriteLegacyKeysForTest(old, m.ID, []byte("legacy")); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	db := MustOpenDBAt(t, path, nil)
	got, err := db.GetMerchant(ctx, m.ID)
	if err != nil || got.APIKeyHash != nil || len(got.Keys) != 1 || string(got.Keys[0].Hash) != "legacy" || got.Keys[0].ID == 0 {
		t.Errorf("after reopening: %+v, %v; want the legacy hash as a key with an id", got, err)
	}
	if err := db.UpdateMerchant(ctx, &nearby.Merchant{ID: m.ID, Name: "renamed"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetMerchant(ctx, m.ID); got.Name != "renamed" || len(got.Keys) != 1 {
		t.Errorf("after UpdateMerchant: %+v, want the name changed and the key kept", got)
	}
}
