package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

// TestPseudonymKey: generated once into the data dir with mode 0600, the
// same at every start, refused when corrupt, new when the file is deleted
// (the rotation).
func TestPseudonymKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := pseudonymKey(dir, "")
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
	k2, err := pseudonymKey(dir, "")
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Errorf("second start: key %x (%v), want the first %x", k2, err, k1)
	}
	if err := os.WriteFile(path, []byte("not*base64\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := pseudonymKey(dir, ""); err == nil {
		t.Error("a corrupt key file was accepted")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	k3, err := pseudonymKey(dir, "")
	if err != nil || bytes.Equal(k3, k1) {
		t.Errorf("after deleting the file: key %x (%v), want a new one", k3, err)
	}
}

// TestPseudonymKey_FromEnvironment: a key in the environment wins over the
// file and writes none (a cluster's nodes share it); a bad one is refused.
func TestPseudonymKey_FromEnvironment(t *testing.T) {
	dir := t.TempDir()
	want := bytes.Repeat([]byte{7}, 32)
	got, err := pseudonymKey(dir, base64.RawURLEncoding.EncodeToString(want))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("key from the environment = %x, %v; want %x", got, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, PseudonymKeyFile)); !os.IsNotExist(err) {
		t.Errorf("a key file was written though the environment gave the key (%v)", err)
	}
	for _, bad := range []string{"not*base64", base64.RawURLEncoding.EncodeToString([]byte("short"))} {
		if _, err := pseudonymKey(dir, bad); err == nil {
			t.Errorf("DISCOVERYD_PSEUDONYM_KEY=%q was accepted", bad)
		}
	}
}
