package catalog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/catalog/catalogtest"
	"github.com/nearby-dev/nearby/geo"
)

var benchNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// ix2 returns a fresh index for a second catalog over the same world.
func ix2(b *testing.B, w *catalogtest.World) *geo.Index {
	b.Helper()
	return geo.New()
}

// benchStores is the world size of the benchmarks: 1,000,000 unless
// NEARBY_BENCH_STORES says otherwise.
func benchStores(b *testing.B) int {
	if v := os.Getenv("NEARBY_BENCH_STORES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("NEARBY_BENCH_STORES: %v", err)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkNearby ranks 20 programs within 2 km in a clustered world where
// every store carries a program (half of them in chains), next to the geo
// index alone finding the 20 nearest stores of the same points.
func BenchmarkNearby(b *testing.B) {
	n := benchStores(b)
	w := catalogtest.NewWorld(catalogtest.Options{Seed: 1, Stores: n})
	brands := nameWorld(w)
	ix := geo.New()
	// As discoveryd builds it: the page's JSON objects rendered.
	c := catalog.New(ix, &catalog.Options{Renderer: api.Briefs{}})
	if err := c.Load(w.Stores, w.Programs, nil); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 99))
	pts := make([]geo.Point, 4096)
	for i := range pts {
		pts[i].Lat, pts[i].Lng = w.Point(rng)
	}
	ctx := context.Background()
	b.Run("Catalog", func(b *testing.B) {
		b.ReportAllocs()
		results, i := 0, 0
		for b.Loop() {
			p := pts[i%len(pts)]
			i++
			page, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: p.Lat, Lng: p.Lng, RadiusM: 2000, Limit: 20, BriefsOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			results += len(page.Results)
		}
		b.ReportMetric(float64(results)/float64(i), "results/op")
	})
	// Text queries (q) in the same run, each point asking for a brand
	// found near it (that of its tenth nearest store): by its whole name,
	// by its first four letters; then a brand in Chinese, and a word every
	// tenth store has (dense: the walk finds it).
	near := make([]string, len(pts))
	for i, p := range pts {
		page, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: p.Lat, Lng: p.Lng, RadiusM: 2000, Limit: 10})
		if err != nil {
			b.Fatal(err)
		}
		near[i] = brands[0]
		if n := len(page.Results); n > 0 {
			near[i], _, _ = strings.Cut(page.Results[n-1].Store.Name, " ")
		}
	}
	// The text index sorts a cell's words on the first query after a
	// write: do that for every cell the points touch before timing.
	for i, p := range pts {
		if _, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: p.Lat, Lng: p.Lng, RadiusM: 2000, Limit: 20, Q: near[i]}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bq := range []struct {
		name string
		q    func(i int) string
	}{
		{"Q/brand", func(i int) string { return near[i%len(near)] }},
		{"Q/prefix4", func(i int) string { return string([]rune(near[i%len(near)])[:min(4, len([]rune(near[i%len(near)])))]) }},
		{"Q/chinese", func(i int) string { return chineseBrands[i%len(chineseBrands)] }},
		{"Q/common", func(int) string { return "express" }},
	} {
		b.Run(bq.name, func(b *testing.B) {
			b.ReportAllocs()
			results, i := 0, 0
			for b.Loop() {
				p := pts[i%len(pts)]
				i++
				page, err := c.Nearby(ctx, catalog.NearbyQuery{Lat: p.Lat, Lng: p.Lng, RadiusM: 2000, Limit: 20, Q: bq.q(i - 1), BriefsOnly: true})
				if err != nil {
					b.Fatal(err)
				}
				results += len(page.Results)
			}
			b.ReportMetric(float64(results)/float64(i), "results/op")
		})
	}
	// Popularity known: a tenth of the stores have had shakes or visits in
	// the last week, so scores are no longer ordered by distance alone and
	// the early stop must read farther.
	rng2 := rand.New(rand.NewPCG(3, 4))
	c2 := catalog.New(ix2(b, w), &catalog.Options{Now: func() time.Time { return benchNow }})
	if err := c2.Load(w.Stores, w.Programs, nil); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n/10; i++ {
		s := w.Stores[rng2.IntN(len(w.Stores))]
		c2.RecordActivityCount(s.ID, nearby.EventShake, benchNow.Add(-time.Duration(rng2.IntN(7*24))*time.Hour), int64(1+rng2.IntN(50)))
	}
	b.Run("CatalogWithActivity", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := pts[i%len(pts)]
			i++
			if _, err := c2.Nearby(ctx, catalog.NearbyQuery{Lat: p.Lat, Lng: p.Lng, RadiusM: 2000, Limit: 20, BriefsOnly: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, k := range []int{20, 32, 64} {
		b.Run("GeoNearby/k="+strconv.Itoa(k), func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]geo.Hit, 0, k)
			i := 0
			for b.Loop() {
				p := pts[i%len(pts)]
				i++
				var err error
				dst, err = ix.Nearby(geo.Query{Center: p, RadiusM: 2000, Limit: k}, dst[:0])
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// chineseBrands name a hundredth of the stores of nameWorld.
var chineseBrands = []string{"星巴克", "瑞幸咖啡", "喜茶", "奈雪的茶", "麦当劳"}

// nameWorld gives the world's stores and programs brand names as a city's
// are: 2,000 brands of invented words, each store one brand's (a
// hundredth of them a Chinese one) with a street word, every tenth store
// an "Express", and each program its first store's brand. It returns the
// Latin brands.
func nameWorld(w *catalogtest.World) []string {
	rng := rand.New(rand.NewPCG(7, 7))
	syll := []string{"ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "de", "po", "an", "el", "or", "ul"}
	brands := make([]string, 2000)
	for i := range brands {
		n := ""
		for range 3 + rng.IntN(2) {
			n += syll[rng.IntN(len(syll))]
		}
		brands[i] = strings.ToUpper(n[:1]) + n[1:] + strconv.Itoa(i)
	}
	streets := []string{"Market", "High Street", "Station", "Plaza", "Avenue", "Corner"}
	brandOf := make(map[uint64]string, len(w.Stores))
	for i, s := range w.Stores {
		b := brands[rng.IntN(len(brands))]
		if i%100 == 0 {
			b = chineseBrands[rng.IntN(len(chineseBrands))]
		}
		brandOf[s.ID] = b
		s.Name = b + " " + streets[rng.IntN(len(streets))]
		if i%10 == 0 {
			s.Name += " Express"
		}
	}
	for _, p := range w.Programs {
		if len(p.StoreIDs) > 0 {
			p.Name = brandOf[p.StoreIDs[0]] + " Rewards"
		}
	}
	return brands
}

// BenchmarkLoad is the start-up build of the catalog over the generated
// world (the registry read is not part of it).
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			w := catalogtest.NewWorld(catalogtest.Options{Seed: 1, Stores: n, ChainShare: -1})
			b.ResetTimer()
			for range b.N {
				c := catalog.New(geo.New(), &catalog.Options{Renderer: api.Briefs{}})
				if err := c.Load(w.Stores, w.Programs, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/store")
		})
	}
}
