// Package buildinfo says which build of a program is running: the main
// module's version, the VCS revision and the Go toolchain, as the go
// command embedded them in the binary. It imports only the standard
// library, so that discoveryd and beacon-agent print their --version the
// same way without pulling the daemon's dependencies into the agent.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Unknown stands for a part of the build the binary does not know (a test
// binary, or one built with -buildvcs=false).
const Unknown = "unknown"

// Info is what a binary knows of its own build.
type Info struct {
	Version   string // the main module's version: "v1.2.3", a pseudo-version, or "(devel)"
	Revision  string // vcs.revision, the commit built; "" when not stamped
	Time      string // vcs.time, the commit's time (RFC 3339)
	Modified  bool   // vcs.modified: the work tree had uncommitted changes
	GoVersion string // the toolchain, e.g. "go1.26.0"
	Platform  string // GOOS/GOARCH (with GOARM, e.g. "linux/arm v6") when recorded
}

// Read returns the running binary's Info.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{GoVersion: runtime.Version()}
	}
	return From(bi)
}

// From picks the Info out of bi.
func From(bi *debug.BuildInfo) Info {
	i := Info{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	var goos, goarch, goarm string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		case "GOARM":
			goarm = s.Value
		}
	}
	if goos != "" && goarch != "" {
		i.Platform = goos + "/" + goarch
		if goarm != "" {
			i.Platform += " v" + goarm
		}
	}
	return i
}

// String is the --version text after the program's name, e.g.
// "v1.2.3 revision 0123abcd…-dirty (2026-12-04T18:00:00Z) go1.26.0 linux/arm v6".
func (i Info) String() string {
	var b strings.Builder
	b.WriteString(orUnknown(i.Version))
	b.WriteString(" revision ")
	b.WriteString(orUnknown(i.Revision))
	if i.Modified {
		b.WriteString("-dirty")
	}
	if i.Time != "" {
		b.WriteString(" (" + i.Time + ")")
	}
	b.WriteString(" " + orUnknown(i.GoVersion))
	if i.Platform != "" {
		b.WriteString(" " + i.Platform)
	}
	return b.String()
}

// Line is the whole --version line of program, without a line end.
func (i Info) Line(program string) string { return program + " " + i.String() }

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}
