package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

func TestDB_CreateBeacon(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	sa, sb := mustStore(t, db, a.ID, "sa", ""), mustStore(t, db, b.ID, "sb", "")
	pb := &nearby.Program{MerchantID: b.ID, AppID: "wx", Name: "P", Category: "coffee"}
	if err := db.CreateProgram(ctx, pb); err != nil {
		t.Fatal(err)
	}

	t.Run("Allocates", func(t *testing.T) {
		seen := map[nearby.Identity]bool{}
		for i := range 5 {
			bc := &nearby.Beacon{MerchantID: a.ID, StoreID: sa.ID, TxPower: -70}
			if err := db.CreateBeacon(ctx, bc); err != nil {
				t.Fatal(err)
			}
			if bc.Identity.UUID != db.ProximityUUID() {
				t.Errorf("UUID = %s, want the deployment's %s", bc.Identity.UUID, db.ProximityUUID())
			}
			if seen[bc.Identity] {
				t.Errorf("identity %v allocated twice", bc.Identity)
			}
			seen[bc.Identity] = true
			if bc.Status != nearby.BeaconActive || bc.TxPower != -70 {
				t.Errorf("#%d Status, TxPower = %q, %d; want active (default), -70 (as given)", i, bc.Status, bc.TxPower)
			}
		}
	})
	t.Run("OwnIdentity", func(t *testing.T) {
		own := nearby.Identity{UUID: nearby.MustParseUUID("F7826DA64FA24E988024BC5B71E0893E"), Major: 7, Minor: 9}
		bc := &nearby.Beacon{MerchantID: a.ID, StoreID: sa.ID, Identity: own}
		if err := db.CreateBeacon(ctx, bc); err != nil {
			t.Fatal(err)
		}
		if want := "f7826da6-4fa2-4e98-8024-bc5b71e0893e"; bc.Identity.UUID.String() != want {
			t.Errorf("UUID = %s, want canonical %s", bc.Identity.UUID, want)
		}
		got, err := db.BeaconByIdentity(ctx, nearby.Identity{UUID: nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e"), Major: 7, Minor: 9})
		if err != nil || got.ID != bc.ID {
			t.Errorf("BeaconByIdentity = %v, %v; want beacon %d", got, err, bc.ID)
		}
		// Another merchant bringing the same hardware identity collides.
		dup := &nearby.Beacon{MerchantID: b.ID, StoreID: sb.ID, Identity: own}
		wantCode(t, db.CreateBeacon(ctx, dup), nearby.ECONFLICT, "uuid")
		// A different minor is a different identity.
		other := &nearby.Beacon{MerchantID: b.ID, StoreID: sb.ID, Identity: nearby.Identity{UUID: own.UUID, Major: 7, Minor: 10}}
		if err := db.CreateBeacon(ctx, other); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("AllocationSkipsTaken", func(t *testing.T) {
		// Claim the next identity the allocator would hand out.
		probe := &nearby.Beacon{MerchantID: a.ID, StoreID: sa.ID}
		if err := db.CreateBeacon(ctx, probe); err != nil {
			t.Fatal(err)
		}
		next := probe.Identity
		next.Minor++
		own := &nearby.Beacon{MerchantID: b.ID, StoreID: sb.ID, Identity: next}
		if err := db.CreateBeacon(ctx, own); err != nil {
			t.Fatal(err)
		}
		bc := &nearby.Beacon{MerchantID: a.ID, StoreID: sa.ID}
		if err := db.CreateBeacon(ctx, bc); err != nil {
			t.Fatal(err)
		}
		if bc.Identity == next {
			t.Errorf("allocated %v, which merchant B brought", next)
		}
	})
	tests := []struct {
		name  string
		b     nearby.Beacon
		code  string
		field string
	}{
		{"ErrOtherMerchantsStore", nearby.Beacon{MerchantID: a.ID, StoreID: sb.ID}, nearby.EINVALID, "store_id"},
		{"ErrOtherMerchantsProgram", nearby.Beacon{MerchantID: a.ID, StoreID: sa.ID, Page: &nearby.Page{ProgramID: pb.ID}}, nearby.EINVALID, "page.program_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, db.CreateBeacon(ctx, &tt.b), tt.code, tt.field)
		})
	}
}

func TestDB_UpdateBeacon(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s := mustStore(t, db, a.ID, "s", "")
	b1 := &nearby.Beacon{MerchantID: a.ID, StoreID: s.ID, AgentTokenHash: []byte("h")}
	b2 := &nearby.Beacon{MerchantID: a.ID, StoreID: s.ID}
	for _, bc := range []*nearby.Beacon{b1, b2} {
		if err := db.CreateBeacon(ctx, bc); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("ErrOtherMerchant", func(t *testing.T) {
		u := *b1
		u.MerchantID = b.ID
		wantCode(t, db.UpdateBeacon(ctx, &u), nearby.ENOTFOUND, "")
	})
	t.Run("ErrIdentityTaken", func(t *testing.T) {
		u := *b1
		u.Identity = b2.Identity
		wantCode(t, db.UpdateBeacon(ctx, &u), nearby.ECONFLICT, "uuid")
	})
	t.Run("KeepsAndChanges", func(t *testing.T) {
		hb := &nearby.Heartbeat{At: time.Now(), UptimeS: 5, Version: "1.0"}
		if err := db.RecordHeartbeat(ctx, b1.ID, hb); err != nil {
			t.Fatal(err)
		}
		old := b1.Identity
		u := &nearby.Beacon{ID: b1.ID, MerchantID: a.ID, StoreID: s.ID, Label: "door", Status: nearby.BeaconInactive,
			Identity: nearby.Identity{UUID: nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e"), Major: 1, Minor: 1}}
		if err := db.UpdateBeacon(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetBeacon(ctx, a.ID, b1.ID)
		if got.Label != "door" || got.Status != nearby.BeaconInactive || len(got.AgentTokens) != 1 || string(got.AgentTokens[0].Hash) != "h" ||
			got.LastHeartbeat == nil || got.LastHeartbeat.Version != "1.0" {
			t.Errorf("beacon = %+v", got)
		}
		// The old identity is free again, the new one is taken.
		if _, err := db.BeaconByIdentity(ctx, old); nearby.ErrorCode(err) != nearby.ENOTFOUND {
			t.Errorf("old identity still resolves: %v", err)
		}
		reuse := &nearby.Beacon{MerchantID: b.ID, StoreID: mustStore(t, db, b.ID, "sb", "").ID, Identity: old}
		if err := db.CreateBeacon(ctx, reuse); err != nil {
			t.Errorf("claiming the freed identity: %v", err)
		}
	})
}

func TestDB_DeleteBeacon(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a, b := mustMerchant(t, db, "A"), mustMerchant(t, db, "B")
	s := mustStore(t, db, a.ID, "s", "")
	own := nearby.Identity{UUID: nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e"), Major: 1, Minor: 2}
	bc := &nearby.Beacon{MerchantID: a.ID, StoreID: s.ID, Identity: own}
	if err := db.CreateBeacon(ctx, bc); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeleteBeacon(ctx, b.ID, bc.ID), nearby.ENOTFOUND, "")
	if err := db.DeleteBeacon(ctx, a.ID, bc.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeleteBeacon(ctx, a.ID, bc.ID), nearby.ENOTFOUND, "")
	again := &nearby.Beacon{MerchantID: a.ID, StoreID: s.ID, Identity: own}
	if err := db.CreateBeacon(ctx, again); err != nil {
		t.Errorf("identity not freed by delete: %v", err)
	}
	if list, _ := db.ListBeacons(ctx, a.ID, 0, 0); len(list) != 1 || list[0].ID != again.ID {
		t.Errorf("ListBeacons = %v, want only %d", list, again.ID)
	}
}
