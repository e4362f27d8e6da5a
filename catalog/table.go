package catalog

// storeTable holds the store records by id. Storage ids are sequence
// numbers, so most records live in dense chunks indexed by id: a lookup
// is arithmetic and one access to the record itself, instead of a hash probe
// or a pointer load that would be one more cache miss per store a query
// visits. Ids far beyond the dense range (where more than half of it would
// be holes) live in a map. Records never move once placed, except that a
// sparse record moves into a chunk when the dense range grows over it;
// writers hold the catalog's write lock and readers its read lock, so no
// reader holds a record across that.
type storeTable struct {
	chunks [][]storeRec // chunk c holds ids c<<chunkBits ...; nil until used
	sparse map[uint64]*storeRec
	n      int
}

const (
	chunkBits = 12
	chunkLen  = 1 << chunkBits
	// denseSlack is how far past twice the store count the dense range may
	// reach: small catalogs with scattered ids still use it.
	denseSlack = 1 << 16
)

// at returns the record of a store known to exist, as every id the geo
// index returns is: no presence check, which would read a second cache
// line.
func (t *storeTable) at(id uint64) *storeRec {
	if c := id >> chunkBits; c < uint64(len(t.chunks)) {
		return &t.chunks[c][id&(chunkLen-1)]
	}
	return t.sparse[id]
}

// get returns the record of id, or nil.
func (t *storeTable) get(id uint64) *storeRec {
	if c := id >> chunkBits; c < uint64(len(t.chunks)) {
		if t.chunks[c] == nil {
			return nil
		}
		if r := &t.chunks[c][id&(chunkLen-1)]; r.s != nil {
			return r
		}
		return nil
	}
	return t.sparse[id]
}

func (t *storeTable) len() int { return t.n }

// add returns the record of id, making an empty one if there is none. The
// caller sets its snapshot (s) before releasing the write lock: a record
// without one counts as absent.
func (t *storeTable) add(id uint64) *storeRec {
	if r := t.get(id); r != nil {
		return r
	}
	t.n++
	if id>>chunkBits >= uint64(len(t.chunks)) && id < uint64(2*t.n+denseSlack) {
		t.grow(id)
	}
	if c := id >> chunkBits; c < uint64(len(t.chunks)) {
		if t.chunks[c] == nil {
			t.chunks[c] = make([]storeRec, chunkLen)
		}
		return &t.chunks[c][id&(chunkLen-1)]
	}
	if t.sparse == nil {
		t.sparse = make(map[uint64]*storeRec)
	}
	r := &storeRec{}
	t.sparse[id] = r
	return r
}

// grow extends the dense range past id and moves the sparse records it
// now covers into chunks.
func (t *storeTable) grow(id uint64) {
	n := max(int(id>>chunkBits)+1, 2*len(t.chunks))
	chunks := make([][]storeRec, n)
	copy(chunks, t.chunks)
	t.chunks = chunks
	for sid, r := range t.sparse {
		if c := sid >> chunkBits; c < uint64(n) {
			if t.chunks[c] == nil {
				t.chunks[c] = make([]storeRec, chunkLen)
			}
			moveRec(&t.chunks[c][sid&(chunkLen-1)], r)
			delete(t.sparse, sid)
		}
	}
}

// moveRec copies a record, re-pointing an inline program list at its new
// place. (A field by field copy, because act is atomic:
// TestStoreTable_MoveAndDelete fails when a new field is left out.)
func moveRec(dst, src *storeRec) {
	dst.s, dst.sched, dst.loc, dst.brief, dst.text = src.s, src.sched, src.loc, src.brief, src.text
	dst.one = src.one
	dst.progs = src.progs
	if len(src.progs) == 1 && &src.progs[0] == &src.one[0] {
		dst.progs = dst.one[:]
	}
	dst.act.bits.Store(src.act.bits.Load())
}

func (t *storeTable) delete(id uint64) {
	r := t.get(id)
	if r == nil {
		return
	}
	t.n--
	if c := id >> chunkBits; c < uint64(len(t.chunks)) {
		// Drop every reference: the brief shares its allocation with the
		// snapshot's strings.
		r.s, r.sched, r.loc, r.brief, r.progs, r.one, r.text = nil, nil, nil, "", nil, [1]progHot{}, nil
		r.act.bits.Store(0)
		return
	}
	delete(t.sparse, id)
}
