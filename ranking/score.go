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
	// Relevance is how well a text query matched, in [0, 1]; 0 without
	// one.
	Relevance float64
}

// Phone is what a phone tells about itself; every attribute is optional.
type Phone struct {
	Age    *int
	Gender string // "" when not sent
	OS     string // "" when not sent
}

// Explain is the contribution of each factor to a score: the weight times
// the factor. Distance + Fit + Popularity + Open + Relevance == score, and Fit is
// FitAge + FitGender + FitOS, the part each targeting dimension adds.
type Explain struct {
	Distance   float64
	Fit        float64
	Popularity float64
	Open       float64
	Relevance  float64 // 0 without a text query

	FitAge, FitGender, FitOS float64
}

// Explain keys, as served by the API. The fit is served per dimension
// (FactorFitAge, FactorFitGender, FactorFitOS) so that the served parts
// still add up to the score; FactorFit names their sum.
const (
	FactorDistance   = "distance"
	FactorFit        = "fit"
	FactorFitAge     = "fit_age"
	FactorFitGender  = "fit_gender"
	FactorFitOS      = "fit_os"
	FactorPopularity = "popularity"
	FactorOpen       = "open"
	FactorRelevance  = "relevance"
)

// Sum returns the score the contributions add up to.
func (e Explain) Sum() float64 { return e.Distance + e.Fit + e.Popularity + e.Open + e.Relevance }

// Map returns the contributions keyed by factor name, the fit per
// dimension and the relevance only when a text query matched: the values
// add up to Sum (within rounding).
func (e Explain) Map() map[string]float64 {
	if e.Relevance > 0 {
		m := e.factors()
		m[FactorRelevance] = e.Relevance
		return m
	}
	return e.factors()
}

func (e Explain) factors() map[string]float64 {
	return map[string]float64{
		FactorDistance:   e.Distance,
		FactorFitAge:     e.FitAge,
		FactorFitGender:  e.FitGender,
		FactorFitOS:      e.FitOS,
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
	dims := Fits(c.Targeting, p)
	part := w.Fit / float64(len(dims))
	e := Explain{
		Distance:   w.Distance * DistanceFactor(c.DistanceM, w.HalfDistanceM),
		FitAge:     part * dims[DimAge],
		FitGender:  part * dims[DimGender],
		FitOS:      part * dims[DimOS],
		Popularity: w.Popularity * PopularityFactor(c.Activity, w.PopularityHalfCount),
		Open:       w.Open * open,
		Relevance:  w.Relevance * c.Relevance,
	}
	e.Fit = e.FitAge + e.FitGender + e.FitOS
	return e.Sum(), e
}

// MaxScore bounds the score of any candidate at distanceM or farther whose
// store's activity is at most maxActivity (negative: none known anywhere)
// for a phone whose best fit is maxFit (MaxFitFactor), without a text
// query; with one, add Weights.Relevance.
func MaxScore(distanceM, maxActivity, maxFit float64, w Weights) float64 {
	e := Explain{
		Distance:   w.Distance * DistanceFactor(distanceM, w.HalfDistanceM),
		Fit:        w.Fit * maxFit,
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

// The targeting dimensions, indexes of Fits' answer.
const (
	DimAge = iota
	DimGender
	DimOS
	numDims
)

// The fit of one dimension.
const (
	FitContradicts = 0.0 // the program targets it and the phone is outside
	FitNeutral     = 0.5 // not targeted, or the phone does not say
	FitMatches     = 1.0 // the program targets it and the phone is inside
)

// Fits returns the fit of p to t on each dimension (age, gender, OS):
// FitMatches when t targets the dimension and p's attribute is inside it,
// FitContradicts when it is outside, FitNeutral when t does not target it
// or p does not send it. A match rewards and a contradiction demotes by
// the same step from neutral, so a phone that sends nothing ranks every
// program alike.
func Fits(t *nearby.Targeting, p Phone) [numDims]float64 {
	f := [numDims]float64{FitNeutral, FitNeutral, FitNeutral}
	if t == nil {
		return f
	}
	if (t.AgeMin != nil || t.AgeMax != nil) && p.Age != nil {
		a := *p.Age
		f[DimAge] = FitMatches
		if (t.AgeMin != nil && a < *t.AgeMin) || (t.AgeMax != nil && a > *t.AgeMax) {
			f[DimAge] = FitContradicts
		}
	}
	f[DimGender] = enumFit(t.Genders, p.Gender)
	f[DimOS] = enumFit(t.OS, p.OS)
	return f
}

func enumFit(targeted []string, v string) float64 {
	switch {
	case len(targeted) == 0 || v == "":
		return FitNeutral
	case nearby.ValidEnum(v, targeted):
		return FitMatches
	default:
		return FitContradicts
	}
}

// MaxFitFactor is the largest FitFactor any program can have for p: a
// dimension p does not send is neutral for every program, so the bound of
// a query's walk (MaxScore) is as tight as the scores it bounds — a phone
// that sends nothing walks no farther than before targeting rewarded fit.
func MaxFitFactor(p Phone) float64 {
	sum := 0.0
	for _, sent := range [numDims]bool{p.Age != nil, p.Gender != "", p.OS != ""} {
		if sent {
			sum += FitMatches
		} else {
			sum += FitNeutral
		}
	}
	return sum / numDims
}

// FitFactor is the mean of Fits over the dimensions, in [0, 1]: 0.5 for
// an untargeted program or a phone that sends nothing.
func FitFactor(t *nearby.Targeting, p Phone) float64 {
	f := Fits(t, p)
	return (f[DimAge] + f[DimGender] + f[DimOS]) / numDims
}

// Excluded reports whether strict targeting hides the program from p: only
// a definite mismatch does, never a missing phone attribute.
func Excluded(t *nearby.Targeting, p Phone) bool {
	if t == nil || !t.Strict {
		return false
	}
	for _, f := range Fits(t, p) {
		if f == FitContradicts {
			return true
		}
	}
	return false
}
