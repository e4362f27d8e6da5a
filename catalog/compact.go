package catalog

import "github.com/nearby-dev/nearby"

// The snapshots a page returns are read by the encoder right away: their
// strings, and the renderer's brief when there is one, packed into one
// allocation cost one cache miss instead of one per string. Substrings of
// one string share its bytes, so no unsafe is needed.

// Renderer renders what a nearby answer says of a store and of a program
// (the api's JSON objects). With one, the catalog renders each record once,
// when it is put, and returns the bytes with every result: the encoder of a
// page then copies forty short runs instead of reading each snapshot's
// fields, a cache miss each at a million stores, and escaping them again.
// It must be a pure function of the record: the catalog renders again only
// when the record changes.
type Renderer interface {
	AppendStore(dst []byte, s *nearby.Store) []byte
	AppendProgram(dst []byte, p *nearby.Program) []byte
}

// compactStore returns a shallow copy of s whose strings share one
// allocation, in the order an encoder reads them, with r's brief of s
// ("" when r is nil) at its head. buf is scratch space, returned for reuse.
func compactStore(s *nearby.Store, r Renderer, buf []byte) (*nearby.Store, string, []byte) {
	cp := *s
	buf = buf[:0]
	if r != nil {
		buf = r.AppendStore(buf, &cp)
	}
	parts := [...]*string{&cp.Name, &cp.Address, &cp.Category, &cp.Timezone}
	brief, buf := pack(buf, parts[:])
	return &cp, brief, buf
}

// compactProgram is compactStore for a program; the description, long and
// not served by nearby, keeps its own allocation.
func compactProgram(p *nearby.Program, r Renderer, buf []byte) (*nearby.Program, string, []byte) {
	cp := *p
	buf = buf[:0]
	if r != nil {
		buf = r.AppendProgram(buf, &cp)
	}
	parts := [...]*string{&cp.AppID, &cp.Name, &cp.Category, &cp.IconURL}
	brief, buf := pack(buf, parts[:])
	return &cp, brief, buf
}

// pack makes the parts substrings of one new string that starts with the
// bytes already in buf, and returns those bytes as a string and buf for
// reuse.
func pack(buf []byte, parts []*string) (string, []byte) {
	n := len(buf)
	for _, s := range parts {
		buf = append(buf, *s...)
	}
	if len(buf) == 0 {
		return "", buf
	}
	all := string(buf)
	off := n
	for _, s := range parts {
		l := len(*s)
		*s = all[off : off+l]
		off += l
	}
	return all[:n], buf[:0]
}
