package hugepages

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Region is one mapping of /proc/PID/maps.
type Region struct {
	Start, End uint64 // [Start, End)
	Perms      string // e.g. "rw-p"
	Path       string // "" for an anonymous mapping
}

// Len returns the size of the region in bytes.
func (r Region) Len() uint64 { return r.End - r.Start }

// anonymousRW reports whether r is private, readable and writable memory
// backed by no file: the heap, goroutine stacks and runtime metadata.
func (r Region) anonymousRW() bool {
	return r.Path == "" && r.Perms == "rw-p"
}

// ParseMaps reads the lines of /proc/PID/maps:
//
//	7f0000000000-7f0000200000 rw-p 00000000 00:00 0          [path]
//
// It rejects a malformed line with its number rather than guessing.
func ParseMaps(r io.Reader) ([]Region, error) {
	var out []Region
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20) // a path may be long
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		reg, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("hugepages: maps line %d: %w", n, err)
		}
		out = append(out, reg)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("hugepages: maps: %w", err)
	}
	return out, nil
}

func parseLine(line string) (Region, error) {
	// Five fields, then the path, which may hold spaces.
	var f [5]string
	rest := line
	for i := range f {
		rest = strings.TrimLeft(rest, " ")
		var ok bool
		f[i], rest, ok = strings.Cut(rest, " ")
		if f[i] == "" || (!ok && i < len(f)-1) {
			return Region{}, fmt.Errorf("want at least 5 fields in %q", line)
		}
	}
	lo, hi, ok := strings.Cut(f[0], "-")
	if !ok {
		return Region{}, fmt.Errorf("address range %q", f[0])
	}
	start, err := strconv.ParseUint(lo, 16, 64)
	if err != nil {
		return Region{}, fmt.Errorf("start address %q", lo)
	}
	end, err := strconv.ParseUint(hi, 16, 64)
	if err != nil || end < start {
		return Region{}, fmt.Errorf("end address %q", hi)
	}
	if len(f[1]) != 4 {
		return Region{}, fmt.Errorf("permissions %q", f[1])
	}
	return Region{Start: start, End: end, Perms: f[1], Path: strings.TrimLeft(rest, " ")}, nil
}
