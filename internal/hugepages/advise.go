package hugepages

import (
	"context"
	"fmt"
	"strings"
)

// HugePageSize is the size of an x86-64 and arm64 transparent huge page.
const HugePageSize = 2 << 20

// DefaultMinBytes is the smallest mapping Advise considers by default:
// smaller ones hold little of the heap and would each take a huge page.
const DefaultMinBytes = 16 << 20

// collapseStep is how much one MADV_COLLAPSE call takes on.
const collapseStep = 64 << 20

// Options tunes Advise.
type Options struct {
	// MinBytes is the smallest mapping to advise; 0 means DefaultMinBytes.
	MinBytes uint64
	// NoCollapse only marks the mappings: memory already in place stays
	// in small pages until the kernel's khugepaged gets to it.
	NoCollapse bool
}

// Report says what Advise did.
type Report struct {
	// Mode is the kernel's setting: "always", "madvise", "never", or
	// "unsupported" where there are no transparent huge pages.
	Mode      string
	Mappings  int    // mappings advised
	Advised   uint64 // bytes advised, in whole huge pages
	Collapsed uint64 // bytes collapsed into huge pages now
	// CollapseErr is the first collapse failure (an old kernel, a mapping
	// that cannot be collapsed, or no free huge page); the mappings stay
	// advised.
	CollapseErr error
}

// candidates returns the huge-page-aligned parts of the anonymous
// read-write regions of at least minBytes.
func candidates(regs []Region, minBytes uint64) []Region {
	var out []Region
	for _, r := range regs {
		if !r.anonymousRW() || r.Len() < minBytes {
			continue
		}
		start := (r.Start + HugePageSize - 1) &^ (HugePageSize - 1)
		end := r.End &^ (HugePageSize - 1)
		if end > start {
			out = append(out, Region{Start: start, End: end, Perms: r.Perms})
		}
	}
	return out
}

// parseMode picks the bracketed choice of a transparent_hugepage/enabled
// file: "always [madvise] never" is "madvise".
func parseMode(s string) string {
	_, after, ok := strings.Cut(s, "[")
	if !ok {
		return ""
	}
	mode, _, ok := strings.Cut(after, "]")
	if !ok {
		return ""
	}
	return mode
}

// advise runs the madvise calls of Advise over regs through the given
// system calls, so that tests can see them.
func advise(ctx context.Context, regs []Region, o Options, sys system) (Report, error) {
	var rep Report
	minBytes := o.MinBytes
	if minBytes == 0 {
		minBytes = DefaultMinBytes
	}
	for _, r := range candidates(regs, minBytes) {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("hugepages: %w", err)
		}
		if err := sys.madvise(r.Start, r.Len(), adviceHugePage); err != nil {
			// A mapping may be gone since maps was read: skip it.
			continue
		}
		rep.Mappings++
		rep.Advised += r.Len()
		if o.NoCollapse {
			continue
		}
		// Collapsing copies the memory: in steps, so that cancelling
		// takes effect within one and the process's page faults are not
		// held up behind a gigabyte. Some mappings cannot be collapsed (the
		// binary's bss gives EINVAL) while the heap can: a failure does not
		// stop the others.
		for at := r.Start; at < r.End; at += collapseStep {
			if err := ctx.Err(); err != nil {
				return rep, fmt.Errorf("hugepages: %w", err)
			}
			n := min(collapseStep, r.End-at)
			if err := sys.madvise(at, n, adviceCollapse); err != nil {
				if rep.CollapseErr == nil {
					rep.CollapseErr = fmt.Errorf("hugepages: collapse %#x-%#x: %w", at, at+n, err)
				}
				continue
			}
			rep.Collapsed += n
		}
	}
	return rep, nil
}

// system is the kernel interface Advise uses.
type system interface {
	madvise(addr, length uint64, advice int) error
}

// The madvise advice values of Linux (include/uapi/asm-generic/mman-common.h).
const (
	adviceHugePage = 14 // MADV_HUGEPAGE
	adviceCollapse = 25 // MADV_COLLAPSE
)
