package geo

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/nearby-dev/nearby/internal/idtable"
	"github.com/tidwall/rtree"
)

// cellsPerDeg sets the grid: cells are 1/128° square in latitude/longitude,
// about 870 m north-south and 670 m east-west at 40° latitude. A power of two
// keeps the cell arithmetic exact. On the benchmark world 1/128 beat 1/64 on
// Nearby 2 km/20 (p50 4.6 µs against 5.9 µs, same session); finer cells
// mean more cells per entry (memory) and more rows per query.
const (
	cellsPerDeg = 128
	cellDeg     = 1.0 / cellsPerDeg
	nRows       = 180 * cellsPerDeg
	nCols       = 360 * cellsPerDeg
)

// Load packs row and column into 16 bits each: this fails to compile if
// cellsPerDeg grows past 182.
const _ = uint16(nCols - 1)

// entry is one indexed point, 32 bytes: the unit vector (for distance
// ranking without trigonometry) and the id.
type entry struct {
	v  vec
	id uint64
}

// cellBox returns the lat/lng box of grid cell (row, col).
func cellBox(row, col int) (lo, hi [2]float64) {
	lat, lng := float64(row)*cellDeg-90, float64(col)*cellDeg-180
	return [2]float64{lat, lng}, [2]float64{lat + cellDeg, lng + cellDeg}
}

func cellKey(row, col int) uint64 { return uint64(row)<<32 | uint64(col) }

// gridRow holds the occupied cells of one grid row sorted by column. All
// the row's entries are in one array, ents, grouped by cell in column
// order; dir lists each occupied cell's column and the offset of its first
// entry in ents, followed by a sentinel {dirEnd, len(ents)}, so cell i is
// ents[dir[i].off:dir[i+1].off]. A query walks a row's columns with two
// cursors instead of looking cells up one by one, so empty cells cost
// nothing; reaching a cell's entries takes no pointer hop (the column and
// the offset share the binary search's last cache line), and a cursor
// moving along the row reads its cells' entries from consecutive memory.
// An empty row has no dir at all. Writes shift the row's tail, a memmove
// as long as the row (the benchmark world's densest row holds 4,099
// entries, 131 KB); only the write lock changes a row.
type gridRow struct {
	dir  []dirEnt
	ents []entry
}

// dirEnt is one occupied cell of a row: its column and the offset of its
// first entry in the row's ents.
type dirEnt struct{ col, off int32 }

// dirEnd is the column of a row directory's sentinel, past every column.
const dirEnd = math.MaxInt32

// n returns the number of occupied cells in the row.
func (g *gridRow) n() int { return max(len(g.dir)-1, 0) }

// cell returns the entries of the row's i-th occupied cell.
func (g *gridRow) cell(i int) []entry {
	return g.ents[g.dir[i].off:g.dir[i+1].off]
}

// find returns the index of col in the row, or where it would be inserted.
// The sentinel's column is past every column, so the search covers it and
// needs no bounds check of its own.
func (g *gridRow) find(col int) (int, bool) {
	if len(g.dir) == 0 {
		return 0, false
	}
	c := int32(col)
	lo, hi := 0, len(g.dir)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if g.dir[m].col < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, g.dir[lo].col == c
}

// shift adds d to the offsets of the cells from i on, sentinel included.
func (g *gridRow) shift(i int, d int32) {
	for j := i; j < len(g.dir); j++ {
		g.dir[j].off += d
	}
}

func rowOf(lat float64) int {
	r := int(math.Floor((lat + 90) * cellsPerDeg))
	return min(max(r, 0), nRows-1)
}

// colOf maps lng to its column; 180 lands in column 0 with -180.
func colOf(lng float64) int {
	c := int(math.Floor((lng + 180) * cellsPerDeg))
	return ((c % nCols) + nCols) % nCols
}

// Index is an in-memory spatial index of points keyed by uint64 id.
//
// Three structures, kept consistent under one sync.RWMutex:
//   - ids holds each id's exact Point (Get, Move, Delete, exact checks), in
//     an id-indexed table: storage ids are dense, and a map of a million
//     points would be 49 MB and a hash probe a lookup;
//   - rows is a grid of 1/128° cells holding compact entries, each row one
//     array of its entries grouped by cell in column order plus a sorted
//     directory of its occupied cells (gridRow): the hot path of Nearby,
//     KNN and Walk expands over it ring by ring;
//   - tree is an R-tree of the occupied cells' boxes: InBounds, Cells, and
//     queries whose grid walk would cross too many cells (sparse areas, large
//     radii, the poles) use it.
//
// The zero value is not usable; call New.
type Index struct {
	mu    sync.RWMutex
	ids   idtable.Table[Point]
	rows  []gridRow            // nRows, allocated on first write
	ncell int                  // occupied cells
	tree  rtree.RTreeG[uint64] // occupied cells' boxes, data cellKey(row, col)

	// GridBudget bounds a query's grid walk, in units of one row scanned
	// in one step or one occupied cell visited; past it the query continues
	// on the R-tree. Set it before use; New seeds DefaultGridBudget.
	GridBudget int

	pool sync.Pool // *search
}

// DefaultGridBudget is the default Index.GridBudget. City-dense queries
// (20 nearest within a few hundred metres, or 2 km with a selective filter)
// finish in well under 256 units; a query still going after that is in
// sparse space, where the R-tree's best-first walk over occupied cells skips
// the emptiness (BenchmarkIndex_KNN).
const DefaultGridBudget = 256

// New returns an empty index.
func New() *Index {
	ix := &Index{GridBudget: DefaultGridBudget}
	ix.pool.New = func() any { return new(search) }
	return ix
}

// Len returns the number of entries.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.ids.Len()
}

// Get returns the point stored for id.
func (ix *Index) Get(id uint64) (Point, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if p := ix.ids.Get(id); p != nil {
		return *p, true
	}
	return Point{}, false
}

// Insert adds id at p, or moves it there if id is already present.
func (ix *Index) Insert(id uint64, p Point) error {
	if err := checkPoint(p); err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old := ix.ids.Get(id); old != nil {
		ix.move(id, *old, p)
		return nil
	}
	*ix.ids.Add(id) = p
	ix.add(id, p)
	return nil
}

// Move changes the point of an existing id. It returns an error wrapping
// ErrNotFound when id is absent.
func (ix *Index) Move(id uint64, p Point) error {
	if err := checkPoint(p); err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	old := ix.ids.Get(id)
	if old == nil {
		return fmt.Errorf("geo: move %d: %w", id, ErrNotFound)
	}
	ix.move(id, *old, p)
	return nil
}

// Delete removes id and reports whether it was present.
func (ix *Index) Delete(id uint64) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	pp := ix.ids.Get(id)
	if pp == nil {
		return false
	}
	p := *pp
	ix.ids.Delete(id)
	ix.remove(id, p)
	return true
}

func (ix *Index) move(id uint64, old, p Point) {
	*ix.ids.Get(id) = p
	r0, c0, r1, c1 := rowOf(old.Lat), colOf(old.Lng), rowOf(p.Lat), colOf(p.Lng)
	if r0 == r1 && c0 == c1 {
		g := &ix.rows[r0]
		i, _ := g.find(c0)
		es := g.cell(i)
		for j := range es {
			if es[j].id == id {
				es[j].v = toVec(p)
				return
			}
		}
	}
	ix.remove(id, old)
	ix.add(id, p)
}

func (ix *Index) add(id uint64, p Point) {
	if ix.rows == nil {
		ix.rows = make([]gridRow, nRows)
	}
	r, c := rowOf(p.Lat), colOf(p.Lng)
	g := &ix.rows[r]
	i, ok := g.find(c)
	if !ok {
		if len(g.dir) == 0 {
			g.dir = append(g.dir, dirEnt{col: dirEnd})
		}
		g.dir = slices.Insert(g.dir, i, dirEnt{col: int32(c), off: g.dir[i].off})
		ix.ncell++
		lo, hi := cellBox(r, c)
		ix.tree.Insert(lo, hi, cellKey(r, c))
	}
	// Append to the cell, as a slice per cell would: the row's later cells
	// move up by one.
	g.ents = slices.Insert(g.ents, int(g.dir[i+1].off), entry{v: toVec(p), id: id})
	g.shift(i+1, 1)
}

func (ix *Index) remove(id uint64, p Point) {
	r, c := rowOf(p.Lat), colOf(p.Lng)
	g := &ix.rows[r]
	ci, _ := g.find(c)
	lo, end := int(g.dir[ci].off), int(g.dir[ci+1].off)
	for i := lo; i < end; i++ {
		if g.ents[i].id == id {
			// Swap with the cell's last entry, then close the gap.
			g.ents[i] = g.ents[end-1]
			g.ents = slices.Delete(g.ents, end-1, end)
			g.shift(ci+1, -1)
			break
		}
	}
	if g.dir[ci+1].off == g.dir[ci].off {
		g.dir = slices.Delete(g.dir, ci, ci+1)
		if len(g.dir) == 1 {
			g.dir, g.ents = nil, nil
		}
		ix.ncell--
		lo, hi := cellBox(r, c)
		ix.tree.Delete(lo, hi, cellKey(r, c))
	}
}

// cellAt returns the entries of the occupied cell with key k.
func (ix *Index) cellAt(k uint64) []entry {
	g := &ix.rows[k>>32]
	i, ok := g.find(int(uint32(k)))
	if !ok {
		return nil
	}
	return g.cell(i)
}

// Load bulk-inserts ids[i] at pts[i]. On an empty index it builds the grid
// in one pass (entries sorted by cell into one backing array, carved into
// exact-capacity rows); on a non-empty index it inserts one by one. Ids must be
// unique within the call; on any error the index is unchanged.
func (ix *Index) Load(ids []uint64, pts []Point) error {
	if len(ids) != len(pts) {
		return invalid("pts", "got %d points for %d ids", len(pts), len(ids))
	}
	for i, p := range pts {
		if err := checkPoint(p); err != nil {
			fe := err.(*FieldError)
			return invalid(fe.Field, "pts[%d]: %s", i, fe.Message)
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.ids.Len() > 0 {
		seen := make(map[uint64]struct{}, len(ids))
		for _, id := range ids {
			if _, dup := seen[id]; dup {
				return invalid("ids", "duplicate id %d", id)
			}
			seen[id] = struct{}{}
		}
		for i, id := range ids {
			if old := ix.ids.Get(id); old != nil {
				ix.move(id, *old, pts[i])
				continue
			}
			*ix.ids.Add(id) = pts[i]
			ix.add(id, pts[i])
		}
		return nil
	}

	// The id table and the grid are independent: build them on two cores.
	var m idtable.Table[Point]
	var dupErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m, dupErr = buildIDMap(ids, pts)
	}()
	rows, ncell, tree := buildGrid(ids, pts)
	wg.Wait()
	if dupErr != nil {
		return dupErr
	}
	ix.ids, ix.rows, ix.ncell, ix.tree = m, rows, ncell, tree
	return nil
}

func buildIDMap(ids []uint64, pts []Point) (idtable.Table[Point], error) {
	var m idtable.Table[Point]
	for i, id := range ids {
		*m.Add(id) = pts[i] // a duplicate does not grow m
		if m.Len() != i+1 {
			return idtable.Table[Point]{}, invalid("ids", "duplicate id %d", id)
		}
	}
	return m, nil
}

// buildGrid sorts the entries by cell into one backing array and carves
// exact-capacity rows out of it, with their directories carved likewise out
// of a second array.
func buildGrid(ids []uint64, pts []Point) ([]gridRow, int, rtree.RTreeG[uint64]) {
	// One uint64 per entry, (row<<16 | col)<<32 | index: a plain integer
	// sort groups the entries by cell (rows < 2^15, cols < 2^16), keeping
	// input order within a cell.
	order := make([]uint64, len(ids))
	for i, p := range pts {
		order[i] = uint64(rowOf(p.Lat)<<16|colOf(p.Lng))<<32 | uint64(i)
	}
	slices.Sort(order)
	all := make([]entry, len(ids))
	ncell, nrow := 0, 0
	for j, o := range order {
		i := uint32(o)
		all[j] = entry{v: toVec(pts[i]), id: ids[i]}
		if j == 0 || o>>32 != order[j-1]>>32 {
			ncell++
			if j == 0 || o>>48 != order[j-1]>>48 {
				nrow++
			}
		}
	}
	// Every row's directory plus its sentinel, in one array.
	dirs := make([]dirEnt, 0, ncell+nrow)
	rows := make([]gridRow, nRows)
	var tree rtree.RTreeG[uint64]
	for start := 0; start < len(order); {
		r := int(order[start] >> 48)
		d0 := len(dirs)
		end := start
		for end < len(order) && int(order[end]>>48) == r {
			c := int(order[end] >> 32 & 0xffff)
			dirs = append(dirs, dirEnt{col: int32(c), off: int32(end - start)})
			lo, hi := cellBox(r, c)
			tree.Insert(lo, hi, cellKey(r, c))
			k := order[end] >> 32
			for end < len(order) && order[end]>>32 == k {
				end++
			}
		}
		dirs = append(dirs, dirEnt{col: dirEnd, off: int32(end - start)})
		rows[r] = gridRow{dir: dirs[d0:len(dirs):len(dirs)], ents: all[start:end:end]}
		start = end
	}
	return rows, ncell, tree
}
