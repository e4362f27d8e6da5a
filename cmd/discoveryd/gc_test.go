package main

import (
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestServingGCPercent(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"default", nil, nil, DefaultGCPercent},
		{"flag", []string{"--gc-percent", "150"}, nil, 150},
		{"env of the flag", nil, map[string]string{"DISCOVERYD_GC_PERCENT": "250"}, 250},
		{"zero leaves the runtime alone", []string{"--gc-percent", "0"}, nil, 0},
		{"GOGC wins over the default", nil, map[string]string{"GOGC": "100"}, 0},
		{"GOGC wins over the flag", []string{"--gc-percent", "800"}, map[string]string{"GOGC": "off"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			c, err := ParseConfig(tt.args, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got := servingGCPercent(&c, getenv); got != tt.want {
				t.Errorf("servingGCPercent = %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("negative refused", func(t *testing.T) {
		if _, err := ParseConfig([]string{"--gc-percent", "-1"}, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("--gc-percent -1 accepted")
		}
	})
}

// TestMain_LoadGC: loading runs with the collector off under a memory
// limit, and leaves the limit as it found it and GOGC at the serving value.
func TestMain_LoadGC(t *testing.T) {
	if physicalMemory() == 0 && runtime.GOOS == "linux" {
		t.Fatal("physicalMemory is 0 on Linux: the load would fall back to GOGC 400")
	}
	before := debug.SetMemoryLimit(-1)
	prevGC := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prevGC)
	MustRunMain(t, t.TempDir())
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit after load %d, want %d as before", got, before)
	}
	want := DefaultGCPercent
	if os.Getenv("GOGC") != "" {
		want = 100
	}
	if got := debug.SetGCPercent(prevGC); got != want {
		t.Errorf("GOGC after load %d, want %d", got, want)
	}
}
