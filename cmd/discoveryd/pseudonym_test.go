package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestPseudonymKey: generated once into the data dir with mode 0600, the
// same at every start, refused when corrupt, new when the file is deleted
// (the rotation).
func TestPseudonymKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := pseudonymKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, PseudonymKeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	k2, err := pseudonymKey(dir)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Errorf("second start: key %x (%v), want the first %x", k2, err, k1)
	}
	if err := os.WriteFile(path, []byte("not*base64\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := pseudonymKey(dir); err == nil {
		t.Error("a corrupt key file was accepted")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	k3, err := pseudonymKey(dir)
	if err != nil || bytes.Equal(k3, k1) {
		t.Errorf("after deleting the file: key %x (%v), want a new one", k3, err)
	}
}
