package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/internal/idtable"
	"github.com/nearby-dev/nearby/ranking"
)

// Defaults of Options.
const (
	DefaultPopularityHalfLife = 7 * 24 * time.Hour
	DefaultMaxScan            = 200_000
	DefaultCursorTTL          = 24 * time.Hour
)

// Options tunes a Catalog; nil or zero fields mean the defaults.
type Options struct {
	// Weights of the score; the zero value means ranking.DefaultWeights().
	// Other weights must pass Weights.Validate: New panics otherwise.
	Weights ranking.Weights
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PopularityHalfLife is the half-life of the activity counters.
	PopularityHalfLife time.Duration
	// MaxScan bounds the stores one nearby query walks.
	MaxScan int
	// CursorTTL is how long a page cursor stays valid.
	CursorTTL time.Duration
	// Estimate returns the distance in metres of a beacon heard at rssi
	// whose measured power at 1 m is txPower, or a negative value when it
	// cannot tell; nil means nearby.EstimateDistance.
	Estimate func(rssi, txPower int) float64
	// Classify maps an estimated distance to "immediate", "near" or "far";
	// nil means nearby.ProximityOf.
	Classify func(distanceM float64) string
	// Renderer, when set, renders each store and program once for the
	// briefs of NearbyResult; nil leaves the briefs empty.
	Renderer Renderer
}

// Catalog is the in-memory read model of stores, programs and beacons.
type Catalog struct {
	ix        *geo.Index
	weights   ranking.Weights
	now       func() time.Time
	maxScan   int
	cursorTTL time.Duration
	estimate  func(rssi, txPower int) float64
	classify  func(float64) string
	renderer  Renderer
	// The renderer's BriefTemplates, when it has them: briefs are kept
	// compact (brief.go).
	storeTmpl, progTmpl []string
	pop                 popularity

	mu       sync.RWMutex
	stores   idtable.Table[storeRec]
	programs idtable.Table[progRec]
	arena    arena               // the records' bytes, see arena.go
	in       interns             // categories, zones, hours, targetings
	multi    slots[[]progHot]    // program lists of stores with several
	lists    slots[[]uint64]     // store lists of programs at several
	pending  map[uint64][]uint64 // absent store id -> programs listing it, by program id
	beacons  map[uint64]*nearby.Beacon
	byIdent  map[nearby.Identity]*nearby.Beacon
	rot      rotIndex  // rotating beacons, by the identities they advertise
	tix      textIndex // for q, see textindex.go

	scratch sync.Pool
	bufs    sync.Pool // *[]byte, for rendering and encoding records
}

// storeRec is a store as queries need it, 64 bytes with no pointers: a
// chunk of 4,096 of them is one object the garbage collector marks without
// scanning. The fields change only under the write lock; act is atomic
// because activity is recorded under the read lock.
//
// What visit reads of every store (the hours, and of its only program the
// id, category, targeting) and of a store it ranks (the activity, the
// zone) is here; the brief, place, text and the rest of the snapshot are
// in the arena record (rec), read for the stores a page serves.
type storeRec struct {
	one      progHot     // the program, when exactly one is present
	act      atomicFloat // popularity counter
	rec      ref         // the arena record; 0: absent
	merchant uint64
	multi    uint32 // 1 + index in Catalog.multi when several programs are present
	hours    uint32 // interned hours; 0: none known
	cat      uint32 // interned category
	zone     uint32 // interned time zone
}

// progHot is what a query reads of a program at a store, kept inline in
// the store's record so that a visit costs one cache miss.
type progHot struct {
	id  uint64
	rec ref    // the program's arena record (its brief), as in its progRec
	cat uint32 // interned category
	tc  uint32 // interned targeting (0: everyone) << 1 | 1 if listed by more than one store
}

// targ is the program's interned targeting.
func (h *progHot) targ() uint32 { return h.tc >> 1 }

// chain reports whether the program is listed by more than one store, so
// that a query must not rank it twice.
func (h *progHot) chain() bool { return h.tc&1 != 0 }

// progRec is a program, 40 bytes with no pointers.
type progRec struct {
	rec      ref // the arena record; 0: absent
	merchant uint64
	one      uint64 // the store, when exactly one is listed
	nstores  uint32
	list     uint32 // 1 + index in Catalog.lists when several stores are listed
	cat      uint32
	targ     uint32
}

// MoveFrom copies src's fields, the atomic one with a load and store.
func (r *storeRec) MoveFrom(src *storeRec) {
	r.one, r.rec, r.merchant, r.multi, r.hours, r.cat, r.zone = src.one, src.rec, src.merchant, src.multi, src.hours, src.cat, src.zone
	r.act.bits.Store(src.act.bits.Load())
}

// progs returns the programs present at the store, by program id; the
// slice aliases the record or Catalog.multi. Under the read lock.
func (c *Catalog) progs(r *storeRec) []progHot {
	if r.multi != 0 {
		return c.multi.at(r.multi)
	}
	if r.one.id != 0 {
		return unsafe.Slice(&r.one, 1)
	}
	return nil
}

// storeIDs returns the stores a program lists, sorted; the slice aliases
// the record or Catalog.lists. Under the read lock.
func (c *Catalog) storeIDs(p *progRec) []uint64 {
	switch {
	case p.list != 0:
		return c.lists.at(p.list)
	case p.nstores == 1:
		return unsafe.Slice(&p.one, 1)
	}
	return nil
}

// setStoreIDs replaces the stores of p with ids (sorted, deduplicated,
// owned by p from now on); under the write lock.
func (c *Catalog) setStoreIDs(p *progRec, ids []uint64) {
	p.nstores = uint32(len(ids))
	p.one = 0
	if len(ids) <= 1 {
		if p.list != 0 {
			c.lists.release(p.list)
			p.list = 0
		}
		if len(ids) == 1 {
			p.one = ids[0]
		}
		return
	}
	if p.list == 0 {
		p.list = c.lists.alloc(ids)
	} else {
		c.lists.set(p.list, ids)
	}
}

// slots is a table of values named by number from 1, with the numbers of
// freed values reused: the few pointerful values (lists) of records that
// otherwise hold none.
type slots[T any] struct {
	vals []T
	free []uint32
}

func (s *slots[T]) alloc(v T) uint32 {
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		s.vals[i-1] = v
		return i
	}
	s.vals = append(s.vals, v)
	return uint32(len(s.vals))
}

func (s *slots[T]) at(i uint32) T     { return s.vals[i-1] }
func (s *slots[T]) set(i uint32, v T) { s.vals[i-1] = v }

func (s *slots[T]) release(i uint32) {
	var zero T
	s.vals[i-1] = zero
	s.free = append(s.free, i)
}

// New returns an empty catalog over ix. The catalog owns ix's contents:
// nothing else should insert into it.
func New(ix *geo.Index, opts *Options) *Catalog {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Weights == (ranking.Weights{}) {
		o.Weights = ranking.DefaultWeights()
	}
	if err := o.Weights.Validate(); err != nil {
		panic(fmt.Sprintf("catalog: %v", err)) // a programming error: weights are not user input
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PopularityHalfLife <= 0 {
		o.PopularityHalfLife = DefaultPopularityHalfLife
	}
	if o.MaxScan <= 0 {
		o.MaxScan = DefaultMaxScan
	}
	if o.CursorTTL <= 0 {
		o.CursorTTL = DefaultCursorTTL
	}
	if o.Estimate == nil {
		o.Estimate = nearby.EstimateDistance
	}
	if o.Classify == nil {
		o.Classify = func(d float64) string { return string(nearby.ProximityOf(d)) }
	}
	c := &Catalog{
		ix:        ix,
		weights:   o.Weights,
		now:       o.Now,
		maxScan:   o.MaxScan,
		cursorTTL: o.CursorTTL,
		estimate:  o.Estimate,
		classify:  o.Classify,
		renderer:  o.Renderer,
		pending:   make(map[uint64][]uint64),
		beacons:   make(map[uint64]*nearby.Beacon),
		byIdent:   make(map[nearby.Identity]*nearby.Beacon),
	}
	if t, ok := o.Renderer.(BriefTemplater); ok {
		c.storeTmpl, c.progTmpl = t.BriefTemplates()
	}
	c.pop.init(o.Now(), o.PopularityHalfLife)
	c.scratch.New = func() any { return newScratch() }
	c.bufs.New = func() any { return new([]byte) }
	return c
}

// Renderer returns Options.Renderer, nil when there is none.
func (c *Catalog) Renderer() Renderer { return c.renderer }

// Weights returns the weights the catalog scores with.
func (c *Catalog) Weights() ranking.Weights { return c.weights }

// PutStore adds or replaces a store and moves it in the geo index. It
// copies what it keeps of s.
func (c *Catalog) PutStore(s *nearby.Store) error {
	buf := c.bufs.Get().(*[]byte)
	defer c.bufs.Put(buf)
	*buf, _ = c.encodeStore((*buf)[:0], s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ix.Insert(s.ID, geo.Point{Lat: s.Lat, Lng: s.Lng}); err != nil {
		return fmt.Errorf("catalog: store %d: %w", s.ID, err)
	}
	c.fill(s, *buf)
	c.maybeCompact()
	return nil
}

// encodeStore renders s's brief and appends its arena record to dst. It
// returns the record's folded text too.
func (c *Catalog) encodeStore(dst []byte, s *nearby.Store) ([]byte, *textRec) {
	start := len(dst)
	if c.renderer != nil {
		dst = c.renderer.AppendStore(dst, s)
		if c.storeTmpl != nil {
			dst = packBrief(dst, start, c.storeTmpl)
		}
	}
	n := len(dst)
	// The record goes after the brief in the same buffer, then moves over
	// it: one buffer, no allocation once it has grown.
	t := newTextRec(s.Name, s.Tags...)
	rec := encodeStore(dst[n:], s, dst[start:n], t)
	return append(dst[:start], rec...), t
}

// encodeProgram is encodeStore for a program.
func (c *Catalog) encodeProgram(dst []byte, p *nearby.Program) ([]byte, *textRec) {
	start := len(dst)
	if c.renderer != nil {
		dst = c.renderer.AppendProgram(dst, p)
		if c.progTmpl != nil {
			dst = packBrief(dst, start, c.progTmpl)
		}
	}
	n := len(dst)
	t := newTextRec(p.Name)
	rec := encodeProgram(dst[n:], p, dst[start:n], t)
	return append(dst[:start], rec...), t
}

// fill puts store s, encoded as rec, into its record; under the write
// lock. A store new to the catalog takes over the programs waiting for it.
func (c *Catalog) fill(s *nearby.Store, rec []byte) {
	r := c.stores.Add(s.ID)
	if r.rec == 0 {
		for _, pid := range c.pending[s.ID] {
			if p := c.programs.Get(pid); p != nil {
				c.insertProgram(r, pid, p)
			}
		}
		delete(c.pending, s.ID)
	} else {
		c.removeStore(s.ID, r) // its text or place may change
		c.arena.free(r.rec)
	}
	c.setRow(r, s, c.arena.put(rec))
	c.addStore(s.ID, r)
}

// setRow fills a store's row from s and its arena record; under the write
// lock.
func (c *Catalog) setRow(r *storeRec, s *nearby.Store, rec ref) {
	r.rec = rec
	r.merchant = s.MerchantID
	r.hours = c.in.hoursOf(s.Hours)
	r.cat = c.in.cat(s.Category)
	r.zone = c.in.zone(s.Timezone)
}

// insertProgram adds or replaces program pid in the store's list, kept in
// program id order; under the write lock.
func (c *Catalog) insertProgram(r *storeRec, pid uint64, p *progRec) {
	h := progHot{id: pid, rec: p.rec, cat: p.cat, tc: p.targ << 1}
	if p.nstores > 1 {
		h.tc |= 1
	}
	switch {
	case r.multi != 0:
		list := c.multi.at(r.multi)
		i, found := slices.BinarySearchFunc(list, pid, func(e progHot, id uint64) int { return cmp.Compare(e.id, id) })
		if found {
			list[i] = h
		} else {
			c.multi.set(r.multi, slices.Insert(list, i, h))
		}
	case r.one.id == 0 || r.one.id == pid:
		r.one = h
	default:
		list := []progHot{r.one, h}
		if pid < r.one.id {
			list[0], list[1] = h, r.one
		}
		r.one = progHot{}
		r.multi = c.multi.alloc(list)
	}
}

// removeProgram drops program id from the store's list; under the write
// lock.
func (c *Catalog) removeProgram(r *storeRec, id uint64) {
	if r.multi == 0 {
		if r.one.id == id {
			r.one = progHot{}
		}
		return
	}
	list := c.multi.at(r.multi)
	i, found := slices.BinarySearchFunc(list, id, func(e progHot, id uint64) int { return cmp.Compare(e.id, id) })
	if !found {
		return
	}
	list = slices.Delete(list, i, i+1)
	if len(list) > 1 {
		c.multi.set(r.multi, list)
		return
	}
	r.one = list[0]
	c.multi.release(r.multi)
	r.multi = 0
}

// DeleteStore removes a store. Programs listing it keep the id and find it
// again should it come back.
func (c *Catalog) DeleteStore(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.stores.Get(id)
	if r == nil {
		return
	}
	for _, h := range c.progs(r) {
		c.pending[id] = append(c.pending[id], h.id) // in program id order, as the list
	}
	c.removeStore(id, r)
	if r.multi != 0 {
		c.multi.release(r.multi)
	}
	c.arena.free(r.rec)
	c.ix.Delete(id)
	c.stores.Delete(id)
	c.maybeCompact()
}

// PutProgram adds or replaces a program.
func (c *Catalog) PutProgram(p *nearby.Program) {
	ids := slices.Clone(p.StoreIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The snapshot as kept, rendered as kept; its stores live in the
	// record, which LinkStores and UnlinkStore change in place.
	final := *p
	final.StoreIDs, final.Selection = nil, nil
	buf := c.bufs.Get().(*[]byte)
	defer c.bufs.Put(buf)
	*buf, _ = c.encodeProgram((*buf)[:0], &final)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putProgram(&final, ids, *buf)
	c.maybeCompact()
}

// putProgram puts program p, encoded as rec, with its stores ids (sorted,
// deduplicated, owned from now on); under the write lock.
func (c *Catalog) putProgram(p *nearby.Program, ids []uint64, rec []byte) {
	if old := c.programs.Get(p.ID); old != nil {
		c.unlink(p.ID, old)
		c.arena.free(old.rec)
		c.setStoreIDs(old, nil)
	}
	r := c.programs.Add(p.ID)
	*r = c.newProgRec(p, c.arena.put(rec))
	c.setStoreIDs(r, ids)
	for _, sid := range ids {
		c.attach(p.ID, r, sid)
	}
}

// newProgRec is p's row over its arena record, without stores; under the
// write lock.
func (c *Catalog) newProgRec(p *nearby.Program, rec ref) progRec {
	return progRec{rec: rec, merchant: p.MerchantID, cat: c.in.cat(p.Category), targ: c.in.targOf(p.Targeting)}
}

// DeleteProgram removes a program.
func (c *Catalog) DeleteProgram(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.programs.Get(id); old != nil {
		c.unlink(id, old)
		c.arena.free(old.rec)
		c.setStoreIDs(old, nil)
		c.programs.Delete(id)
		c.maybeCompact()
	}
}

// unlink removes program pid from the lists of its stores, present or
// pending.
func (c *Catalog) unlink(pid uint64, r *progRec) {
	for _, sid := range c.storeIDs(r) {
		c.detach(pid, r, sid)
	}
}

// maybeCompact copies the live records into fresh arena chunks once dead
// bytes outweigh them; under the write lock. The old chunks stay valid for
// whoever still holds strings of them, and are collected after.
func (c *Catalog) maybeCompact() {
	if !c.arena.wasteful() {
		return
	}
	var fresh arena
	c.programs.Each(func(_ uint64, r *progRec) { r.rec = fresh.put(c.arena.get(r.rec)) })
	c.stores.Each(func(_ uint64, r *storeRec) {
		r.rec = fresh.put(c.arena.get(r.rec))
		progs := c.progs(r)
		for i := range progs { // the entries name their programs' records too
			if p := c.programs.Get(progs[i].id); p != nil {
				progs[i].rec = p.rec
			}
		}
	})
	c.arena = fresh
}

// Counts returns how many stores, programs and beacons the catalog holds.
func (c *Catalog) Counts() (stores, programs, beacons int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stores.Len(), c.programs.Len(), len(c.beacons)
}

// Store returns the store snapshot with id, if known. Its strings and
// hours are shared: the caller must not modify them.
func (c *Catalog) Store(id uint64) (*nearby.Store, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if r := c.stores.Get(id); r != nil {
		return c.storeSnap(id, r), true
	}
	return nil, false
}

// storeSnap rebuilds a store's snapshot; under the read lock.
func (c *Catalog) storeSnap(id uint64, r *storeRec) *nearby.Store {
	s := &nearby.Store{
		ID: id, MerchantID: r.merchant, Category: c.in.cats.at(r.cat),
		Timezone: c.in.zones.at(r.zone).name, Hours: c.in.hours.at(r.hours).hours,
	}
	decodeStore(c.arena.get(r.rec), s)
	return s
}

// progSnap rebuilds a program's snapshot without its stores; under the
// read lock.
func (c *Catalog) progSnap(id uint64, r *progRec) *nearby.Program {
	p := &nearby.Program{ID: id, MerchantID: r.merchant, Category: c.in.cats.at(r.cat), Targeting: c.in.targs.at(r.targ)}
	decodeProgram(c.arena.get(r.rec), p)
	return p
}

// Program returns a copy of the program snapshot with id, with its
// current stores in id order, if known.
func (c *Catalog) Program(id uint64) (*nearby.Program, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if r := c.programs.Get(id); r != nil {
		p := c.progSnap(id, r)
		p.StoreIDs = slices.Clone(c.storeIDs(r))
		return p, true
	}
	return nil, false
}
