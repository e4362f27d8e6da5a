package catalog

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/internal/idtable"
)

// Load adds many stores, programs and beacons at once, as at start-up.
// Into an empty catalog it builds in bulk: the geo index in one pass
// (geo.Index.Load), and the records rendered, folded and encoded on every
// processor before one pass puts them in place. Otherwise it is the same
// as calling the Put methods in order. The catalog copies what it keeps.
func (c *Catalog) Load(stores []*nearby.Store, programs []*nearby.Program, beacons []*nearby.Beacon) error {
	c.mu.Lock()
	bulk := c.stores.Len() == 0 && c.programs.Len() == 0 && c.ix.Len() == 0 && len(stores) > 0
	if bulk {
		err := c.loadBulk(stores, programs)
		c.mu.Unlock()
		if err != nil {
			return err
		}
	} else {
		c.mu.Unlock()
		for _, s := range stores {
			if err := c.PutStore(s); err != nil {
				return err
			}
		}
		for _, p := range programs {
			c.PutProgram(p)
		}
	}
	for _, b := range beacons {
		c.PutBeacon(b)
	}
	return nil
}

// loadBulk fills the empty catalog; under the write lock.
func (c *Catalog) loadBulk(stores []*nearby.Store, programs []*nearby.Program) error {
	ids := make([]uint64, len(stores))
	pts := make([]geo.Point, len(stores))
	for i, s := range stores {
		ids[i], pts[i] = s.ID, geo.Point{Lat: s.Lat, Lng: s.Lng}
	}
	if err := c.ix.Load(ids, pts); err != nil {
		return fmt.Errorf("catalog: load stores: %w", err)
	}
	ids, pts = nil, nil
	// The program pass indexes each program's text at its stores' places:
	// read from the store records, each would be a cache miss after a
	// varint walk; kept here by id, they are read from dense chunks.
	var places idtable.Table[geo.Point]
	encStore := func() encodeFunc {
		return func(dst []byte, i int) ([]byte, *textRec) { return c.encodeStore(dst, stores[i]) }
	}
	for b := range encodeBatches(len(stores), encStore) {
		base := c.arena.adopt(b)
		for j, off := range b.offs {
			s := stores[b.lo+j]
			r := c.stores.Add(s.ID) // new: geo.Load refused a repeated id
			c.setRow(r, s, base+ref(off))
			c.tix.addTokens(s.Lat, s.Lng, s.ID, b.toks[j])
			*places.Add(s.ID) = geo.Point{Lat: s.Lat, Lng: s.Lng}
		}
	}
	encProgram := func() encodeFunc {
		// One copy per worker: a copy per program would escape to the
		// heap through the renderer, a million allocations.
		final := new(nearby.Program)
		return func(dst []byte, i int) ([]byte, *textRec) {
			*final = *programs[i]
			final.StoreIDs, final.Selection = nil, nil
			return c.encodeProgram(dst, final)
		}
	}
	for b := range encodeBatches(len(programs), encProgram) {
		base := c.arena.adopt(b)
		for j, off := range b.offs {
			rec := base + ref(off)
			p := programs[b.lo+j]
			sids := slices.Clone(p.StoreIDs)
			slices.Sort(sids)
			sids = slices.Compact(sids)
			if c.programs.Get(p.ID) != nil { // the same id twice
				final := *p
				final.StoreIDs, final.Selection = nil, nil
				c.putProgram(&final, sids, c.arena.get(rec))
				continue
			}
			r := c.programs.Add(p.ID)
			*r = c.newProgRec(p, rec)
			c.setStoreIDs(r, sids)
			for _, sid := range sids {
				s := c.stores.Get(sid)
				if s == nil {
					c.attach(p.ID, r, sid) // pending
					continue
				}
				c.insertProgram(s, p.ID, r)
				pt := places.At(sid) // s exists: it was placed
				c.tix.addTokens(pt.Lat, pt.Lng, sid, b.toks[j])
			}
		}
	}
	c.tix.pack()
	return nil
}

// batch is a run of records encoded by one worker, already in the
// arena's format: buf becomes an arena chunk as it is, record j's header
// at offs[j], and toks[j] is its text's tokens.
type batch struct {
	lo   int
	buf  []byte
	offs []uint32
	toks [][]string
}

// adopt makes b's buffer a chunk of the arena and returns the ref of its
// first record; record j is at that ref + offs[j]. Under the write lock.
func (a *arena) adopt(b *batch) ref {
	a.reserve()
	a.chunks = append(a.chunks, b.buf)
	a.live += len(b.buf)
	a.total += len(b.buf)
	return ref(uint64(len(a.chunks)-1) << 32)
}

const loadBatch = 4096

// encodeFunc appends the record i to dst and returns it with its text.
type encodeFunc func(dst []byte, i int) ([]byte, *textRec)

// encodeBatches encodes records 0..n-1 on every processor, each worker
// with an encodeFunc of its own from newEnc, and yields the batches in
// order, each as soon as it and those before it are done, so that the
// caller puts records in place while later ones are still being encoded.
// The copy into arena chunks happens here too, off the caller's goroutine.
func encodeBatches(n int, newEnc func() encodeFunc) func(yield func(*batch) bool) {
	return func(yield func(*batch) bool) {
		nb := (n + loadBatch - 1) / loadBatch
		done := make([]chan *batch, nb)
		for i := range done {
			done[i] = make(chan *batch, 1)
		}
		var next atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range max(1, runtime.GOMAXPROCS(0)) {
			wg.Go(func() {
				enc := newEnc()
				var tmp, out []byte
				for {
					k := int(next.Add(1) - 1)
					if k >= nb {
						return
					}
					b := &batch{lo: k * loadBatch}
					hi := min(n, b.lo+loadBatch)
					b.offs = make([]uint32, 0, hi-b.lo)
					b.toks = make([][]string, 0, hi-b.lo)
					out = out[:0]
					for i := b.lo; i < hi; i++ {
						var t *textRec
						tmp, t = enc(tmp[:0], i)
						b.offs = append(b.offs, uint32(len(out)))
						out = binary.AppendUvarint(out, uint64(len(tmp)))
						out = append(out, tmp...)
						b.toks = append(b.toks, tokens(t))
					}
					b.buf = append([]byte(nil), out...)
					select {
					case done[k] <- b:
					case <-stop:
						return
					}
				}
			})
		}
		defer wg.Wait()
		defer close(stop)
		for k := range nb {
			if !yield(<-done[k]) {
				return
			}
		}
	}
}
