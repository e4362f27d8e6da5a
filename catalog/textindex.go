package catalog

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/nearby-dev/nearby/geo"
)

// A text query (q) that few stores around the point match would walk the
// whole radius to find them: a chain of a hundred stores spread over a
// million reads every store of the city. textIndex finds the candidates
// instead: per grid cell of textCellDeg degrees, each token (a folded
// word, or a Han/kana bigram or character) maps to the stores whose name,
// tags or present programs' names contain it. A query looks up, in the
// cells covering its circle, the stores of its most selective token (by
// prefix for words), and visits only those, nearest first; the full match
// is still checked on each. When the candidates are many the matches are
// dense and the ordinary walk finds them quickly, so the index answers
// only below maxTextCandidates.

const (
	textCellDeg       = 0.05 // about 5.5 km of latitude
	maxTextCells      = 1600
	maxTextCandidates = 4096
	maxPrefixTokens   = 512 // distinct words a query word may prefix
)

// textEntry is a store under a token, with its place, so that a query
// ranks its candidates by exact distance without reading their records
// (a cache miss each at a million stores), and its unit vector makes that
// distance a few multiplications; 32 bytes.
type textEntry struct {
	id uint64
	v  geo.Vec
}

// textCell is the index of one cell. A query reads no map: the sorted
// tokens, their heads and the positions of their lists are arrays that a
// binary search walks, and the lists are reached by position. The map
// serves writes.
type textCell struct {
	m     map[string]int32 // token -> position of its list in lists
	lists [][]textEntry    // stores under each token (a store once per source)
	free  []int32          // positions of lists whose token was removed

	mu     sync.Mutex  // orders the readers that sort
	dirty  atomic.Bool // m's keys changed since sorted was built
	sorted []string    // m's keys, sorted when !dirty
	heads  []uint64    // head of each of sorted: most probes of a search read no key
	pos    []int32     // position of each of sorted's lists
}

// head is the first 8 bytes of a token, big-endian, padded with zeros. A
// token has no zero byte, so heads order as their tokens do wherever they
// differ.
func head(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

type textIndex struct {
	cells map[uint64]*textCell
	off   bool // tests: always walk

	// The cell of the last add: stores are added in id order, and
	// neighbouring ids are often neighbours, so a bulk load mostly skips
	// the lookup.
	lastKey  uint64
	lastCell *textCell
}

func cellOf(lat, lng float64) (row, col int) {
	row = int(math.Floor((lat + 90) / textCellDeg))
	col = int(math.Floor((lng + 180) / textCellDeg))
	return row, col
}

const textCols = int(360 / textCellDeg)

func cellKey(row, col int) uint64 {
	col = ((col % textCols) + textCols) % textCols
	return uint64(row)<<32 | uint64(col)
}

// tokens lists the distinct tokens of a text: its words, and the bigrams
// and characters of its runs. Words of digits only are left out: store
// numbers ("Store 1234") would each be a key of their own, most of the
// index's memory, for a search people rarely make; a query of digits alone
// walks instead.
func tokens(t *textRec) []string {
	if t == nil {
		return nil
	}
	var out []string
	t.eachWord(func(w string) bool {
		if !digits(w) {
			out = append(out, w)
		}
		return false
	})
	t.eachRun(func(run string) {
		for i, c := range run {
			n := utf8.RuneLen(c)
			out = append(out, run[i:i+n])
			if j := i + n; j < len(run) {
				_, m := utf8.DecodeRuneInString(run[j:])
				out = append(out, run[i:j+m])
			}
		}
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// add indexes the tokens of t for store id at (lat, lng); under the
// catalog's write lock.
func (ix *textIndex) add(lat, lng float64, id uint64, t *textRec) {
	ix.addTokens(lat, lng, id, tokens(t))
}

// addTokens is add with the text's tokens already listed.
func (ix *textIndex) addTokens(lat, lng float64, id uint64, toks []string) {
	if len(toks) == 0 {
		return
	}
	if ix.cells == nil {
		ix.cells = make(map[uint64]*textCell)
	}
	k := cellKey(cellOf(lat, lng))
	c := ix.lastCell
	if c == nil || ix.lastKey != k {
		c = ix.cells[k]
		if c == nil {
			c = &textCell{m: make(map[string]int32)}
			ix.cells[k] = c
		}
		ix.lastKey, ix.lastCell = k, c
	}
	e := textEntry{id, geo.VecOf(geo.Point{Lat: lat, Lng: lng})}
	for _, tok := range toks {
		i, ok := c.m[tok]
		if !ok {
			i = c.newList()
			c.m[strings.Clone(tok)] = i // tok may alias an arena chunk, which it would keep alive
			c.dirty.Store(true)
		}
		c.lists[i] = append(c.lists[i], e)
	}
}

// pack moves every cell's lists into one array per cell, each list at
// its exact length: lists grown by append carry up to half their capacity
// spare (a third of the index after a bulk load) and are an object each
// for the collector. A later append to a packed list copies it out, as an
// append beyond capacity does (its old place stays in the cell's array
// while the others use it: at most the packed size again, however many
// writes follow). Under the catalog's write lock.
func (ix *textIndex) pack() {
	for _, c := range ix.cells {
		n := 0
		for _, l := range c.lists {
			n += len(l)
		}
		all := make([]textEntry, 0, n)
		for i, l := range c.lists {
			lo := len(all)
			all = append(all, l...)
			c.lists[i] = all[lo:len(all):len(all)]
		}
	}
}

// newList returns the position of an empty list for a new token.
func (c *textCell) newList() int32 {
	if n := len(c.free); n > 0 {
		i := c.free[n-1]
		c.free = c.free[:n-1]
		return i
	}
	c.lists = append(c.lists, nil)
	return int32(len(c.lists) - 1)
}

// remove undoes one add of the same arguments.
func (ix *textIndex) remove(lat, lng float64, id uint64, t *textRec) {
	c := ix.cells[cellKey(cellOf(lat, lng))]
	if c == nil {
		return
	}
	for _, tok := range tokens(t) {
		i, ok := c.m[tok]
		if !ok {
			continue
		}
		ids := c.lists[i]
		if j := slices.IndexFunc(ids, func(e textEntry) bool { return e.id == id }); j >= 0 {
			ids[j] = ids[len(ids)-1]
			ids = ids[:len(ids)-1]
		}
		if len(ids) == 0 {
			delete(c.m, tok)
			c.lists[i] = nil
			c.free = append(c.free, i)
			c.dirty.Store(true)
		} else {
			c.lists[i] = ids
		}
	}
}

// addStore and removeStore index a store's own text and that of each
// program present.
func (c *Catalog) addStore(id uint64, r *storeRec) { c.indexStore(id, r, c.tix.add) }

func (c *Catalog) removeStore(id uint64, r *storeRec) { c.indexStore(id, r, c.tix.remove) }

func (c *Catalog) indexStore(id uint64, r *storeRec, fn func(lat, lng float64, id uint64, t *textRec)) {
	rec := c.arena.get(r.rec)
	lat, lng := storePlace(rec)
	t := storeText(rec)
	fn(lat, lng, id, &t)
	for _, h := range c.progs(r) {
		pt := programText(c.arena.get(h.rec))
		fn(lat, lng, id, &pt)
	}
}

// keys returns the cell's sorted tokens, their heads and the positions
// of their lists, sorting them first if a write changed them. Readers hold
// the catalog's read lock, so no writer runs; once sorted, readers share
// the arrays without locking, and the cell's mutex orders those that find
// it dirty.
func (c *textCell) keys() ([]string, []uint64, []int32) {
	if c.dirty.Load() {
		c.mu.Lock()
		if c.dirty.Load() {
			type kp struct {
				k string
				p int32
			}
			all := make([]kp, 0, len(c.m))
			for k, p := range c.m {
				all = append(all, kp{k, p})
			}
			slices.SortFunc(all, func(a, b kp) int { return strings.Compare(a.k, b.k) })
			c.sorted, c.heads, c.pos = c.sorted[:0], c.heads[:0], c.pos[:0]
			for _, e := range all {
				c.sorted = append(c.sorted, e.k)
				c.heads = append(c.heads, head(e.k))
				c.pos = append(c.pos, e.p)
			}
			c.dirty.Store(false) // publishes the arrays to readers that load it
		}
		c.mu.Unlock()
	}
	return c.sorted, c.heads, c.pos
}

// prefixed returns the positions in lists of the tokens of c that start
// with p. The keys are strings elsewhere in memory, each a cache miss: the
// search compares their heads, and a key only where its head equals p's.
func (c *textCell) prefixed(p string) []int32 {
	ks, hs, pos := c.keys()
	hp := head(p)
	i, j := 0, len(ks) // the first key >= p is in [i, j]
	for i < j {
		m := int(uint(i+j) >> 1)
		if hs[m] < hp || hs[m] == hp && ks[m] < p {
			i = m + 1
		} else {
			j = m
		}
	}
	// A key starts with p when its head does to p's length (a shorter key
	// has zeros there); a p of more than 8 bytes compares the rest.
	mask := ^uint64(0) << (64 - 8*min(len(p), 8))
	j = i
	for j < len(ks) && hs[j]&mask == hp && (len(p) <= 8 || strings.HasPrefix(ks[j], p)) {
		j++
	}
	return pos[i:j]
}

// candidates returns the stores within radiusM of center that hold the
// most selective token of t, nearest first (ties by id), or ok false when
// the index should not answer: too many cells, too broad a prefix, or
// more than maxTextCandidates stores. Under the catalog's read lock.
func (c *Catalog) candidates(t *Text, center geo.Point, radiusM float64, dst []geo.Hit, keys *[]uint64) ([]geo.Hit, bool) {
	cells, ok := c.tix.cover(center, radiusM)
	if !ok {
		return dst, false
	}
	// The words each cell holds under the chosen token are kept from the
	// choice for the gathering (their binary searches are cache misses),
	// for up to len(choice.ws) cells.
	type choice struct {
		tok string
		n   int
		ws  [16][]int32
	}
	var best, cur choice
	best.n = -1
	try := func(tok string) bool {
		n := 0
		for i, cl := range cells {
			ws := cl.prefixed(tok)
			if len(ws) > maxPrefixTokens {
				return false
			}
			if i < len(cur.ws) {
				cur.ws[i] = ws
			}
			for _, w := range ws {
				n += len(cl.lists[w])
			}
		}
		if best.n < 0 || n < best.n {
			cur.tok, cur.n = tok, n
			best = cur
		}
		return true
	}
	for _, w := range t.words {
		if !digits(w) {
			try(w)
		}
	}
	for _, g := range t.grams {
		try(g) // a single character also prefixes its bigrams
	}
	if best.n < 0 || best.n > maxTextCandidates {
		return dst, false
	}
	hits := dst[:0]
	// The squared chord drops the candidates outside the circle before
	// their distance is computed.
	cv, bound := geo.VecOf(center), geo.Chord2Bound(radiusM)
	for i, cl := range cells {
		var ws []int32
		if i < len(best.ws) {
			ws = best.ws[i]
		} else {
			ws = cl.prefixed(best.tok)
		}
		for _, w := range ws {
			for _, e := range cl.lists[w] {
				c2 := cv.Chord2(e.v)
				if c2 > bound {
					continue
				}
				if d := geo.Chord2ToM(c2); d <= radiusM {
					hits = append(hits, geo.Hit{ID: e.id, DistM: d})
				}
			}
		}
	}
	hits = sortHits(hits, keys)
	return slices.CompactFunc(hits, func(a, b geo.Hit) bool { return a.ID == b.ID }), true
}

// hitBefore orders hits nearest first, ties by id (a store's hits, one per
// source, are then adjacent).
func hitBefore(a, b geo.Hit) bool { return a.DistM < b.DistM || a.DistM == b.DistM && a.ID < b.ID }

// sortHits sorts hits by hitBefore, with keys as a buffer it may grow; it
// may use hits' spare capacity. A general sort calls its comparison
// through a function value; sorting integers compares inline, several
// times faster on a text query's few dozen candidates. A key is a
// distance's bits (a non-negative float's bits order as the float) with
// the low 12 of its 52 mantissa bits replaced by the hit's index, so keys
// order hits by distance to 40 bits, and a last insertion pass, linear on
// hits so nearly sorted, orders exactly those nearer to each other than
// that (and ties by id).
func sortHits(hits []geo.Hit, keys *[]uint64) []geo.Hit {
	const idxBits = 12
	if len(hits) > 1<<idxBits {
		slices.SortFunc(hits, compareHits)
		return hits
	}
	ks := (*keys)[:0]
	for i, h := range hits {
		ks = append(ks, math.Float64bits(h.DistM)&^(1<<idxBits-1)|uint64(i))
	}
	*keys = ks
	slices.Sort(ks)
	n := len(hits)
	hits = slices.Grow(hits, n)
	for _, k := range ks {
		hits = append(hits, hits[k&(1<<idxBits-1)])
	}
	copy(hits, hits[n:])
	hits = hits[:n]
	moves := 0
	for i := 1; i < n; i++ {
		h := hits[i]
		j := i
		for ; j > 0 && hitBefore(h, hits[j-1]); j-- {
			hits[j] = hits[j-1]
		}
		hits[j] = h
		// Many stores at one distance (a mall imported at one point) would
		// make the pass quadratic: the general sort takes over.
		if moves += i - j; moves > 8*n {
			slices.SortFunc(hits, compareHits)
			break
		}
	}
	return hits
}

func compareHits(a, b geo.Hit) int {
	return cmp.Or(cmp.Compare(a.DistM, b.DistM), cmp.Compare(a.ID, b.ID))
}

// textHits is candidates for a query with text, ok false without. The
// texts of the first pre candidates are prefetched: about the page, which
// most text queries settle within.
func (c *Catalog) textHits(t *Text, center geo.Point, radiusM float64, dst []geo.Hit, keys *[]uint64, pre int) ([]geo.Hit, bool) {
	if t == nil || c.tix.off {
		return dst, false
	}
	hits, ok := c.candidates(t, center, radiusM, dst, keys)
	if ok && c.prefetchText(hits[:min(len(hits), pre, textBatch)]) < 0 {
		return dst, false // never: a sum of bytes; the test keeps the loads
	}
	return hits, ok
}

// cover returns the cells with text that a circle may touch.
func (ix *textIndex) cover(center geo.Point, radiusM float64) ([]*textCell, bool) {
	dlat := radiusM / 111_000 // a little more than a degree's metres: a margin
	cosLat := math.Cos(math.Min(89.9, math.Abs(center.Lat)+dlat) * math.Pi / 180)
	dlng := math.Min(180, dlat/math.Max(cosLat, 1e-6))
	r0, c0 := cellOf(math.Max(-90, center.Lat-dlat), center.Lng-dlng)
	r1, c1 := cellOf(math.Min(90, center.Lat+dlat), center.Lng+dlng)
	if c1-c0 >= textCols {
		c0, c1 = 0, textCols-1
	}
	if (r1-r0+1)*(c1-c0+1) > maxTextCells {
		return nil, false
	}
	var out []*textCell
	for r := r0; r <= r1; r++ {
		for col := c0; col <= c1; col++ {
			if cl := ix.cells[cellKey(r, col)]; cl != nil {
				out = append(out, cl)
			}
		}
	}
	return out, true
}

func digits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// textBatch is how many of a text query's nearest candidates have their
// texts prefetched: a page that settles early does not pay for more.
const textBatch = 64

// prefetchText touches what visit's text filter reads of each store: its
// text and those of its programs, three or four dependent cache misses
// each. In loops of independent loads the misses overlap instead of
// stalling visit one after another. It returns a sum of the bytes read,
// which keeps the loads.
func (c *Catalog) prefetchText(hits []geo.Hit) int {
	n := 0
	for _, h := range hits {
		if r := c.stores.At(h.ID); r != nil && r.rec != 0 {
			n += c.arena.touch(r.rec)
		}
	}
	for _, h := range hits {
		if r := c.stores.At(h.ID); r != nil {
			for _, ph := range c.progs(r) {
				n += c.arena.touch(ph.rec)
			}
		}
	}
	return n
}
