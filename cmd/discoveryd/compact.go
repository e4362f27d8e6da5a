package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nearby-dev/nearby/store"
)

// runCompact is `discoveryd compact --data-dir DIR`: with discoveryd
// stopped, it rewrites <data-dir>/nearby.db with only its live data, so
// that the bytes of purged records (expired shakes, revoked keys), which
// bbolt leaves in free pages, are gone from the disk's file.
func runCompact(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("discoveryd compact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data-dir", getenvOr(getenv, "DISCOVERYD_DATA_DIR", DefaultDataDir), "directory of nearby.db (env DISCOVERYD_DATA_DIR); discoveryd must be stopped")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: discoveryd compact [--data-dir DIR]")
		return 2
	}
	if err := compactFile(ctx, filepath.Join(*dir, DBFile)); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "compacted %s\n", filepath.Join(*dir, DBFile))
	return 0
}

// compactFile compacts path into a temporary file beside it, then renames
// it over path; the old file's inode, with its stale pages, is unlinked.
func compactFile(ctx context.Context, path string) error {
	tmp := path + ".compact"
	os.Remove(tmp)
	if err := store.Compact(ctx, path, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("discoveryd: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("discoveryd: compact: %w", err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("discoveryd: compact: %w", err)
	}
	defer d.Close()
	return d.Sync()
}

func getenvOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
