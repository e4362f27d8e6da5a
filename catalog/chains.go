package catalog

import (
	"slices"
)

// LinkStores adds stores to program pid's: each joins the program's list
// (binary insertion into its sorted ids) and the program joins the store's
// record, or waits for the store in pending. Unknown programs are ignored.
func (c *Catalog) LinkStores(pid uint64, storeIDs []uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.programs.Get(pid)
	if r == nil {
		return
	}
	wasChain := r.nstores > 1
	ids := slices.Clone(c.storeIDs(r))
	var added []uint64
	for _, sid := range storeIDs {
		i, found := slices.BinarySearch(ids, sid)
		if found {
			continue
		}
		ids = slices.Insert(ids, i, sid)
		added = append(added, sid)
	}
	c.setStoreIDs(r, ids)
	for _, sid := range added {
		c.attach(pid, r, sid)
	}
	if !wasChain && r.nstores > 1 {
		// Now a chain: every store's entry must say so, for the
		// deduplication of nearby queries.
		for _, sid := range ids {
			if s := c.stores.Get(sid); s != nil {
				c.insertProgram(s, pid, r)
			}
		}
	}
}

// UnlinkStore removes store sid from program pid's.
func (c *Catalog) UnlinkStore(pid, sid uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.programs.Get(pid)
	if r == nil {
		return
	}
	ids := c.storeIDs(r)
	i, found := slices.BinarySearch(ids, sid)
	if !found {
		return
	}
	c.setStoreIDs(r, slices.Delete(slices.Clone(ids), i, i+1))
	c.detach(pid, r, sid)
}

// attach puts program pid at store sid, or in pending while the store is
// unknown; under the write lock.
func (c *Catalog) attach(pid uint64, p *progRec, sid uint64) {
	if s := c.stores.Get(sid); s != nil {
		c.insertProgram(s, pid, p)
		lat, lng := storePlace(c.arena.get(s.rec))
		t := programText(c.arena.get(p.rec))
		c.tix.add(lat, lng, sid, &t)
		return
	}
	list := c.pending[sid]
	if i, found := slices.BinarySearch(list, pid); !found {
		c.pending[sid] = slices.Insert(list, i, pid)
	}
}

// detach removes program pid from store sid, present or pending; under the
// write lock.
func (c *Catalog) detach(pid uint64, p *progRec, sid uint64) {
	if s := c.stores.Get(sid); s != nil {
		c.removeProgram(s, pid)
		lat, lng := storePlace(c.arena.get(s.rec))
		t := programText(c.arena.get(p.rec))
		c.tix.remove(lat, lng, sid, &t)
		return
	}
	list := c.pending[sid]
	if i, found := slices.BinarySearch(list, pid); found {
		list = slices.Delete(list, i, i+1)
	}
	if len(list) == 0 {
		delete(c.pending, sid)
	} else {
		c.pending[sid] = list
	}
}
