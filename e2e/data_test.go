package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// openStarbucks opens shared/data/starbucks_directory.csv, the project's
// shared data, found in the nearest ancestor directory that has it (the
// module sits at ../ of it, a worktree deeper), or skips the test saying
// so when no ancestor has it.
func openStarbucks(tb testing.TB) *os.File {
	tb.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		tb.Fatal(err)
	}
	for {
		f, err := os.Open(filepath.Join(dir, "shared", "data", "starbucks_directory.csv"))
		if err == nil {
			return f
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("starbucks_directory.csv: no shared/data in any ancestor of the module (../shared/data)")
		}
		dir = parent
	}
}
