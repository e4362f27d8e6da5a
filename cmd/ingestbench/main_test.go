package main

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"
)

func TestNewBatch(t *testing.T) {
	now := time.Now()
	evs := newBatch(100, now)
	seen := make(map[string]bool)
	for i, e := range evs {
		if err := e.Validate(now); err != nil {
			t.Errorf("event %d invalid: %v", i, err)
		}
		if seen[e.ID] {
			t.Errorf("event %d: id %s repeated", i, e.ID)
		}
		seen[e.ID] = true
	}
}

func TestBoltLoad(t *testing.T) {
	for _, group := range []bool{false, true} {
		r, err := boltLoad(t.Context(), filepath.Join(t.TempDir(), "raw.db"), 2, 10, 50*time.Millisecond, group)
		if err != nil {
			t.Fatal(err)
		}
		if r.events == 0 || r.events%10 != 0 || r.rate() <= 0 {
			t.Errorf("group %v: got %+v, want whole batches written", group, r)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}} {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v): got %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestRun_Usage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--agents", "1,x", "--discoveryd", "d"}, &out, &errb); code != 2 {
		t.Errorf("bad --agents: got exit %d, want 2", code)
	}
	if code := run(t.Context(), nil, &out, &errb); code != 2 {
		t.Errorf("neither --server nor --discoveryd: got exit %d, want 2", code)
	}
}
