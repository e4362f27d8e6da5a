// Package geo is the in-memory spatial index of located entries (stores):
// ids with a latitude/longitude, answering nearest-first radius and k-NN
// queries, bounding-box queries and H3 cell counts, with inserts, moves and
// deletes running alongside queries.
//
// # Distances
//
// Every distance is great-circle on a sphere of radius EarthRadiusM
// (6371008.8 m, the IUGG mean radius), by the haversine formula. Distance
// computes it from two Points. The queries keep each entry as a unit vector
// and rank by the squared chord between vectors, which is 4·hav(θ): the same
// formula without the trigonometry, so ordering costs three multiplies per
// candidate and the arcsine is taken only for returned hits. The two agree
// to 1e-5 m (2e-12 relative near the antipode). Longitudes 180 and -180 are
// the same meridian; nothing is planar, so the antimeridian and the poles
// need no special cases from callers.
//
// # Structures and query paths
//
// The Index keeps three structures, updated together under one lock:
//
//   - an id table (id → exact Point, internal/idtable) for Get, Move,
//     Delete and exact checks;
//   - a grid of 1/128° latitude/longitude cells (about 870 m north-south),
//     each grid row one array of 32-byte entries (unit vector + id) grouped
//     by cell in column order, with a sorted directory of its occupied
//     cells (column and offset of the cell's first entry);
//   - a tidwall/rtree R-tree over the boxes of the occupied cells (not over
//     the entries: about a hundred thousand cells instead of a million
//     points, keyed by cell).
//
// Nearby, KNN and Walk start on the grid: a rectangle of cells grows around
// the centre by half a cell height per step, each row walking its sorted
// cells outward from the centre's column with two cursors (so empty cells
// cost nothing and the antimeridian is just a wrap of the cursor). After
// each step every entry nearer than the rectangle's edges has been seen, so
// candidates nearer than that are final. The rectangle is rounded out to
// whole cells, so its edges usually lie farther than the step's radius, and
// the query uses that exact distance. A step places the cursors of all its
// new rows (and reads the first entries either side) before scanning any:
// with a cold cache the query is mostly memory latency, and this lets the
// rows' cache misses overlap instead of queueing behind each other. Nearby keeps a bounded max-heap of the Limit best accepted entries
// and stops as soon as the heap is full and its worst is inside the covered
// radius; a Filter that rejects most entries simply makes it go on. Walk
// keeps a min-heap and streams what is final. This is the hot path: in
// city-dense data the 20 nearest lie within about 9 cells (about 100
// entries), and the query does not allocate.
//
// When the grid walk exceeds GridBudget (rows scanned per step plus cells
// visited: sparse areas with a large radius, e.g. k-NN in the ocean), or
// degenerates near a pole, the query continues on the R-tree: a best-first
// walk over occupied cells ordered by the exact minimum great-circle
// distance from the centre to each cell's (and each R-tree node's) box,
// skipping the cells the grid already visited. Empty space costs nothing
// there.
//
// InBounds and Cells search the R-tree for the cells meeting the box (two
// boxes across the antimeridian). Cells wholly inside are taken whole; in
// edge cells each entry is tested from its unit vector, and the id table is
// read only for the rare entry within rounding of an edge.
//
// H3 (uber/h3-go) serves Cells and CellOf: hexagonal, hierarchical cells
// with stable ids are what heatmaps and future sharding need. It is not on
// the query path: every h3 call is a cgo call of a few hundred nanoseconds,
// and covering a 2 km circle with gridDisk at resolution 8 plus a map
// lookup per hexagon costs far more than the whole grid query.
// BenchmarkIndex_Nearby measures that "h3-disk-topk" variant next to the
// plain R-tree ("rtree-box-topk") and brute force in the same run; the
// figures are in BENCHMARKS.md (## geo). On 1,000,000 city-clustered
// entries the grid path answers 2 km / 20 about ten times faster than a
// plain R-tree box search plus top-k, and InBounds beats the plain R-tree's
// box search because whole cells skip per-point tests.
//
// # Concurrency
//
// The Index is safe for concurrent use. One sync.RWMutex guards all three
// structures: queries share the read lock for their whole run, so a reader
// never sees a half-applied write (a Move removes and re-adds under the write
// lock); writers hold the write lock for microseconds (a write moves the
// tail of its grid row: at most ~130 KB on the benchmark world's densest
// row, 4,099 entries). A reader waits at
// most for one write plus the readers already running. Copy-on-write
// snapshots were not needed at these write rates and would cost memory.
//
// # Limits
//
// Coordinates must be finite, latitude in [-90, 90] and longitude in
// [-180, 180]. Radii are metres in [0, MaxRadiusM] (half the circumference,
// so MaxRadiusM covers the Earth; the HTTP API allows only 50 km). Limit and
// k are in [1, MaxLimit]. Violations return a *FieldError naming "lat",
// "lng", "radius_m", "limit", "k", "res" or "bounds", matching ErrInvalid.
// Radius 0 finds entries exactly at the centre.
//
// # Caveats
//
//   - Filter and Walk's callback run under the read lock: they must not call
//     the Index (a waiting writer would deadlock them) and should be quick,
//     since writers wait for them.
//   - InBounds and Cells over a large box read every entry in it under the
//     read lock; Cells also makes one cgo call per entry (a world-wide Cells
//     over a million entries takes a fraction of a second, delaying writers).
//   - The R-tree path (sparse areas, poles, very large radii) allocates a
//     little per query and costs tens of microseconds; the grid path
//     allocates nothing. Walk's callback usually escapes (one or two small
//     allocations per call).
//   - Hits are ordered by reported distance, then id. Two entries whose
//     chords differ by an ulp but whose metres are equal come out by id.
//   - Load on an empty index is the fast bulk path (two cores: id table and
//     grid in parallel); it rejects duplicate ids. Load on a non-empty index
//     inserts one by one under the write lock, stalling readers meanwhile.
//   - Insert, Move and Delete cost time linear in the entries of their grid
//     row (each row is one array, so a write moves the row's tail): a dense
//     latitude band, or thousands of duplicates at one point, makes writes
//     there slower. The first write to a row after Load reallocates it.
package geo
