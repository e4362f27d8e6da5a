package catalog_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/ranking"
)

// bruteResult is one row of the reference ranking.
type bruteResult struct {
	program, store uint64
	dist, score    float64
	explain        ranking.Explain
}

// Brute ranks by scanning every program and every one of its stores: an
// implementation independent of the catalog's index walk, bound and heap.
// activity returns a store's decayed activity at now (-1: neutral).
func Brute(stores map[uint64]*nearby.Store, programs []*nearby.Program, q catalog.NearbyQuery, w ranking.Weights,
	now time.Time, activity func(uint64) float64) []bruteResult {
	phone := ranking.Phone{Age: q.Age, Gender: q.Gender, OS: q.OS}
	center := geo.Point{Lat: q.Lat, Lng: q.Lng}
	var out []bruteResult
	for _, p := range programs {
		if (q.Category != "" && p.Category != q.Category) || ranking.Excluded(p.Targeting, phone) {
			continue
		}
		best := bruteResult{program: p.ID, dist: math.Inf(1)}
		for _, sid := range p.StoreIDs {
			s := stores[sid]
			if s == nil {
				continue
			}
			d := geo.Distance(center, geo.Point{Lat: s.Lat, Lng: s.Lng})
			if d > q.RadiusM {
				continue
			}
			loc := time.UTC
			if s.Timezone != "" {
				loc, _ = time.LoadLocation(s.Timezone)
			}
			if q.OpenNow && !ranking.OpenAt(s.Hours, loc, now) {
				continue
			}
			if d < best.dist || (d == best.dist && sid < best.store) {
				best.dist, best.store = d, sid
				best.score, best.explain = ranking.Score(ranking.Candidate{
					DistanceM: d, Targeting: p.Targeting, Activity: activity(sid),
					Hours: ranking.Compile(s.Hours), Location: loc,
				}, phone, w, now)
			}
		}
		if best.store != 0 {
			out = append(out, best)
		}
	}
	slices.SortFunc(out, func(a, b bruteResult) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(a.program, b.program)
	})
	return out
}

// AllPages follows cursors until the last page and returns every result.
func AllPages(tb testing.TB, c *catalog.Catalog, q catalog.NearbyQuery) []catalog.NearbyResult {
	tb.Helper()
	var all []catalog.NearbyResult
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			tb.Fatalf("more than 10,000 pages")
		}
		page, err := c.Nearby(context.Background(), q)
		if err != nil {
			tb.Fatalf("Nearby(%+v): %v", q, err)
		}
		if len(page.Results) > q.Limit && q.Limit > 0 {
			tb.Fatalf("page of %d results, limit %d", len(page.Results), q.Limit)
		}
		checkBriefs(tb, c, page.Results)
		all = append(all, page.Results...)
		if page.NextCursor == "" {
			return all
		}
		if len(page.Results) == 0 {
			tb.Fatalf("empty page with a next cursor")
		}
		q.Cursor = page.NextCursor
	}
}

// CompareWithBrute checks that paging through the catalog yields exactly
// the brute-force ranking.
func CompareWithBrute(tb testing.TB, got []catalog.NearbyResult, want []bruteResult) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d results, brute force %d", len(got), len(want))
	}
	// Results whose scores agree within 1e-9 are ties (stores at one
	// point, as in data with rounded coordinates): the index's and the
	// brute force's float noise may order them differently, so within such
	// a run the same (program, store) pairs must appear in any order.
	for i := 0; i < len(want); {
		j := i + 1
		for j < len(want) && want[j].score-want[j-1].score > -1e-9 {
			j++
		}
		pairs := map[[2]uint64]int{}
		for k := i; k < j; k++ {
			pairs[[2]uint64{got[k].Program.ID, got[k].Store.ID}]++
			pairs[[2]uint64{want[k].program, want[k].store}]--
		}
		for pair, n := range pairs {
			if n != 0 {
				tb.Fatalf("results %d..%d: program %d at store %d is not in both; got %s, brute force %+v",
					i, j-1, pair[0], pair[1], describe(got[i:j]), want[i:j])
			}
		}
		i = j
	}
	for i := range want {
		g, w := got[i], want[i]
		if math.Abs(g.Score-w.score) > 1e-9 || math.Abs(g.DistanceM-w.dist) > 1e-6 {
			tb.Fatalf("result %d: score %v at %v m, brute force %v at %v m", i, g.Score, g.DistanceM, w.score, w.dist)
		}
		if g.Explain != nil {
			sum := 0.0
			for _, v := range g.Explain {
				sum += v
			}
			if math.Abs(sum-g.Score) > 1e-12 {
				tb.Fatalf("result %d: explain sums to %v, score %v", i, sum, g.Score)
			}
		}
	}
}

func describe(rs []catalog.NearbyResult) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "{program %d store %d score %v dist %v} ", r.Program.ID, r.Store.ID, r.Score, r.DistanceM)
	}
	return b.String()
}
