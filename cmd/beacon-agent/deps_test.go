package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the agent lean for a Raspberry Pi Zero (ARMv6, no cgo):
// none of the daemon's heavy or cgo dependencies may reach its binary.
func TestDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goBin, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm", "GOARM=6")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := make(map[string]bool)
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	// The agent's own dependencies must be there, or the list is not what
	// this test thinks it is.
	for _, want := range []string{
		"github.com/nearby-dev/nearby/agent",
		"github.com/nearby-dev/nearby/ble",
		"github.com/nearby-dev/nearby/client",
		"go.etcd.io/bbolt",
		"github.com/paypal/gatt",
	} {
		if !deps[want] {
			t.Errorf("%s is not a dependency of beacon-agent for linux/arm", want)
		}
	}
	forbidden := []string{
		"github.com/uber/h3-go",
		"github.com/labstack/echo",
		"github.com/prometheus/client_golang",
		"github.com/nearby-dev/nearby/geo",
		"github.com/nearby-dev/nearby/api",
		"github.com/nearby-dev/nearby/store",
		"github.com/nearby-dev/nearby/catalog",
		"github.com/nearby-dev/nearby/ranking",
		"github.com/nearby-dev/nearby/importer",
	}
	for dep := range deps {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("beacon-agent depends on %s", dep)
			}
		}
	}
}
