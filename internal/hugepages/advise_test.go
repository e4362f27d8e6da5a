package hugepages

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
)

func TestCandidates(t *testing.T) {
	const M = 1 << 20
	regs := []Region{
		{Start: 1 * M, End: 40 * M, Perms: "rw-p"},                    // aligned to 2..40
		{Start: 64 * M, End: 70 * M, Perms: "rw-p"},                   // too small
		{Start: 100 * M, End: 200 * M, Perms: "r--p"},                 // read-only
		{Start: 300 * M, End: 400 * M, Perms: "rw-p", Path: "/f"},     // a file
		{Start: 500 * M, End: 600 * M, Perms: "rw-s"},                 // shared
		{Start: 1001 * M, End: 1019*M + 5, Perms: "rw-p"},             // 1002..1018
		{Start: 2049 * M, End: 2049*M + 16*M, Perms: "rw-p"},          // 2050..2064
		{Start: 4097 * M, End: 4097*M + 3*M, Perms: "rw-p", Path: ""}, // small, under minBytes
	}
	got := candidates(regs, 16*M)
	want := []Region{
		{Start: 2 * M, End: 40 * M, Perms: "rw-p"},
		{Start: 1002 * M, End: 1018 * M, Perms: "rw-p"},
		{Start: 2050 * M, End: 2064 * M, Perms: "rw-p"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("candidates = %v, want %v", got, want)
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"always [madvise] never", "madvise"},
		{"[always] madvise never", "always"},
		{"always madvise [never]", "never"},
		{"", ""},
		{"always [madvise", ""},
	}
	for _, tt := range tests {
		if got := parseMode(tt.in); got != tt.want {
			t.Errorf("parseMode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fakeSystem records madvise calls and fails those listed.
type fakeSystem struct {
	calls []string
	fail  map[string]error // "advice@start" -> error
}

func (f *fakeSystem) madvise(addr, length uint64, advice int) error {
	k := fmt.Sprintf("%d@%#x", advice, addr)
	f.calls = append(f.calls, fmt.Sprintf("%s+%#x", k, length))
	return f.fail[k]
}

func TestAdvise(t *testing.T) {
	const M = 1 << 20
	regs := []Region{
		{Start: 0, End: 32 * M, Perms: "rw-p"},
		{Start: 64 * M, End: 96 * M, Perms: "rw-p"},
		{Start: 128 * M, End: 160 * M, Perms: "rw-p"},
	}
	tests := []struct {
		name      string
		opts      Options
		fail      map[string]error
		wantCalls string
		want      Report
		wantErr   bool
	}{
		{"all", Options{}, nil,
			"[14@0x0+0x2000000 25@0x0+0x2000000 14@0x4000000+0x2000000 25@0x4000000+0x2000000 14@0x8000000+0x2000000 25@0x8000000+0x2000000]",
			Report{Mappings: 3, Advised: 96 * M, Collapsed: 96 * M}, false},
		{"no collapse", Options{NoCollapse: true}, nil,
			"[14@0x0+0x2000000 14@0x4000000+0x2000000 14@0x8000000+0x2000000]",
			Report{Mappings: 3, Advised: 96 * M}, false},
		{"a mapping gone", Options{}, map[string]error{"14@0x4000000": syscall.ENOMEM},
			"[14@0x0+0x2000000 25@0x0+0x2000000 14@0x4000000+0x2000000 14@0x8000000+0x2000000 25@0x8000000+0x2000000]",
			Report{Mappings: 2, Advised: 64 * M, Collapsed: 64 * M}, false},
		{"one collapse fails", Options{}, map[string]error{"25@0x0": syscall.EINVAL},
			"[14@0x0+0x2000000 25@0x0+0x2000000 14@0x4000000+0x2000000 25@0x4000000+0x2000000 14@0x8000000+0x2000000 25@0x8000000+0x2000000]",
			Report{Mappings: 3, Advised: 96 * M, Collapsed: 64 * M}, false},
		{"min bytes above all", Options{MinBytes: 64 * M}, nil, "[]", Report{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := &fakeSystem{fail: tt.fail}
			got, err := advise(context.Background(), regs, tt.opts, sys)
			if (err != nil) != tt.wantErr {
				t.Fatalf("advise error = %v", err)
			}
			if calls := fmt.Sprint(sys.calls); calls != tt.wantCalls {
				t.Errorf("calls %s, want %s", calls, tt.wantCalls)
			}
			wantCollapseErr := tt.fail["25@0x0"] != nil
			if (got.CollapseErr != nil) != wantCollapseErr || (wantCollapseErr && !errors.Is(got.CollapseErr, syscall.EINVAL)) {
				t.Errorf("CollapseErr = %v", got.CollapseErr)
			}
			got.CollapseErr = nil
			if got != tt.want {
				t.Errorf("report %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("large mapping in steps", func(t *testing.T) {
		sys := &fakeSystem{fail: map[string]error{"25@0x4000000": syscall.EAGAIN}}
		big := []Region{{Start: 0, End: 160 * M, Perms: "rw-p"}}
		got, err := advise(context.Background(), big, Options{}, sys)
		if err != nil {
			t.Fatal(err)
		}
		want := "[14@0x0+0xa000000 25@0x0+0x4000000 25@0x4000000+0x4000000 25@0x8000000+0x2000000]"
		if calls := fmt.Sprint(sys.calls); calls != want {
			t.Errorf("calls %s, want %s", calls, want)
		}
		if got.Advised != 160*M || got.Collapsed != 96*M || !errors.Is(got.CollapseErr, syscall.EAGAIN) {
			t.Errorf("report %+v, want 160 MiB advised, 96 MiB collapsed, EAGAIN", got)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		sys := &fakeSystem{}
		if _, err := advise(ctx, regs, Options{}, sys); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if len(sys.calls) != 0 {
			t.Errorf("calls after cancel: %v", sys.calls)
		}
	})
}
