package catalog

// storeTable maps store ids to records. Storage ids are sequence numbers,
// so most live in a dense slice indexed by id: one memory access per lookup
// instead of a hash probe, which matters when a query touches a few dozen
// stores scattered over a million. Ids far beyond the dense range (more than
// half of it would be empty) go to a map. An id below len(dense) is never in
// sparse. Writers hold the catalog's write lock; readers its read lock.
type storeTable struct {
	dense  []*storeRec
	sparse map[uint64]*storeRec
	n      int
}

// denseSlack is how far past twice the store count the dense range may
// grow: small catalogs with scattered ids still use it.
const denseSlack = 1 << 16

func (t *storeTable) get(id uint64) *storeRec {
	if id < uint64(len(t.dense)) {
		return t.dense[id]
	}
	return t.sparse[id] // nil map reads are fine
}

func (t *storeTable) len() int { return t.n }

func (t *storeTable) put(id uint64, rec *storeRec) {
	if t.get(id) == nil {
		t.n++
	}
	if id >= uint64(len(t.dense)) && id < uint64(2*t.n+denseSlack) {
		t.grow(id)
	}
	if id < uint64(len(t.dense)) {
		t.dense[id] = rec
		return
	}
	if t.sparse == nil {
		t.sparse = make(map[uint64]*storeRec)
	}
	t.sparse[id] = rec
}

// grow extends the dense range past id and moves the sparse ids it covers.
func (t *storeTable) grow(id uint64) {
	size := max(int(id)+1, 2*len(t.dense), 1024)
	dense := make([]*storeRec, size)
	copy(dense, t.dense)
	t.dense = dense
	for sid, rec := range t.sparse {
		if sid < uint64(size) {
			dense[sid] = rec
			delete(t.sparse, sid)
		}
	}
}

func (t *storeTable) delete(id uint64) {
	if t.get(id) == nil {
		return
	}
	t.n--
	if id < uint64(len(t.dense)) {
		t.dense[id] = nil
		return
	}
	delete(t.sparse, id)
}
