package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/store"
)

// seed writes the generated world into a discoveryd data directory through
// the store package, as one merchant: stores, then programs, each in
// batches of one transaction (CreateStores, CreatePrograms: the checks of
// the API's writes). Put the directory on tmpfs (/dev/shm): every
// transaction is fsynced. discoveryd then loads it at start-up.
func seed(ctx context.Context, args []string, logw io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dir := fs.String("data-dir", "", "discoveryd data directory (created; must not hold a database yet)")
	stores := fs.Int("stores", 1_000_000, "stores in the generated world (every one carries a program)")
	seedN := fs.Uint64("seed", 1, "seed of the generated world")
	batch := fs.Int("batch", 10_000, "stores per transaction")
	programBatch := fs.Int("program-batch", 1000, "programs per transaction")
	chainShare := fs.Float64("chain-share", 0, "share of stores in multi-store programs (chains); 0: the generator's default (half), -1: none, every store its own program")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("seed: -data-dir is required")
	}
	if *batch <= 0 || *programBatch <= 0 {
		return fmt.Errorf("seed: -batch and -program-batch must be positive")
	}
	if *chainShare > 1 {
		return fmt.Errorf("seed: -chain-share %v is more than all the stores", *chainShare)
	}
	start := time.Now()
	w := catalogtest.NewWorld(catalogtest.Options{Seed: *seedN, Stores: *stores, ChainShare: *chainShare})
	db, err := store.Open(filepath.Join(*dir, "nearby.db"), nil)
	if err != nil {
		return err
	}
	defer db.Close()
	m := &nearby.Merchant{Name: "loadgen"}
	if err := db.CreateMerchant(ctx, m); err != nil {
		return err
	}
	newID := make(map[uint64]uint64, len(w.Stores))
	for i := 0; i < len(w.Stores); i += *batch {
		part := w.Stores[i:min(i+*batch, len(w.Stores))]
		old := make([]uint64, len(part))
		for j, s := range part {
			old[j] = s.ID
			s.MerchantID = m.ID
		}
		if err := db.CreateStores(ctx, part); err != nil {
			return err
		}
		for j, s := range part {
			newID[old[j]] = s.ID
		}
	}
	fmt.Fprintf(logw, "%d stores in %v\n", len(w.Stores), time.Since(start).Round(time.Millisecond))
	next := 100_000
	for i := 0; i < len(w.Programs); i += *programBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		part := w.Programs[i:min(i+*programBatch, len(w.Programs))]
		for _, p := range part {
			p.MerchantID = m.ID
			for j, sid := range p.StoreIDs {
				p.StoreIDs[j] = newID[sid]
			}
		}
		if err := db.CreatePrograms(ctx, part); err != nil {
			return fmt.Errorf("seed: programs %d to %d: %w", i, i+len(part)-1, err)
		}
		if done := i + len(part); done >= next {
			fmt.Fprintf(logw, "%d programs in %v\n", done, time.Since(start).Round(time.Millisecond))
			next += 100_000
		}
	}
	fmt.Fprintf(logw, "seeded %d stores and %d programs in %v\n", len(w.Stores), len(w.Programs), time.Since(start).Round(time.Millisecond))
	return nil
}
