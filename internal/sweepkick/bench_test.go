package sweepkick

import (
	"runtime"
	"testing"
)

// BenchmarkKick is the cost of one kick (a stop-the-world) on a heap of
// many small objects.
func BenchmarkKick(b *testing.B) {
	keep := make([][]byte, 1<<20)
	for i := range keep {
		keep[i] = make([]byte, 48)
	}
	k := New()
	b.ResetTimer()
	for range b.N {
		k.kick()
	}
	runtime.KeepAlive(keep)
}

// BenchmarkStep is the cost of a step between cycles: one metric read.
func BenchmarkStep(b *testing.B) {
	k := New()
	for range b.N {
		k.allocs()
	}
}
