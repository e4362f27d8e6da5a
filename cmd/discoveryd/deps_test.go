package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the radio out of the daemon: discoveryd speaks about
// beacons only through the nearby vocabulary (nearby.UUID, nearby.Identity,
// nearby.EstimateDistance), so neither the ble package nor the HCI code of
// paypal/gatt it links on Linux may reach its binary.
func TestDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goBin, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=linux")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := make(map[string]bool)
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	// The daemon's own dependencies must be there, or the list is not what
	// this test thinks it is.
	for _, want := range []string{
		"github.com/nearby-dev/nearby",
		"github.com/nearby-dev/nearby/store",
		"github.com/nearby-dev/nearby/catalog",
		"go.etcd.io/bbolt",
	} {
		if !deps[want] {
			t.Errorf("%s is not a dependency of discoveryd for linux", want)
		}
	}
	forbidden := []string{
		"github.com/paypal/gatt",
		"github.com/nearby-dev/nearby/ble",
		"github.com/nearby-dev/nearby/agent",
	}
	for dep := range deps {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("discoveryd depends on %s", dep)
			}
		}
	}
}
