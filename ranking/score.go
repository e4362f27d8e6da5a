package ranking

import (
	"math"
	"time"

	"github.com/nearby-dev/nearby"
)

// Candidate is one program at one of its stores, as seen from a phone.
type Candidate struct {
	DistanceM float64
	Targeting *nearby.Targeting // the program's; nil targets everyone
	// Activity is the store's time-decayed count of shakes and visits. A
	// negative value means no activity is known anywhere yet: the
	// popularity factor is then NeutralPopularity.
	Activity float64
	Hours    *Schedule      // the store's compiled hours; nil means unknown
	Location *time.Location // the store's time zone; nil means UTC
}

// Phone is what a phone tells about itself; every attribute is optional.
type Phone struct {
	Age    *int
	Gender string // "" when not sent
	OS     string // "" when not sent
}

// Explain is the contribution of each factor to a score: the weight times
// the factor. Distance + Fit + Popularity + Open == score.
type Explain struct {
	Distance   float64
	Fit        float64
	Popularity float64
	Open       float64
}

// Explain keys, as served by the API.
const (
	FactorDistance   = "distance"
	FactorFit        = "fit"
	FactorPopularity = "popularity"
	FactorOpen       = "open"
)

// Sum returns the score the contributions add up to.
func (e Explain) Sum() float64 { return e.Distance + e.Fit + e.Popularity + e.Open }

// Map returns the contributions keyed by factor name.
func (e Explain) Map() map[string]float64 {
	return map[string]float64{
		FactorDistance:   e.Distance,
		FactorFit:        e.Fit,
		FactorPopularity: e.Popularity,
		FactorOpen:       e.Open,
	}
}

// Score returns the score of c for phone p at time now and its breakdown.
// It does not apply filters: see Excluded for strict targeting.
func Score(c Candidate, p Phone, w Weights, now time.Time) (float64, Explain) {
	return ScoreOpen(c, c.Hours.OpenAt(c.Location, now), p, w)
}

// ScoreOpen is Score when the caller already knows whether the store is
// open (the catalog does, having filtered on it); c.Hours is not read.
func ScoreOpen(c Candidate, isOpen bool, p Phone, w Weights) (float64, Explain) {
	open := 0.0
	if isOpen {
		open = 1
	}
	e := Explain{
		Distance:   w.Distance * DistanceFactor(c.DistanceM, w.HalfDistanceM),
		Fit:        w.Fit * FitFactor(c.Targeting, p),
		Popularity: w.Popularity * PopularityFactor(c.Activity, w.PopularityHalfCount),
		Open:       w.Open * open,
	}
	return e.Sum(), e
}

// MaxScore bounds the score of any candidate at distanceM or farther whose
// store's activity is at most maxActivity (negative: none known anywhere).
func MaxScore(distanceM, maxActivity float64, w Weights) float64 {
	e := Explain{
		Distance:   w.Distance * DistanceFactor(distanceM, w.HalfDistanceM),
		Fit:        w.Fit,
		Popularity: w.Popularity * PopularityFactor(maxActivity, w.PopularityHalfCount),
		Open:       w.Open,
	}
	return e.Sum()
}

// DistanceFactor is 2^(-d/half): 1 at the store, 0.5 at half metres.
func DistanceFactor(d, half float64) float64 {
	if d <= 0 {
		return 1
	}
	return math.Exp2(-d / half)
}

// PopularityFactor maps a decayed event count to [0, 1): half at halfCount.
// A negative count (nothing known yet) is NeutralPopularity.
func PopularityFactor(count, halfCount float64) float64 {
	if count < 0 {
		return NeutralPopularity
	}
	return count / (count + halfCount)
}

// FitFactor is the share of the dimensions t targets (age, gender, OS) that
// p does not contradict. An untargeted program, or a phone that does not
// send the targeted attribute, fits fully.
func FitFactor(t *nearby.Targeting, p Phone) float64 {
	if t == nil {
		return 1
	}
	targeted, mismatched := fit(t, p)
	if targeted == 0 {
		return 1
	}
	return float64(targeted-mismatched) / float64(targeted)
}

// Excluded reports whether strict targeting hides the program from p: only
// a definite mismatch does, never a missing phone attribute.
func Excluded(t *nearby.Targeting, p Phone) bool {
	if t == nil || !t.Strict {
		return false
	}
	_, mismatched := fit(t, p)
	return mismatched > 0
}

func fit(t *nearby.Targeting, p Phone) (targeted, mismatched int) {
	if t.AgeMin != nil || t.AgeMax != nil {
		targeted++
		if a := p.Age; a != nil && ((t.AgeMin != nil && *a < *t.AgeMin) || (t.AgeMax != nil && *a > *t.AgeMax)) {
			mismatched++
		}
	}
	if len(t.Genders) > 0 {
		targeted++
		if p.Gender != "" && !nearby.ValidEnum(p.Gender, t.Genders) {
			mismatched++
		}
	}
	if len(t.OS) > 0 {
		targeted++
		if p.OS != "" && !nearby.ValidEnum(p.OS, t.OS) {
			mismatched++
		}
	}
	return targeted, mismatched
}
