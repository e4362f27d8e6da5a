package geo

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/rtree"
	"github.com/uber/h3-go/v4"
)

// The benchmark world: 1,000,000 entries around 50 metros plus 2% uniform
// noise (gen_test.go), built once per process. Query centres come from the
// same distribution with another seed, like phones near stores.
const (
	benchN       = 1_000_000
	benchQueries = 4096
	benchRadiusM = 2000
	benchLimit   = 20
	catalogLimit = 25 // what the catalog asks for per GET /v1/nearby
)

type benchWorld struct {
	ids     []uint64
	pts     []Point
	queries []Point

	ix         *Index
	ixBuild    time.Duration
	ixBytes    float64 // heap bytes per entry
	tree       *rtree.RTreeG[uint64]
	treeBuild  time.Duration
	treeBytes  float64
	h3cells    map[h3.Cell][]int32
	h3Build    time.Duration
	inRadiusMd float64 // entries within 2 km of a query centre: median
	inRadiusP9 float64 // and p99
}

var (
	worldOnce sync.Once
	world     *benchWorld
)

func heapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func getWorld(b *testing.B) *benchWorld {
	b.Helper()
	worldOnce.Do(func() {
		w := &benchWorld{}
		w.pts = clusteredPoints(benchN, 1, defaultClusters)
		w.ids = make([]uint64, benchN)
		for i := range w.ids {
			w.ids[i] = uint64(i) + 1
		}
		w.queries = clusteredPoints(benchQueries, 2, defaultClusters)

		before := heapBytes()
		start := time.Now()
		ix := New()
		if err := ix.Load(w.ids, w.pts); err != nil {
			b.Fatal(err)
		}
		w.ixBuild = time.Since(start)
		w.ixBytes = float64(heapBytes()-before) / benchN
		w.ix = ix

		before = heapBytes()
		start = time.Now()
		w.tree = buildRTree(w.ids, w.pts)
		w.treeBuild = time.Since(start)
		w.treeBytes = float64(heapBytes()-before) / benchN

		start = time.Now()
		w.h3cells = make(map[h3.Cell][]int32)
		for i, p := range w.pts {
			c, _ := h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), h3Res)
			w.h3cells[c] = append(w.h3cells[c], int32(i))
		}
		w.h3Build = time.Since(start)

		counts := make([]int, 0, len(w.queries))
		for _, q := range w.queries {
			n := 0
			_ = ix.Walk(q, benchRadiusM, func(Hit) bool { n++; return true })
			counts = append(counts, n)
		}
		slices.Sort(counts)
		w.inRadiusMd = float64(counts[len(counts)/2])
		w.inRadiusP9 = float64(counts[len(counts)*99/100])
		world = w
	})
	return world
}

// buildRTree is the plain baseline: every point as a degenerate float64
// rectangle in a tidwall/rtree, data = id.
func buildRTree(ids []uint64, pts []Point) *rtree.RTreeG[uint64] {
	tr := new(rtree.RTreeG[uint64])
	for i, p := range pts {
		tr.Insert([2]float64{p.Lat, p.Lng}, [2]float64{p.Lat, p.Lng}, ids[i])
	}
	return tr
}

// topK keeps the k nearest hits (max-heap on a plain slice).
type topK struct {
	k int
	h []cand
}

func (t *topK) offer(d float64, id uint64) {
	c := cand{d, id}
	if len(t.h) < t.k {
		t.h = append(t.h, c)
		upMax(t.h)
	} else if worse(t.h[0], c) {
		t.h[0] = c
		downMax(t.h)
	}
}

func (t *topK) hits(dst []Hit) []Hit {
	slices.SortFunc(t.h, cmpCand)
	for _, c := range t.h {
		dst = append(dst, Hit{ID: c.id, DistM: c.c2})
	}
	t.h = t.h[:0]
	return dst
}

// rtreeBoxTopK is the baseline Nearby: search the radius's lat/lng box,
// haversine each candidate, keep the top k.
func rtreeBoxTopK(tr *rtree.RTreeG[uint64], c Point, radiusM float64, t *topK, dst []Hit) []Hit {
	dLat := radiusM / EarthRadiusM / rad
	dLng := dLat / math.Cos(c.Lat*rad)
	tr.Search([2]float64{c.Lat - dLat, c.Lng - dLng}, [2]float64{c.Lat + dLat, c.Lng + dLng},
		func(lo, _ [2]float64, id uint64) bool {
			if d := Distance(c, Point{lo[0], lo[1]}); d <= radiusM {
				t.offer(d, id)
			}
			return true
		})
	return t.hits(dst)
}

// rtreeKNN is rtree's own nearest-first walk (planar box distance in
// degrees, as the library ships it), taking the first k items.
func rtreeKNN(tr *rtree.RTreeG[uint64], c Point, k int, dst []Hit) []Hit {
	n := 0
	tr.Nearby(rtree.BoxDist[float64, uint64]([2]float64{c.Lat, c.Lng}, [2]float64{c.Lat, c.Lng}, nil),
		func(lo, _ [2]float64, id uint64, _ float64) bool {
			dst = append(dst, Hit{ID: id, DistM: Distance(c, Point{lo[0], lo[1]})})
			n++
			return n < k
		})
	return dst
}

// bruteTopK scans every entry; a latitude-difference check against the
// current bound (the radius, or the k-th best once k are held) skips the
// haversine for most of them, as a sensible hand-written scan would.
func bruteTopK(pts []Point, ids []uint64, c Point, radiusM float64, t *topK, dst []Hit) []Hit {
	bound := radiusM
	const mPerDeg = EarthRadiusM * rad
	for i, p := range pts {
		if math.Abs(p.Lat-c.Lat)*mPerDeg > bound {
			continue
		}
		if d := Distance(c, p); d <= bound {
			t.offer(d, ids[i])
			if len(t.h) == t.k {
				bound = t.h[0].c2 // topK keeps metres in c2
			}
		}
	}
	return t.hits(dst)
}

// h3Res is the resolution of the H3 baseline: res 8 cells (edge ~460 m)
// are closest to the grid's 1/128° cells.
const h3Res = 8

// h3DiskTopK is the H3 baseline: the centre's cell, gridDisk(k) covering the
// radius, and a haversine top-k over the entries of those cells.
func h3DiskTopK(w *benchWorld, c Point, radiusM float64, t *topK, dst []Hit) []Hit {
	origin, err := h3.LatLngToCell(h3.NewLatLng(c.Lat, c.Lng), h3Res)
	if err != nil {
		return dst
	}
	// Neighbouring res-8 centres are >= ~2·0.8·edge apart; cover the
	// radius plus a cell.
	const minSpacingM = 2 * 0.8 * 400
	k := int(math.Ceil(radiusM/minSpacingM)) + 1
	disk, err := h3.GridDisk(origin, k)
	if err != nil {
		return dst
	}
	for _, cell := range disk {
		for _, i := range w.h3cells[cell] {
			if d := Distance(c, w.pts[i]); d <= radiusM {
				t.offer(d, w.ids[i])
			}
		}
	}
	return t.hits(dst)
}

// latencies records per-query times and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(l[len(l)*99/100].Nanoseconds()), "p99-ns")
}

func runQueries(b *testing.B, w *benchWorld, q func(c Point, dst []Hit) []Hit) {
	b.Helper()
	dst := make([]Hit, 0, 64)
	lat := make(latencies, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := w.queries[i%len(w.queries)]
		t0 := time.Now()
		dst = q(c, dst[:0])
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkIndex_Nearby: 2 km, limit 20, against the same-run baselines.
func BenchmarkIndex_Nearby(b *testing.B) {
	w := getWorld(b)
	b.Run("index", func(b *testing.B) {
		runQueries(b, w, func(c Point, dst []Hit) []Hit {
			dst, err := w.ix.Nearby(Query{Center: c, RadiusM: benchRadiusM, Limit: benchLimit}, dst)
			if err != nil {
				b.Fatal(err)
			}
			return dst
		})
		b.ReportMetric(w.inRadiusMd, "in-radius-p50")
		b.ReportMetric(w.inRadiusP9, "in-radius-p99")
	})
	// The catalog's GET /v1/nearby asks for limit 20 + 1 + 4 extra.
	b.Run("index-limit25", func(b *testing.B) {
		runQueries(b, w, func(c Point, dst []Hit) []Hit {
			dst, _ = w.ix.Nearby(Query{Center: c, RadiusM: benchRadiusM, Limit: catalogLimit}, dst)
			return dst
		})
	})
	b.Run("index-50km", func(b *testing.B) {
		runQueries(b, w, func(c Point, dst []Hit) []Hit {
			dst, _ = w.ix.Nearby(Query{Center: c, RadiusM: 50000, Limit: benchLimit}, dst)
			return dst
		})
	})
	b.Run("index-filter-2pct", func(b *testing.B) {
		f := func(id uint64) bool { return id%50 == 0 }
		runQueries(b, w, func(c Point, dst []Hit) []Hit {
			dst, _ = w.ix.Nearby(Query{Center: c, RadiusM: benchRadiusM, Limit: benchLimit, Filter: f}, dst)
			return dst
		})
	})
	b.Run("rtree-box-topk", func(b *testing.B) {
		t := &topK{k: benchLimit}
		runQueries(b, w, func(c Point, dst []Hit) []Hit { return rtreeBoxTopK(w.tree, c, benchRadiusM, t, dst) })
	})
	b.Run("h3-disk-topk", func(b *testing.B) {
		t := &topK{k: benchLimit}
		runQueries(b, w, func(c Point, dst []Hit) []Hit { return h3DiskTopK(w, c, benchRadiusM, t, dst) })
	})
	b.Run("brute", func(b *testing.B) {
		t := &topK{k: benchLimit}
		runQueries(b, w, func(c Point, dst []Hit) []Hit { return bruteTopK(w.pts, w.ids, c, benchRadiusM, t, dst) })
	})
}

// BenchmarkIndex_Walk: stream nearest-first within 50 km and stop after 20
// hits (the catalog's dedupe loop), against walking the whole 2 km radius.
func BenchmarkIndex_Walk(b *testing.B) {
	w := getWorld(b)
	b.Run("50km-first20", func(b *testing.B) {
		runQueries(b, w, func(c Point, dst []Hit) []Hit {
			_ = w.ix.Walk(c, 50000, func(h Hit) bool { dst = append(dst, h); return len(dst) < benchLimit })
			return dst
		})
	})
	b.Run("2km-all", func(b *testing.B) {
		runQueries(b, w, func(c Point, dst []Hit) []Hit {
			n := 0
			_ = w.ix.Walk(c, benchRadiusM, func(h Hit) bool { n++; return true })
			return dst
		})
	})
}

// BenchmarkIndex_KNN: the 20 nearest with no distance limit.
func BenchmarkIndex_KNN(b *testing.B) {
	w := getWorld(b)
	b.Run("index", func(b *testing.B) {
		runQueries(b, w, func(c Point, dst []Hit) []Hit {
			dst, err := w.ix.KNN(c, benchLimit, MaxRadiusM, nil, dst)
			if err != nil {
				b.Fatal(err)
			}
			return dst
		})
	})
	b.Run("rtree-nearby", func(b *testing.B) {
		runQueries(b, w, func(c Point, dst []Hit) []Hit { return rtreeKNN(w.tree, c, benchLimit, dst) })
	})
	b.Run("brute", func(b *testing.B) {
		t := &topK{k: benchLimit}
		runQueries(b, w, func(c Point, dst []Hit) []Hit { return bruteTopK(w.pts, w.ids, c, MaxRadiusM, t, dst) })
	})
}

// BenchmarkIndex_Build reports the one-off build of the shared world (bulk
// Load for the index, one Insert per point for the plain R-tree, one cgo
// LatLngToCell per point for the H3 map) and heap bytes per entry, then
// times rebuilding the index with Load per iteration.
func BenchmarkIndex_Build(b *testing.B) {
	w := getWorld(b)
	b.Run("index-load", func(b *testing.B) {
		for b.Loop() {
			if err := New().Load(w.ids, w.pts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(w.ixBytes, "B/entry")
		b.ReportMetric(w.ixBuild.Seconds(), "first-build-s")
	})
	b.Run("index-insert", func(b *testing.B) {
		for b.Loop() {
			ix := New()
			for i, p := range w.pts {
				_ = ix.Insert(w.ids[i], p)
			}
		}
	})
	b.Run("rtree", func(b *testing.B) {
		for b.Loop() {
			buildRTree(w.ids, w.pts)
		}
		b.ReportMetric(w.treeBytes, "B/entry")
		b.ReportMetric(w.treeBuild.Seconds(), "first-build-s")
	})
	b.Run("h3-map", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(w.h3Build.Seconds(), "first-build-s")
	})
}

// BenchmarkIndex_InBounds: a city viewport (about 4 × 4 km) around each
// query centre, against the plain R-tree's box search; and H3 res-8 counts
// over the same box.
func BenchmarkIndex_InBounds(b *testing.B) {
	w := getWorld(b)
	box := func(c Point) Bounds {
		return Bounds{MinLat: c.Lat - 0.018, MaxLat: c.Lat + 0.018, MinLng: c.Lng - 0.024, MaxLng: c.Lng + 0.024}
	}
	b.Run("index", func(b *testing.B) {
		ids := make([]uint64, 0, 4096)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			bb := box(w.queries[i%len(w.queries)])
			i++
			ids, _ = w.ix.InBounds(bb, ids[:0])
		}
	})
	b.Run("rtree", func(b *testing.B) {
		ids := make([]uint64, 0, 4096)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			bb := box(w.queries[i%len(w.queries)])
			i++
			ids = ids[:0]
			w.tree.Search([2]float64{bb.MinLat, bb.MinLng}, [2]float64{bb.MaxLat, bb.MaxLng},
				func(_, _ [2]float64, id uint64) bool { ids = append(ids, id); return true })
		}
	})
	b.Run("cells-res8", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			bb := box(w.queries[i%len(w.queries)])
			i++
			if _, err := w.ix.Cells(8, bb); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIndex_NearbyWhileWriting: Nearby 2 km/20 on one goroutine while
// another moves random entries (by a few metres, and back afterwards) as
// fast as it can; reports the reader's p50/p99 and the writes per second.
func BenchmarkIndex_NearbyWhileWriting(b *testing.B) {
	w := getWorld(b)
	var stop sync.WaitGroup
	var done atomic.Bool
	writes := 0
	stop.Add(1)
	go func() {
		defer stop.Done()
		for i := 0; !done.Load(); i++ {
			k := (i * 7919) % benchN
			p := w.pts[k]
			_ = w.ix.Move(w.ids[k], Point{Lat: p.Lat + 1e-5, Lng: p.Lng})
			_ = w.ix.Move(w.ids[k], p)
			writes += 2
		}
	}()
	start := time.Now()
	runQueries(b, w, func(c Point, dst []Hit) []Hit {
		dst, _ = w.ix.Nearby(Query{Center: c, RadiusM: benchRadiusM, Limit: benchLimit}, dst)
		return dst
	})
	done.Store(true)
	stop.Wait()
	b.ReportMetric(float64(writes)/time.Since(start).Seconds(), "writes/s")
}
