package catalogtest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nearby-dev/nearby"
)

// World is a generated set of cities with their stores and programs.
type World struct {
	Cities   []City
	Stores   []*nearby.Store
	Programs []*nearby.Program
	weights  []float64 // cumulative city weights, for drawing query points
}

// City is a cluster centre; stores spread around it with SigmaM.
type City struct {
	Lat, Lng float64
	SigmaM   float64
	Stores   int
}

// Options shapes a world; zero fields take the defaults noted.
type Options struct {
	Seed   uint64
	Stores int // default 10,000
	Cities int // default Stores/1000, at least 1
	// ChainShare is the share of stores that belong to multi-store
	// programs (chains of 2 to 200 stores); the rest carry one program
	// each. Default 0.5; negative means none.
	ChainShare float64
	// Rich adds hours, time zones, targeting and strict targeting to make
	// ranking tests meaningful. Benchmarks leave it off: every store then
	// carries one plain program.
	Rich bool
	// Center, when set, puts every city within about 300 km of it (a
	// "country"); otherwise cities spread over the populated latitudes.
	Center *[2]float64
}

// Categories are the program and store categories generated.
var Categories = []string{"coffee", "food", "retail", "pharmacy", "fuel", "bank"}

var zones = []string{"", "UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"}

// NewWorld generates a world.
func NewWorld(o Options) *World {
	w, rng, o := cities(o)
	w.stores(rng, o)
	w.programs(rng, o)
	return w
}

// NewCities generates only the cities of the world NewWorld(o) would make:
// enough to draw query points without building the stores.
func NewCities(o Options) *World {
	w, _, _ := cities(o)
	return w
}

func cities(o Options) (*World, *rand.Rand, Options) {
	if o.Stores <= 0 {
		o.Stores = 10_000
	}
	if o.Cities <= 0 {
		o.Cities = max(1, o.Stores/1000)
	}
	if o.ChainShare == 0 {
		o.ChainShare = 0.5
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	w := &World{}
	total := 0.0
	raw := make([]float64, o.Cities)
	for i := range raw {
		raw[i] = 1 / math.Pow(float64(i+1), 0.9) // a Zipf-like city size law
		total += raw[i]
	}
	acc := 0.0
	left := o.Stores
	for i := range raw {
		share := raw[i] / total
		acc += share
		w.weights = append(w.weights, acc)
		n := int(math.Round(share * float64(o.Stores)))
		if i == len(raw)-1 || n > left {
			n = left
		}
		left -= n
		var lat, lng float64
		if o.Center != nil {
			lat = o.Center[0] + (rng.Float64()*2-1)*2.5
			lng = o.Center[1] + (rng.Float64()*2-1)*3.5
		} else {
			lat = (rng.Float64()*2 - 1) * 55
			lng = (rng.Float64()*2 - 1) * 179
		}
		sigma := 1500 + 8000*math.Sqrt(raw[i]/raw[0])
		w.Cities = append(w.Cities, City{Lat: lat, Lng: lng, SigmaM: sigma, Stores: n})
	}
	return w, rng, o
}

func (w *World) stores(rng *rand.Rand, o Options) {
	id := uint64(0)
	for _, c := range w.Cities {
		for j := 0; j < c.Stores; j++ {
			id++
			lat, lng := around(rng, c.Lat, c.Lng, c.SigmaM)
			s := &nearby.Store{
				ID: id, MerchantID: 1 + id%50, Name: fmt.Sprintf("Store %d", id),
				Lat: lat, Lng: lng, Category: Categories[rng.IntN(len(Categories))],
			}
			if o.Rich {
				s.Timezone = zones[rng.IntN(len(zones))]
				s.Hours = randomHours(rng)
			}
			w.Stores = append(w.Stores, s)
		}
	}
}

// programs gives every store at least one program: chains over random
// stores, then single-store programs; Rich worlds add a second program to
// some stores (a mall).
func (w *World) programs(rng *rand.Rand, o Options) {
	n := len(w.Stores)
	perm := rng.Perm(n)
	chained := 0
	if o.ChainShare > 0 {
		chained = int(float64(n) * o.ChainShare)
	}
	id := uint64(0)
	next := func(stores []uint64) {
		id++
		p := &nearby.Program{
			ID: id, MerchantID: 1 + id%50, AppID: fmt.Sprintf("wx%08x", id),
			Name: fmt.Sprintf("Program %d", id), Category: Categories[rng.IntN(len(Categories))],
			StoreIDs: stores,
		}
		if o.Rich {
			p.Targeting = randomTargeting(rng)
		}
		w.Programs = append(w.Programs, p)
	}
	for i := 0; i < chained; {
		size := min(2+rng.IntN(199), chained-i)
		ids := make([]uint64, 0, size)
		for _, k := range perm[i : i+size] {
			ids = append(ids, w.Stores[k].ID)
		}
		next(ids)
		i += size
	}
	for _, k := range perm[chained:] {
		next([]uint64{w.Stores[k].ID})
	}
	if o.Rich {
		for i := 0; i < n/10; i++ {
			next([]uint64{w.Stores[rng.IntN(n)].ID})
		}
	}
}

// Point draws a query point where people are: a city drawn by size, then a
// spot around its centre.
func (w *World) Point(rng *rand.Rand) (lat, lng float64) {
	x := rng.Float64() * w.weights[len(w.weights)-1]
	i := 0
	for i < len(w.weights)-1 && w.weights[i] < x {
		i++
	}
	c := w.Cities[i]
	return around(rng, c.Lat, c.Lng, c.SigmaM)
}

// around draws a point from a 2-D normal around (lat, lng) with sigma
// metres, clamped to valid coordinates.
func around(rng *rand.Rand, lat, lng, sigma float64) (float64, float64) {
	const mPerDeg = 111_320.0
	dLat := rng.NormFloat64() * sigma / mPerDeg
	dLng := rng.NormFloat64() * sigma / (mPerDeg * math.Max(0.1, math.Cos(lat*math.Pi/180)))
	lat = math.Max(-89.9, math.Min(89.9, lat+dLat))
	lng += dLng
	for lng > 180 {
		lng -= 360
	}
	for lng < -180 {
		lng += 360
	}
	return lat, lng
}

func randomHours(rng *rand.Rand) nearby.Hours {
	switch rng.IntN(4) {
	case 0:
		return nil // unknown
	case 1:
		return nearby.Hours{"mon": {{"09:00", "18:00"}}, "tue": {{"09:00", "18:00"}}, "wed": {{"09:00", "18:00"}},
			"thu": {{"09:00", "18:00"}}, "fri": {{"09:00", "18:00"}}, "sat": {{"10:00", "14:00"}}}
	case 2:
		h := nearby.Hours{}
		for _, d := range nearby.Weekdays {
			h[d] = [][2]string{{"18:00", "02:00"}} // nights
		}
		return h
	}
	h := nearby.Hours{}
	for _, d := range nearby.Weekdays {
		h[d] = [][2]string{{"07:00", "24:00"}}
	}
	return h
}

func randomTargeting(rng *rand.Rand) *nearby.Targeting {
	if rng.IntN(3) > 0 {
		return nil
	}
	t := &nearby.Targeting{Strict: rng.IntN(4) == 0}
	if rng.IntN(2) == 0 {
		lo := 15 + rng.IntN(30)
		hi := lo + 5 + rng.IntN(30)
		t.AgeMin, t.AgeMax = &lo, &hi
	}
	if rng.IntN(2) == 0 {
		t.Genders = []string{nearby.Genders[rng.IntN(len(nearby.Genders))]}
	}
	if rng.IntN(2) == 0 {
		t.OS = []string{nearby.OSes[rng.IntN(len(nearby.OSes))]}
	}
	return t
}
