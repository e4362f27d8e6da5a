// Package catalog is the in-memory read model behind the phone endpoints:
// stores in a geo.Index, their programs and beacons in compact maps, and the
// query engine that answers "what is nearby" and "which beacons do I see".
//
// The api package calls the Put/Delete hooks after each committed write and
// at start-up while loading; the catalog never touches storage.
//
// # Nearby
//
// Candidates are (program, store) pairs whose store lies within the radius.
// A store matches a program when the program passes the category filter,
// strict targeting does not hide it from the phone, and, with open_now, the
// store is open (unknown hours count as open). Each program is ranked once,
// at its nearest matching store (ties: the lower store id), with the score of
// package ranking. Results are ordered by score descending, then distance,
// then program id: a total order that never depends on map iteration.
//
// The query reads stores from the geo index nearest first and stops as soon
// as no farther store can enter the page: ranking.MaxScore bounds the score
// of anything at the current distance or beyond, and once the page is full
// with better candidates the search ends. Results therefore equal a
// brute-force ranking of every store in the radius (the tests check this),
// while a dense city costs a few dozen index hits. The stores come in
// batches from geo's k-nearest query (k growing fourfold per round; past
// geo.MaxLimit, from its streaming Walk). A query that cannot fill its page
// reads the whole radius, up to Options.MaxScan stores (default
// DefaultMaxScan), after which it returns what it found.
//
// # Filters, text and the store locator
//
// app_id and merchant_id keep only matching programs. A text query (q,
// see CompileText) keeps programs whose name, or whose store's name or
// tags, match, and adds the match's relevance to the score; its candidates
// come from a text index per 0.05° grid cell (textindex.go) unless the
// query's words are so common that the ordinary walk finds them sooner. A
// query reads no map there: a cell's sorted tokens, their heads and the
// positions of their store lists are arrays, and each entry carries the
// store's unit vector, so candidates are ranked by exact distance before
// any record is read.
// StoresNearby is the store locator: every store, nearest first, whether or
// not a program lists it, with the programs present.
//
// # Chains
//
// LinkStores and UnlinkStore change one program's stores in place, so a
// chain of any size gains or loses a store without being put again.
//
// # Memory layout
//
// At a million stores, every record a query touches is a cache miss, and
// misses, not arithmetic, are the cost of a query; at ten million the
// garbage collector's marking is the other cost. So the catalog holds
// almost no pointers. Stores and programs live in rows of numbers (64 and
// 40 bytes) in dense chunks indexed by id (internal/idtable; ids are
// storage sequence numbers); what a query reads of a store and its only
// program is one cache line. Their variable-length bytes (the rendered
// briefs, the snapshots' strings, the folded texts) are records in
// append-only byte arenas (arena.go), each starting with its folded text
// (what a text query reads of every candidate) and then its brief (its
// values only, when the renderer is a BriefTemplater: the JSON keys were
// ~80 bytes of every store and program), and the
// values many records share (categories, time zones, opening hours,
// targetings) are interned and named by number. A
// chunk of rows or of arena bytes is one object the collector marks
// without scanning: a collection takes milliseconds at a million stores.
// Snapshots (Store, Program, the results of the locator and of Resolve)
// are rebuilt on demand with strings that alias the arena, whose bytes
// never change once written; dead bytes are reclaimed by copying the live
// records to fresh chunks. Each batch of hits is touched once before it is
// ranked, and the page's records before they are decoded, so that the
// misses overlap. A query allocates its result slice and, when there is a
// next page, the cursor; with NearbyQuery.BriefsOnly no snapshot at all.
//
// # Cursors
//
// A cursor is opaque: a digest of the query's parameters, the query time of
// the first page, and the rank key (score, distance, program id) of the last
// result served. The next page returns what ranks strictly after that key,
// computed at the same pinned time, so pages have neither duplicates nor
// gaps while the data does not change (and, being keyset-based, no
// duplicates even when it does). A cursor used with other parameters is
// rejected with an EINVALID error naming "cursor"; limit and explain may
// change between pages. Cursors expire after Options.CursorTTL (default 24
// hours).
//
// # Popularity
//
// RecordActivity adds shakes and enter (visit) events to a per-store counter
// that decays exponentially with Options.PopularityHalfLife (default 7
// days). Counters are stored scaled to the catalog's epoch, so that adding is
// one atomic compare-and-swap and decaying all of them is one multiplication
// at query time. Until any activity is recorded the popularity factor is
// neutral for every store.
//
// # Beacons
//
// Resolve maps observed iBeacon identities to known active beacons. The
// distance is estimated from rssi and the measured power at 1 m (the
// sighting's tx_power, else the beacon's configured one, else
// nearby.DefaultTxPower) by Options.Estimate, which defaults to
// nearby.EstimateDistance (the AltBeacon curve fit), and classified by
// Options.Classify, which defaults to nearby.ProximityOf (immediate up to
// 0.5 m, near up to 3 m, far beyond; unknown without rssi).
//
// # Concurrency
//
// All methods are safe for concurrent use. Writers take a mutex; queries
// share a read lock and reuse per-query scratch space from a sync.Pool.
// Load bulk-builds the catalog for start-up, encoding on every processor.
package catalog
