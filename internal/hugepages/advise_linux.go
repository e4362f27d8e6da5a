package hugepages

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Advise marks the process's anonymous read-write mappings of at least
// o.MinBytes for transparent huge pages and, unless o.NoCollapse, collapses
// them now. It does nothing when the kernel's mode is "always" (the heap
// has them already) or "never" (the operator said no).
func Advise(ctx context.Context, o Options) (Report, error) {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return Report{Mode: "unsupported"}, nil // no THP in this kernel
	}
	mode := parseMode(strings.TrimSpace(string(b)))
	if mode != "madvise" {
		return Report{Mode: mode}, nil
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return Report{Mode: mode}, fmt.Errorf("hugepages: %w", err)
	}
	regs, err := ParseMaps(f)
	f.Close()
	if err != nil {
		return Report{Mode: mode}, err
	}
	rep, err := advise(ctx, regs, o, linuxSystem{})
	rep.Mode = mode
	return rep, err
}

type linuxSystem struct{}

func (linuxSystem) madvise(addr, length uint64, advice int) error {
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(addr), uintptr(length), uintptr(advice))
	if errno != 0 {
		return errno
	}
	return nil
}
