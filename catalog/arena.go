package catalog

import (
	"encoding/binary"
	"unsafe"
)

// arena holds the catalog's variable-length bytes (the rendered briefs,
// the snapshots' strings, the folded texts) in large chunks that contain
// no pointers. The garbage collector marks a chunk in one step instead of
// scanning a million small objects, so a collection at a million stores
// takes milliseconds instead of seconds, and no per-record header or size
// class rounding is paid.
//
// Chunks are append-only: bytes once written never change, so strings
// that alias them (the snapshots handed to callers, the briefs of a page)
// stay valid for as long as anyone holds them; the collector keeps a chunk
// alive while one of its bytes is referenced. A replaced or deleted record
// leaves dead bytes behind; once they outweigh the live ones the catalog
// copies the live records into fresh chunks (Catalog.maybeCompact) and the
// old chunks are collected when nothing refers to them.
//
// A record is a uvarint length followed by its bytes; a ref names its
// first byte. Under the catalog's write lock for writes, read lock for
// reads.
type arena struct {
	chunks [][]byte
	live   int // bytes of the records not freed, headers included
	total  int // bytes of every record written
}

// ref is a record's place: chunk index << 32 | offset; 0 means none (the
// first byte of the first chunk is never used).
type ref uint64

const arenaChunk = 1 << 20

// put appends a record of payload p and returns its ref.
func (a *arena) put(p []byte) ref {
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(len(p)))
	need := h + len(p)
	a.reserve()
	last := len(a.chunks) - 1
	if cap(a.chunks[last])-len(a.chunks[last]) < need {
		a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, need)))
		last++
	}
	c := a.chunks[last]
	off := len(c)
	c = append(c, hdr[:h]...)
	c = append(c, p...)
	a.chunks[last] = c
	a.live += need
	a.total += need
	return ref(uint64(last)<<32 | uint64(off))
}

// reserve makes the first chunk, one byte that no record uses, so that
// ref 0 stays "none".
func (a *arena) reserve() {
	if len(a.chunks) == 0 {
		a.chunks = append(a.chunks, []byte{0})
	}
}

// get returns the payload of the record at r; nil for ref 0.
func (a *arena) get(r ref) []byte {
	if r == 0 {
		return nil
	}
	c := a.chunks[r>>32]
	off := int(uint32(r))
	n, h := binary.Uvarint(c[off:])
	start := off + h
	return c[start : start+int(n) : start+int(n)]
}

// touch loads the first cache lines of the record at r and returns a
// byte of each, which keeps the loads. It decodes nothing: its address
// does not wait for a load, so a loop of touches overlaps their misses.
func (a *arena) touch(r ref) int {
	c := a.chunks[r>>32]
	off := int(uint32(r))
	return int(c[off]) + int(c[min(off+textLine, len(c)-1)])
}

// textLine is how far into a record touch reaches: the folded text after
// the length fields, which a text query reads, may cross into the next
// line.
const textLine = 48

// free records that the record at r is no longer used.
func (a *arena) free(r ref) {
	if r == 0 {
		return
	}
	p := a.get(r)
	a.live -= len(p) + uvarintLen(uint64(len(p)))
}

// wasteful reports whether dead bytes outweigh live ones by enough that
// copying the live records pays.
func (a *arena) wasteful() bool {
	return a.total-a.live > max(a.live, 4*arenaChunk)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// str returns b as a string without copying; b's bytes must never be
// written again (arena bytes, or a buffer handed over).
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
