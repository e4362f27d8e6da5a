package hugepages

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestAdvise_Linux advises a freshly touched 64 MiB buffer of this process
// and, where the kernel collapses it, checks that the process now holds
// anonymous huge pages.
func TestAdvise_Linux(t *testing.T) {
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	rep, err := Advise(context.Background(), Options{MinBytes: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mode %s: %+v", rep.Mode, rep)
	if rep.Mode != "madvise" {
		t.Skipf("transparent huge pages are %q here: nothing to advise", rep.Mode)
	}
	if rep.Mappings == 0 || rep.Advised < 32<<20 {
		t.Fatalf("advised %d bytes in %d mappings, want the 64 MiB buffer's mapping", rep.Advised, rep.Mappings)
	}
	if rep.Collapsed == 0 {
		t.Skipf("the kernel collapsed nothing (%v): cannot check the result", rep.CollapseErr)
	}
	if got := anonHugeBytes(t); got < 2<<20 {
		t.Errorf("AnonHugePages = %d bytes after collapsing %d, want at least one huge page", got, rep.Collapsed)
	}
	buf[0]++ // keep buf alive until here
}

func anonHugeBytes(t *testing.T) uint64 {
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		t.Skipf("no smaps_rollup: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "AnonHugePages:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no AnonHugePages line in smaps_rollup")
	return 0
}
