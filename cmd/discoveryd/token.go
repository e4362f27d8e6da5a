package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/discovery"
)

// AdminTokenFile is the generated admin token's file in the data dir.
const AdminTokenFile = "admin.token"

// adminToken returns the admin token and a description of where it comes
// from that is safe to print: never the token itself, only a short prefix.
func adminToken(given, dataDir string) (token, source string, err error) {
	if given != "" {
		return given, "from --admin-token/DISCOVERYD_ADMIN_TOKEN", nil
	}
	path := filepath.Join(dataDir, AdminTokenFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil && strings.TrimSpace(string(b)) != "":
		token = strings.TrimSpace(string(b))
	case err == nil || os.IsNotExist(err):
		token = "adm_" + api.NewSecret()
		if err := writeFileAtomic(path, []byte(token+"\n"), 0o600); err != nil {
			return "", "", fmt.Errorf("discoveryd: write admin token: %w", err)
		}
	default:
		return "", "", fmt.Errorf("discoveryd: read admin token: %w", err)
	}
	abs, _ := filepath.Abs(path)
	return token, fmt.Sprintf("in %s (%s...)", abs, token[:min(len(token), 8)]), nil
}

// PseudonymKeyFile is the key of the device pseudonyms in the data dir.
const PseudonymKeyFile = "pseudonym.key"

// pseudonymKey returns the key of the per-merchant device pseudonyms,
// generating it into <dataDir>/pseudonym.key (0600) at first start. To
// rotate it, stop discoveryd, delete the file and start: every phone then
// gets new pseudonyms (unique counts of the day of the rotation count a
// phone seen before and after it twice).
//
// A key given in the environment (DISCOVERYD_PSEUDONYM_KEY, base64url, as in
// the file) wins and no file is written: the nodes of a cluster must share
// one key, or one phone would get a pseudonym per node.
func pseudonymKey(dataDir, fromEnv string) ([]byte, error) {
	if v := strings.TrimSpace(fromEnv); v != "" {
		key, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(key) < discovery.MinPseudonymKeyLen {
			return nil, fmt.Errorf("discoveryd: DISCOVERYD_PSEUDONYM_KEY must hold at least %d base64url bytes", discovery.MinPseudonymKeyLen)
		}
		return key, nil
	}
	path := filepath.Join(dataDir, PseudonymKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil && strings.TrimSpace(string(b)) != "":
		key, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < discovery.MinPseudonymKeyLen {
			return nil, fmt.Errorf("discoveryd: %s must hold at least %d base64url bytes; delete it to generate a new key", path, discovery.MinPseudonymKeyLen)
		}
		return key, nil
	case err == nil || os.IsNotExist(err):
		key := discovery.NewPseudonymKey()
		if err := writeFileAtomic(path, []byte(base64.RawURLEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("discoveryd: write pseudonym key: %w", err)
		}
		return key, nil
	default:
		return nil, fmt.Errorf("discoveryd: read pseudonym key: %w", err)
	}
}

// writeFileAtomic writes a file so that a crash leaves either the old or
// the whole new content: temp file, fsync, rename, fsync the directory.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
