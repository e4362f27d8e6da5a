package buildinfo_test

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby/buildinfo"
)

func TestFrom(t *testing.T) {
	const rev = "ee894c0c2f1d4b5a6978a1b2c3d4e5f601234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-compiler", Value: "gc"},
			{Key: "CGO_ENABLED", Value: "0"},
			{Key: "GOARCH", Value: "arm"},
			{Key: "GOARM", Value: "6"},
			{Key: "GOOS", Value: "linux"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-12-04T18:24:57Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"WorkTree", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.0.0-20261204182457-ee894c0c2f1d"}, Settings: vcs("false")},
			"beacon-agent v0.0.0-20261204182457-ee894c0c2f1d revision " + rev + " (2026-12-04T18:24:57Z) go1.26.0 linux/arm v6"},
		{"Dirty", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")},
			"beacon-agent (devel) revision " + rev + "-dirty (2026-12-04T18:24:57Z) go1.26.0 linux/arm v6"},
		// go install module@v1.2.3 builds from the module cache: a version, no VCS.
		{"Release", debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "GOARCH", Value: "amd64"}, {Key: "GOOS", Value: "linux"}}},
			"beacon-agent v1.2.3 revision unknown go1.26.1 linux/amd64"},
		// A test binary, or -buildvcs=false.
		{"Unknown", debug.BuildInfo{GoVersion: "go1.26.0"}, "beacon-agent unknown revision unknown go1.26.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildinfo.From(&tt.bi).Line("beacon-agent"); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFrom_Fields(t *testing.T) {
	bi := debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.0.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := buildinfo.From(&bi)
	want := buildinfo.Info{Version: "v1.0.0", Revision: "abc", Time: "2026-01-02T03:04:05Z", Modified: true, GoVersion: "go1.26.0"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestRead(t *testing.T) {
	got := buildinfo.Read()
	if got.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want the running %q", got.GoVersion, runtime.Version())
	}
	if line := got.Line("x"); !strings.HasPrefix(line, "x ") || !strings.Contains(line, runtime.Version()) {
		t.Errorf("Line = %q, want the program's name and Go version", line)
	}
}
