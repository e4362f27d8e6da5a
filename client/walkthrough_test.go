package client_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestWalkthrough shows that a separate module using only the client, as a
// third party would, runs README.md's walk through the API: it starts a
// server in process and runs ../examples/walkthrough against it with the go
// command, offline, from the module cache.
func TestWalkthrough(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the walkthrough module with")
	}
	if testing.Short() {
		t.Skip("builds a separate module")
	}
	dir, err := filepath.Abs(filepath.Join("..", "examples", "walkthrough"))
	if err != nil {
		t.Fatal(err)
	}
	// The module's go.mod and go.sum are copied, and used through
	// -modfile, so that -mod=mod may complete a go.sum gone stale after a
	// change of the main module's requirements without writing to the
	// source tree. GOPROXY=off keeps the run offline: everything comes
	// from the module cache, which the main module's own (verified)
	// downloads filled, so GOSUMDB=off trusts nothing new.
	tmp := t.TempDir()
	for _, f := range [][2]string{{"go.mod", "walk.mod"}, {"go.sum", "walk.sum"}} {
		b, err := os.ReadFile(filepath.Join(dir, f[0]))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, f[1]), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "run", "-modfile="+filepath.Join(tmp, "walk.mod"), ".",
		"-server", srv.URL, "-admin-token", srv.Admin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOSUMDB=off",
		"NEARBY_SERVER=", "NEARBY_ADMIN_TOKEN=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run walkthrough: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	want := `merchant "Acme Coffee" created, API key issued: true
store "Acme Soho" at 51.5136,-0.1365 (Europe/London), mon 08:00-20:00
program "Acme Rewards" (wx-acme) at 1 store(s)
nearby: Acme Rewards at Acme Soho, 246 m; explain [distance fit_age fit_gender fit_os open popularity] sums to the score: true
beacon "till": identity allocated: true, agent token issued: true
shake: Acme Soho, open wx-acme/coupon (near), ticket issued: true
heartbeat: version 0.1.0, battery 97%
stats today: suppressed true, shake_pv shown false
bad input: 400 invalid: lat must be between -90 and 90; category is required
`
	if got := stdout.String(); got != want {
		t.Errorf("walkthrough output:\n%s\nwant:\n%s\nstderr:\n%s", got, want, &stderr)
	}
}
