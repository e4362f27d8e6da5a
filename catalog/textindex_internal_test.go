package catalog

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// TestTextIndex_EqualsWalk: every q query answers the same through the
// text index as through the walk, for rare and common words, prefixes,
// Chinese, moved and renamed stores, renamed, linked and unlinked
// programs, and deleted stores.
func TestTextIndex_EqualsWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 5))
	monday := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := New(geo.New(), &Options{Now: func() time.Time { return monday }})
	brands := []string{"Starbucks", "Costa", "Café Nero", "星巴克咖啡", "Pret", "Blue Bottle"}
	for id := uint64(1); id <= 3000; id++ {
		s := &nearby.Store{ID: id, MerchantID: 1, Name: fmt.Sprintf("%s %d", brands[rng.IntN(len(brands))], id),
			Lat: 48.8 + rng.Float64()*0.2, Lng: 2.2 + rng.Float64()*0.3, Category: "coffee"}
		if id%7 == 0 {
			s.Tags = []string{"drive-thru"}
		}
		if err := c.PutStore(s); err != nil {
			t.Fatal(err)
		}
	}
	for pid := uint64(1); pid <= 200; pid++ {
		p := &nearby.Program{ID: pid, MerchantID: 1, AppID: "wx", Name: []string{"Rewards", "Club", "会员卡"}[pid%3], Category: "coffee"}
		for range 1 + rng.IntN(40) {
			p.StoreIDs = append(p.StoreIDs, 1+uint64(rng.IntN(3000)))
		}
		c.PutProgram(p)
	}
	queries := []string{"star", "STARBUCKS 12", "12", "cafe", "nero", "星巴克", "咖", "drive", "rewards", "club star", "会员", "blue bot", "costa 9", "zzz",
		// Common words (a sixth or a seventh of the stores, hundreds of
		// candidates in several prefetch batches) and broad prefixes.
		"costa", "pret", "thru", "drive costa", "c", "s", "re"}
	check := func(step string) {
		t.Helper()
		for _, q := range queries {
			for _, radius := range []float64{800, 5000} {
				nq := NearbyQuery{Lat: 48.9, Lng: 2.35, RadiusM: radius, Limit: 10, Q: q, Explain: true}
				sq := StoresQuery{Lat: 48.9, Lng: 2.35, RadiusM: radius, Limit: 15, Q: q}
				c.tix.off = false
				a, err1 := c.Nearby(context.Background(), nq)
				as, err2 := c.StoresNearby(context.Background(), sq)
				c.tix.off = true
				b, err3 := c.Nearby(context.Background(), nq)
				bs, err4 := c.StoresNearby(context.Background(), sq)
				c.tix.off = false
				if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
					t.Fatalf("%s q=%q: %v %v %v %v", step, q, err1, err2, err3, err4)
				}
				if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(as, bs) {
					t.Fatalf("%s q=%q r=%v: index and walk differ:\n%+v\n%+v\n%+v\n%+v", step, q, radius, a.Results, b.Results, as.Results, bs.Results)
				}
			}
		}
	}
	check("loaded")
	for i := 0; i < 300; i++ {
		id := 1 + uint64(rng.IntN(3000))
		switch i % 5 {
		case 0:
			c.PutStore(&nearby.Store{ID: id, MerchantID: 1, Name: brands[rng.IntN(len(brands))] + " moved", Lat: 48.8 + rng.Float64()*0.2, Lng: 2.2 + rng.Float64()*0.3, Category: "coffee"})
		case 1:
			c.DeleteStore(id)
		case 2:
			c.LinkStores(1+uint64(rng.IntN(200)), []uint64{id})
		case 3:
			c.UnlinkStore(1+uint64(rng.IntN(200)), id)
		case 4:
			pid := 1 + uint64(rng.IntN(200))
			if p, ok := c.Program(pid); ok {
				p.Name = []string{"Starbucks Rewards", "Club Nero", "会员"}[rng.IntN(3)]
				c.PutProgram(p)
			}
		}
	}
	check("changed")
}

// TestTextCell_Prefixed: the search by heads finds the same tokens as
// filtering every key, about the 8-byte boundary of the heads too.
func TestTextCell_Prefixed(t *testing.T) {
	c := &textCell{m: map[string]int32{}}
	for _, k := range []string{"a", "ab", "abc", "abcdefg", "abcdefgh", "abcdefgha", "abcdefghb", "abcdefgz", "abd", "b", "星", "星巴", "星巴克咖", "ẞ"} {
		c.m[k] = c.newList()
	}
	c.dirty.Store(true)
	for _, p := range []string{"", "a", "ab", "abc", "abcdefg", "abcdefgh", "abcdefgha", "abcdefghc", "abcdefghij", "abz", "b", "c", "星", "星巴克", "0"} {
		var want []string
		ks, _, _ := c.keys()
		for _, k := range ks {
			if strings.HasPrefix(k, p) {
				want = append(want, k)
			}
		}
		var got []string
		for _, pos := range c.prefixed(p) {
			for k, kp := range c.m {
				if kp == pos {
					got = append(got, k)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("prefixed(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestSortHits: both of sortHits's ways order as the general sort does,
// with equal distances ordered by id, and distances a bit apart (which its
// keys do not tell apart) in order.
func TestSortHits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var keys []uint64
	for _, n := range []int{0, 1, 2, 10, 64, 300, 4096, 4097} {
		hits := make([]geo.Hit, n)
		for i := range hits {
			// Equal distances, and distances equal to 40 bits but not to 52.
			d := float64(rng.IntN(20)) * 100
			if n == 300 {
				d = 7 // one place: the pass gives way to the general sort
			}
			if rng.IntN(2) == 0 {
				d = math.Nextafter(d, math.Inf(1))
			}
			hits[i] = geo.Hit{ID: uint64(rng.IntN(50)), DistM: d}
		}
		want := slices.Clone(hits)
		slices.SortFunc(want, func(a, b geo.Hit) int { return cmp.Or(cmp.Compare(a.DistM, b.DistM), cmp.Compare(a.ID, b.ID)) })
		hits = sortHits(hits, &keys)
		if !slices.Equal(hits, want) {
			t.Errorf("n=%d: sortHits = %v, want %v", n, hits, want)
		}
	}
}
