// Package depstest checks a program's import graph from its deps test: the
// packages it must link (so the list is what the test thinks it is) and the
// ones it must not (h3 and echo out of the agent, the radio out of the
// daemon).
package depstest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Check lists the dependencies of the package in the current directory
// under env (e.g. "GOOS=linux"), fails for each of want that is missing and
// for each dependency that is, or is below, one of forbidden. It skips
// when there is no go command.
func Check(t *testing.T, program string, env, want, forbidden []string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goBin, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := make(map[string]bool)
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	for _, w := range want {
		if !deps[w] {
			t.Errorf("%s is not a dependency of %s under %v", w, program, env)
		}
	}
	for dep := range deps {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("%s depends on %s", program, dep)
			}
		}
	}
}
