package hugepages

import (
	"os"
	"strings"
	"testing"
)

func TestParseMaps(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Region
		wantErr string
	}{
		{"anonymous with trailing space", "7fb3fb61f000-7fb3fb622000 rw-p 00000000 00:00 0 \n",
			[]Region{{Start: 0x7fb3fb61f000, End: 0x7fb3fb622000, Perms: "rw-p"}}, ""},
		{"anonymous without trailing space", "c000000000-c004000000 rw-p 00000000 00:00 0",
			[]Region{{Start: 0xc000000000, End: 0xc004000000, Perms: "rw-p"}}, ""},
		{"path with spaces", "5604d15a9000-5604d15ab000 r--p 00000000 fe:00 247278     /tmp/a b (deleted)\n",
			[]Region{{Start: 0x5604d15a9000, End: 0x5604d15ab000, Perms: "r--p", Path: "/tmp/a b (deleted)"}}, ""},
		{"pseudo path", "56050d541000-56050d562000 rw-p 00000000 00:00 0                          [heap]\n",
			[]Region{{Start: 0x56050d541000, End: 0x56050d562000, Perms: "rw-p", Path: "[heap]"}}, ""},
		{"blank lines", "\n\n", nil, ""},
		{"too few fields", "7f00-7f10 rw-p 0 00:00\n", nil, "line 1"},
		{"no dash", "7f00 rw-p 00000000 00:00 0\n", nil, "address range"},
		{"bad hex", "7fzz-7f10 rw-p 00000000 00:00 0\n", nil, "start address"},
		{"end before start", "7f10-7f00 rw-p 00000000 00:00 0\n", nil, "end address"},
		{"bad perms", "7f00-7f10 rw 00000000 00:00 0\n", nil, "permissions"},
		{"second line bad", "7f00-7f10 rw-p 00000000 00:00 0\nxx\n", nil, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMaps(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMaps error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("region %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestParseMaps_Discoveryd reads the maps of a discoveryd serving a million
// stores: the Go heap is its one large anonymous mapping.
func TestParseMaps_Discoveryd(t *testing.T) {
	f, err := os.Open("testdata/discoveryd.maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	regs, err := ParseMaps(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(regs), 92; got != want {
		t.Errorf("%d regions, want %d", got, want)
	}
	c := candidates(regs, 1<<30)
	if len(c) != 1 {
		t.Fatalf("candidates of 1 GiB or more: %+v, want the heap alone", c)
	}
	if c[0].Start != 0x1238ec000000 || c[0].End != 0x1239d0800000 {
		t.Errorf("heap candidate %#x-%#x, want 0x1238ec000000-0x1239d0800000", c[0].Start, c[0].End)
	}
}

func FuzzParseMaps(f *testing.F) {
	f.Add("7fb3fb61f000-7fb3fb622000 rw-p 00000000 00:00 0 \n")
	f.Add("5604d15a9000-5604d15ab000 r--p 00000000 fe:00 247278     /usr/bin/head\n")
	f.Add("ffffffffffffffff-ffffffffffffffff ---p 0 0 0")
	f.Fuzz(func(t *testing.T, in string) {
		regs, err := ParseMaps(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range regs {
			if r.End < r.Start || len(r.Perms) != 4 {
				t.Fatalf("accepted %+v from %q", r, in)
			}
		}
		for _, c := range candidates(regs, 1) {
			if c.Start%HugePageSize != 0 || c.End%HugePageSize != 0 || c.End <= c.Start {
				t.Fatalf("candidate %+v not aligned from %q", c, in)
			}
		}
	})
}
