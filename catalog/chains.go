package catalog

import (
	"cmp"
	"slices"
)

// LinkStores adds stores to program pid's: each joins the program's list
// (binary insertion into its sorted ids) and the program joins the store's
// record, or waits for the store in pending. Unknown programs are ignored.
func (c *Catalog) LinkStores(pid uint64, storeIDs []uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec := c.programs[pid]
	if rec == nil {
		return
	}
	wasChain := len(rec.storeIDs) > 1
	for _, sid := range storeIDs {
		i, found := slices.BinarySearch(rec.storeIDs, sid)
		if found {
			continue
		}
		rec.storeIDs = slices.Insert(rec.storeIDs, i, sid)
		c.attach(rec, sid)
	}
	if !wasChain && len(rec.storeIDs) > 1 {
		// Now a chain: every store's entry must say so, for the
		// deduplication of nearby queries.
		for _, sid := range rec.storeIDs {
			if srec := c.stores.get(sid); srec != nil {
				srec.insertProgram(rec)
			}
		}
	}
}

// UnlinkStore removes store sid from program pid's.
func (c *Catalog) UnlinkStore(pid, sid uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec := c.programs[pid]
	if rec == nil {
		return
	}
	i, found := slices.BinarySearch(rec.storeIDs, sid)
	if !found {
		return
	}
	rec.storeIDs = slices.Delete(rec.storeIDs, i, i+1)
	c.detach(rec, sid)
}

// attach puts rec at store sid, or in pending while the store is unknown;
// under the write lock.
func (c *Catalog) attach(rec *progRec, sid uint64) {
	if srec := c.stores.get(sid); srec != nil {
		srec.insertProgram(rec)
		c.tix.add(srec.s.Lat, srec.s.Lng, sid, rec.text)
		return
	}
	list := c.pending[sid]
	i, _ := slices.BinarySearchFunc(list, rec.p.ID, func(r *progRec, id uint64) int { return cmp.Compare(r.p.ID, id) })
	c.pending[sid] = slices.Insert(list, i, rec)
}

// detach removes rec from store sid, present or pending; under the write
// lock.
func (c *Catalog) detach(rec *progRec, sid uint64) {
	if srec := c.stores.get(sid); srec != nil {
		srec.removeProgram(rec.p.ID)
		c.tix.remove(srec.s.Lat, srec.s.Lng, sid, rec.text)
		return
	}
	list := c.pending[sid]
	if i := slices.Index(list, rec); i >= 0 {
		list = slices.Delete(list, i, i+1)
	}
	if len(list) == 0 {
		delete(c.pending, sid)
	} else {
		c.pending[sid] = list
	}
}
