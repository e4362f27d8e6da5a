package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunCompact(t *testing.T) {
	dir := t.TempDir()
	m := MustRunMain(t, dir)
	c := clientOf(t, m)
	newMerchant(c, "Compact Me")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	env := func(string) string { return "" }
	if code := runCompact(context.Background(), []string{"--data-dir", dir}, env, &out, &errs); code != 0 {
		t.Fatalf("compact = %d: %s", code, errs.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, DBFile))
	if err != nil || !bytes.Contains(b, []byte("Compact Me")) || !strings.Contains(out.String(), "compacted") {
		t.Errorf("after compact: %v, output %q; want the merchant kept", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, DBFile+".compact")); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
	if code := runCompact(context.Background(), []string{"--data-dir", filepath.Join(dir, "none")}, env, &out, &errs); code != 1 {
		t.Errorf("compact of a missing file = %d, want 1", code)
	}
}
