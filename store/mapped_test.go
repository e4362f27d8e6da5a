package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/nearby-dev/nearby"
)

// TestDB_ReleaseMapped checks that the database still reads and writes
// after its mapped pages were released.
func TestDB_ReleaseMapped(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "nearby.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := &nearby.Merchant{Name: "m"}
	if err := db.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.ReleaseMapped(); err != nil {
		t.Fatalf("ReleaseMapped: %v", err)
	}
	got, err := db.GetMerchant(ctx, m.ID)
	if err != nil || got.Name != "m" {
		t.Fatalf("after release: GetMerchant = %+v, %v", got, err)
	}
	if err := db.CreateMerchant(ctx, &nearby.Merchant{Name: "n"}); err != nil {
		t.Fatalf("after release: CreateMerchant: %v", err)
	}
}
