// Package idtable holds records by uint64 id in dense chunks indexed by
// id, for ids that are mostly sequence numbers (storage ids): a lookup is
// arithmetic and one access to the record, where a map would be a hash
// probe and more memory. Ids far beyond the dense range go to a map. The
// catalog keeps its store and program rows in tables, the geo index its
// points.
package idtable

import "math/bits"

// Table holds records of type T by id. Most records live in dense chunks
// indexed by id: a lookup is arithmetic and one access to the record
// itself, instead of a hash probe or a pointer load that would be one more
// cache miss per record a query visits. Ids far beyond the dense range
// (where more than half of it would be holes) live in a map. For a T
// without pointers a chunk is one object the garbage collector does not
// scan. The zero Table is empty and ready.
//
// Records never move once placed, except that a sparse record moves into a
// chunk when the dense range grows over it. A Table is not safe for
// concurrent writes: its users write under their write lock and read
// under their read lock, so no reader holds a record across a move. A T
// with atomic fields implements Mover, and must not be copied otherwise.
type Table[T any] struct {
	chunks []*chunk[T] // chunk c holds ids c<<chunkBits ...; nil until used
	sparse map[uint64]*T
	n      int
}

type chunk[T any] struct {
	recs [chunkLen]T
	live [chunkLen / 64]uint64 // bit per record: present
}

const (
	chunkBits = 12
	chunkLen  = 1 << chunkBits
	// denseSlack is how far past twice the record count the dense range
	// may reach: small catalogs with scattered ids still use it.
	denseSlack = 1 << 16
)

// At returns the record of an id known to exist, as every id the geo index
// returns is: no presence check, which would read another cache line.
func (t *Table[T]) At(id uint64) *T {
	if c := id >> chunkBits; c < uint64(len(t.chunks)) {
		if ch := t.chunks[c]; ch != nil {
			return &ch.recs[id&(chunkLen-1)]
		}
		return nil
	}
	return t.sparse[id]
}

// Get returns the record of id, or nil.
func (t *Table[T]) Get(id uint64) *T {
	if c := id >> chunkBits; c < uint64(len(t.chunks)) {
		ch := t.chunks[c]
		if ch == nil {
			return nil
		}
		i := id & (chunkLen - 1)
		if ch.live[i/64]&(1<<(i%64)) == 0 {
			return nil
		}
		return &ch.recs[i]
	}
	return t.sparse[id]
}

// Len returns the number of records.
func (t *Table[T]) Len() int { return t.n }

// Add returns the record of id, making a zero one if there is none.
func (t *Table[T]) Add(id uint64) *T {
	if r := t.Get(id); r != nil {
		return r
	}
	t.n++
	if id>>chunkBits >= uint64(len(t.chunks)) && id < uint64(2*t.n+denseSlack) {
		t.grow(id)
	}
	if id>>chunkBits < uint64(len(t.chunks)) {
		return t.place(id)
	}
	if t.sparse == nil {
		t.sparse = make(map[uint64]*T)
	}
	r := new(T)
	t.sparse[id] = r
	return r
}

// place marks id's slot in the dense range live, making its chunk if
// needed, and returns it.
func (t *Table[T]) place(id uint64) *T {
	ch := t.chunks[id>>chunkBits]
	if ch == nil {
		ch = new(chunk[T])
		t.chunks[id>>chunkBits] = ch
	}
	i := id & (chunkLen - 1)
	ch.live[i/64] |= 1 << (i % 64)
	return &ch.recs[i]
}

// grow extends the dense range past id and moves the sparse records it
// now covers into chunks, with move (which copies atomic fields safely).
func (t *Table[T]) grow(id uint64) {
	n := max(int(id>>chunkBits)+1, 2*len(t.chunks))
	chunks := make([]*chunk[T], n)
	copy(chunks, t.chunks)
	t.chunks = chunks
	for sid, r := range t.sparse {
		if sid>>chunkBits < uint64(n) {
			moveRec(t.place(sid), r)
			delete(t.sparse, sid)
		}
	}
}

// Delete drops id's record, zeroing it.
func (t *Table[T]) Delete(id uint64) {
	r := t.Get(id)
	if r == nil {
		return
	}
	t.n--
	if c := id >> chunkBits; c < uint64(len(t.chunks)) {
		i := id & (chunkLen - 1)
		ch := t.chunks[c]
		ch.live[i/64] &^= 1 << (i % 64)
		var zero T
		moveRec(&ch.recs[i], &zero)
		return
	}
	delete(t.sparse, id)
}

// Each calls fn with every record, in no particular order.
func (t *Table[T]) Each(fn func(id uint64, r *T)) {
	for c, ch := range t.chunks {
		if ch == nil {
			continue
		}
		for w, word := range ch.live {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &^= 1 << b
				i := uint64(w)*64 + uint64(b)
				fn(uint64(c)<<chunkBits|i, &ch.recs[i])
			}
		}
	}
	for id, r := range t.sparse {
		fn(id, r)
	}
}

// Mover is implemented by a record type with atomic fields, which a plain
// assignment would copy unsafely: the table moves such records with
// MoveFrom.
type Mover[T any] interface {
	MoveFrom(src *T)
}

// Dense reports whether id's slot is in the dense range (else a record of
// id lives in the map).
func (t *Table[T]) Dense(id uint64) bool { return id>>chunkBits < uint64(len(t.chunks)) }

func moveRec[T any](dst, src *T) {
	if m, ok := any(dst).(Mover[T]); ok {
		m.MoveFrom(src)
		return
	}
	*dst = *src
}
