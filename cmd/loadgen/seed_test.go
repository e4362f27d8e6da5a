package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/nearby-dev/nearby/store"
)

// TestSeed seeds small worlds in batches smaller than the world and reads
// them back: every store, every program, and every store in a program.
func TestSeed(t *testing.T) {
	tests := []struct {
		name       string
		chainShare string
		// wantOwn: every store carries exactly one single-store program.
		wantOwn bool
	}{
		{"Chained", "0", false},
		{"OwnProgram", "-1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			var log bytes.Buffer
			const stores = 700
			err := seed(ctx, []string{"-data-dir", dir, "-stores", fmt.Sprint(stores), "-batch", "300",
				"-program-batch", "64", "-chain-share", tt.chainShare}, &log)
			if err != nil {
				t.Fatalf("seed: %v\n%s", err, &log)
			}
			db, err := store.Open(filepath.Join(dir, "nearby.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ss, ps, err := db.ReadStoresAndPrograms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			perStore := map[uint64]int{}
			chains := 0
			for _, p := range ps {
				if len(p.StoreIDs) > 1 {
					chains++
				}
				for _, id := range p.StoreIDs {
					perStore[id]++
				}
			}
			if len(ss) != stores || len(perStore) != stores {
				t.Errorf("%d stores, %d of them in programs; want %d and all", len(ss), len(perStore), stores)
			}
			if tt.wantOwn && (len(ps) != stores || chains != 0) {
				t.Errorf("%d programs, %d chains; want %d programs of one store each", len(ps), chains, stores)
			}
			if !tt.wantOwn && chains == 0 {
				t.Errorf("%d programs, no chain; want chains", len(ps))
			}
		})
	}
}

func TestSeed_BadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-stores", "10"},
		{"-data-dir", "x", "-program-batch", "0"},
		{"-data-dir", "x", "-chain-share", "2"},
	} {
		if err := seed(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("seed %v succeeded", args)
		}
	}
}
