package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
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
	pop       popularity

	mu       sync.RWMutex
	stores   storeTable
	cats     map[string]uint32 // interned program categories, from 1
	programs map[uint64]*progRec
	pending  map[uint64][]*progRec // absent store id -> programs listing it, by program id
	beacons  map[uint64]*nearby.Beacon
	byIdent  map[nearby.Identity]*nearby.Beacon
	rot      rotIndex  // rotating beacons, by the identities they advertise
	tix      textIndex // for q, see textindex.go

	scratch sync.Pool
	bufs    sync.Pool // *[]byte, for rendering and packing snapshots
}

// storeRec is a store as queries need it. The fields change only under the
// write lock; act is atomic because activity is recorded under the read
// lock.
//
// Layout matters at a million stores, where every record a query touches
// is a cache miss: what visit reads of every store (the hours and, of its
// only program, the id, category, targeting and snapshot) fills the first
// 64 bytes; what it reads of a store it ranks (the activity, the zone) and
// what the page reads (the store snapshot and both briefs) the second; the
// last 8 bytes (the folded text, read only by text queries) round it to
// 128 bytes, which keeps every record on its own pair of cache lines
// (records live in page-aligned chunks, see storeTable). A store with
// several programs keeps them in a separate list of 48-byte entries.
type storeRec struct {
	progs []progHot // by program id; backed by one when there is one
	sched *ranking.Schedule
	one   [1]progHot
	act   atomicFloat
	s     *nearby.Store
	loc   *time.Location
	brief string   // Options.Renderer's brief of s
	text  *textRec // s's name and tags, folded for q
}

// progHot is what a query reads of a program at a store, kept inline in
// the store's record so that a visit costs one or two cache misses.
type progHot struct {
	id    uint64
	t     *nearby.Targeting
	cat   uint32 // interned category
	chain bool   // listed by more than one store: needs deduplication
	p     *nearby.Program
	brief string // Options.Renderer's brief of p
}

type progRec struct {
	p        *nearby.Program
	brief    string
	storeIDs []uint64 // sorted, deduplicated
	cat      uint32
	text     *textRec // p's name, folded for q
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
		cats:      make(map[string]uint32),
		programs:  make(map[uint64]*progRec),
		pending:   make(map[uint64][]*progRec),
		beacons:   make(map[uint64]*nearby.Beacon),
		byIdent:   make(map[nearby.Identity]*nearby.Beacon),
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

// PutStore adds or replaces a store and moves it in the geo index. It keeps
// a shallow copy of s; the caller must not mutate s's slices or hours
// afterwards.
func (c *Catalog) PutStore(s *nearby.Store) error {
	buf := c.bufs.Get().(*[]byte)
	cp, brief, b := compactStore(s, c.renderer, *buf)
	*buf = b
	c.bufs.Put(buf)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ix.Insert(s.ID, geo.Point{Lat: s.Lat, Lng: s.Lng}); err != nil {
		return fmt.Errorf("catalog: store %d: %w", s.ID, err)
	}
	c.fill(c.stores.add(s.ID), cp, brief)
	return nil
}

// fill sets a store record from a snapshot and its brief; called under the
// write lock. A store new to the catalog takes over the programs waiting
// for it.
func (c *Catalog) fill(rec *storeRec, s *nearby.Store, brief string) {
	if rec.s == nil {
		for _, p := range c.pending[s.ID] {
			rec.insertProgram(p)
		}
		delete(c.pending, s.ID)
	} else {
		c.removeStore(rec) // its text or place may change
	}
	rec.s, rec.brief = s, brief
	rec.text = newTextRec(s.Name, s.Tags...)
	rec.sched = ranking.Compile(s.Hours)
	rec.loc = nearby.Zone(s.Timezone)
	c.addStore(rec)
}

// insertProgram adds or replaces p in the store's list, kept in program id
// order; under the write lock.
func (rec *storeRec) insertProgram(p *progRec) {
	h := progHot{id: p.p.ID, cat: p.cat, chain: len(p.storeIDs) > 1, t: p.p.Targeting, p: p.p, brief: p.brief}
	i, found := slices.BinarySearchFunc(rec.progs, h.id, func(e progHot, id uint64) int { return cmp.Compare(e.id, id) })
	switch {
	case found:
		rec.progs[i] = h
	case len(rec.progs) == 0:
		rec.one[0] = h
		rec.progs = rec.one[:]
	default:
		list := make([]progHot, 0, len(rec.progs)+1)
		list = append(append(append(list, rec.progs[:i]...), h), rec.progs[i:]...)
		rec.one[0] = progHot{}
		rec.progs = list
	}
}

// removeProgram drops program id from the store's list; under the write
// lock.
func (rec *storeRec) removeProgram(id uint64) {
	i, found := slices.BinarySearchFunc(rec.progs, id, func(e progHot, id uint64) int { return cmp.Compare(e.id, id) })
	switch {
	case !found:
	case len(rec.progs) == 1:
		rec.one[0] = progHot{}
		rec.progs = nil
	case len(rec.progs) == 2:
		rec.one[0] = rec.progs[1-i]
		rec.progs = rec.one[:]
	default:
		rec.progs = slices.Delete(slices.Clone(rec.progs), i, i+1)
	}
}

// DeleteStore removes a store. Programs listing it keep the id and find it
// again should it come back.
func (c *Catalog) DeleteStore(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec := c.stores.get(id)
	if rec == nil {
		return
	}
	for _, h := range rec.progs {
		if p := c.programs[h.id]; p != nil {
			c.pending[id] = append(c.pending[id], p) // in program id order, as rec.progs
		}
	}
	c.removeStore(rec)
	c.ix.Delete(id)
	c.stores.delete(id)
}

// PutProgram adds or replaces a program.
func (c *Catalog) PutProgram(p *nearby.Program) {
	ids := slices.Clone(p.StoreIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The snapshot as kept, rendered as kept; its stores live in the
	// record (storeIDs), which LinkStores and UnlinkStore change in place.
	final := *p
	final.StoreIDs, final.Selection = nil, nil
	buf := c.bufs.Get().(*[]byte)
	cp, brief, b := compactProgram(&final, c.renderer, *buf)
	*buf = b
	c.bufs.Put(buf)
	c.mu.Lock()
	defer c.mu.Unlock()
	rec := &progRec{p: cp, brief: brief, storeIDs: ids, cat: c.intern(cp.Category), text: newTextRec(cp.Name)}
	if old := c.programs[p.ID]; old != nil {
		c.unlink(old)
	}
	c.programs[p.ID] = rec
	for _, sid := range ids {
		c.attach(rec, sid)
	}
}

// DeleteProgram removes a program.
func (c *Catalog) DeleteProgram(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.programs[id]; old != nil {
		c.unlink(old)
		delete(c.programs, id)
	}
}

// unlink removes rec from the lists of its stores, present or pending.
func (c *Catalog) unlink(rec *progRec) {
	for _, sid := range rec.storeIDs {
		c.detach(rec, sid)
	}
}

// intern returns the number of a category, allocating one for a new
// category; under the write lock. Categories are few: the table only grows.
func (c *Catalog) intern(cat string) uint32 {
	n, ok := c.cats[cat]
	if !ok {
		n = uint32(len(c.cats) + 1)
		c.cats[cat] = n
	}
	return n
}

// Counts returns how many stores, programs and beacons the catalog holds.
func (c *Catalog) Counts() (stores, programs, beacons int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stores.len(), len(c.programs), len(c.beacons)
}

// Store returns the store snapshot with id, if known.
func (c *Catalog) Store(id uint64) (*nearby.Store, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if rec := c.stores.get(id); rec != nil {
		return rec.s, true
	}
	return nil, false
}

// Program returns a copy of the program snapshot with id, with its
// current stores in id order, if known.
func (c *Catalog) Program(id uint64) (*nearby.Program, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if rec := c.programs[id]; rec != nil {
		p := *rec.p
		p.StoreIDs = slices.Clone(rec.storeIDs)
		return &p, true
	}
	return nil, false
}
