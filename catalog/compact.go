package catalog

import "github.com/nearby-dev/nearby"

// The snapshots a page returns are read by the encoder right away: their
// strings packed into one allocation cost one cache miss instead of one per
// string. Substrings of one string share its bytes, so no unsafe is needed.

// compactStore returns a shallow copy of s whose strings share one
// allocation, in the order an encoder reads them.
func compactStore(s *nearby.Store) *nearby.Store {
	cp := *s
	parts := [...]*string{&cp.Name, &cp.Address, &cp.Category, &cp.Timezone}
	pack(parts[:])
	return &cp
}

// compactProgram is compactStore for a program; the description, long and
// not served by nearby, keeps its own allocation.
func compactProgram(p *nearby.Program) *nearby.Program {
	cp := *p
	parts := [...]*string{&cp.AppID, &cp.Name, &cp.Category, &cp.IconURL}
	pack(parts[:])
	return &cp
}

func pack(parts []*string) {
	n := 0
	for _, s := range parts {
		n += len(*s)
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n)
	for _, s := range parts {
		buf = append(buf, *s...)
	}
	all := string(buf)
	off := 0
	for _, s := range parts {
		l := len(*s)
		*s = all[off : off+l]
		off += l
	}
}
