package catalog

import (
	"testing"
	"unsafe"
)

func TestStoreRec_Layout(t *testing.T) {
	var r storeRec
	if got := unsafe.Sizeof(r); got != 128 {
		t.Errorf("storeRec is %d bytes, want 128 (a size class aligned to cache lines)", got)
	}
	if end := unsafe.Offsetof(r.sched) + unsafe.Sizeof(r.sched); end > 64 {
		t.Errorf("what visit reads ends at byte %d, want within the first cache line", end)
	}
}
