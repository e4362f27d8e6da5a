package ranking

import (
	"fmt"
	"math"
)

// Default weights. Distance dominates: a phone user wants what is near.
const (
	DefaultDistanceWeight      = 0.6
	DefaultFitWeight           = 0.2
	DefaultPopularityWeight    = 0.1
	DefaultOpenWeight          = 0.1
	DefaultRelevanceWeight     = 0.2
	DefaultHalfDistanceM       = 1000.0
	DefaultPopularityHalfCount = 20.0
	// NeutralPopularity is the popularity factor of every store before any
	// activity is known.
	NeutralPopularity = 0.5
)

// Weights configures the score. The zero value is not useful; start from
// DefaultWeights.
type Weights struct {
	Distance   float64 `json:"distance"`
	Fit        float64 `json:"fit"`
	Popularity float64 `json:"popularity"`
	Open       float64 `json:"open"`
	// Relevance weighs how well a text query (q) matched; it counts only
	// in queries with one, where every candidate matched.
	Relevance float64 `json:"relevance"`
	// HalfDistanceM is the distance at which the distance factor is 0.5.
	HalfDistanceM float64 `json:"half_distance_m"`
	// PopularityHalfCount is the decayed event count at which the
	// popularity factor is 0.5.
	PopularityHalfCount float64 `json:"popularity_half_count"`
}

// DefaultWeights returns the documented defaults.
func DefaultWeights() Weights {
	return Weights{
		Distance:            DefaultDistanceWeight,
		Fit:                 DefaultFitWeight,
		Popularity:          DefaultPopularityWeight,
		Open:                DefaultOpenWeight,
		Relevance:           DefaultRelevanceWeight,
		HalfDistanceM:       DefaultHalfDistanceM,
		PopularityHalfCount: DefaultPopularityHalfCount,
	}
}

// Validate reports weights that would make scores meaningless: negative or
// non-finite weights, or non-positive scales.
func (w *Weights) Validate() error {
	check := func(name string, v float64, positive bool) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (positive && v == 0) {
			return fmt.Errorf("ranking: weight %s = %v is invalid", name, v)
		}
		return nil
	}
	for _, c := range []struct {
		name     string
		v        float64
		positive bool
	}{
		{"distance", w.Distance, false},
		{"fit", w.Fit, false},
		{"popularity", w.Popularity, false},
		{"open", w.Open, false},
		{"relevance", w.Relevance, false},
		{"half_distance_m", w.HalfDistanceM, true},
		{"popularity_half_count", w.PopularityHalfCount, true},
	} {
		if err := check(c.name, c.v, c.positive); err != nil {
			return err
		}
	}
	return nil
}
