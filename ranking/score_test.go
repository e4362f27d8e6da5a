package ranking_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
)

func ptr[T any](v T) *T { return &v }

var monday = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) // a Monday noon

func TestScore_FartherScoresLower(t *testing.T) {
	w := ranking.DefaultWeights()
	prev := math.Inf(1)
	for _, d := range []float64{0, 1, 10, 100, 500, 1000, 2000, 5000, 50000} {
		got, _ := ranking.Score(ranking.Candidate{DistanceM: d, Activity: -1}, ranking.Phone{}, w, monday)
		if !(got < prev) {
			t.Fatalf("score at %v m = %v, want below %v (nearer)", d, got, prev)
		}
		prev = got
	}
}

func TestScore_HalfDistance(t *testing.T) {
	w := ranking.DefaultWeights()
	_, at0 := ranking.Score(ranking.Candidate{DistanceM: 0, Activity: -1}, ranking.Phone{}, w, monday)
	_, atHalf := ranking.Score(ranking.Candidate{DistanceM: w.HalfDistanceM, Activity: -1}, ranking.Phone{}, w, monday)
	if got, want := atHalf.Distance, at0.Distance/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("distance contribution at half distance = %v, want %v", got, want)
	}
}

func TestScore_TargetingMismatchRanksBelowMatch(t *testing.T) {
	w := ranking.DefaultWeights()
	tg := &nearby.Targeting{AgeMin: ptr(18), AgeMax: ptr(30), Genders: []string{"female"}, OS: []string{"ios"}}
	match := ranking.Phone{Age: ptr(25), Gender: "female", OS: "ios"}
	for _, tc := range []struct {
		name  string
		phone ranking.Phone
	}{
		{"Age", ranking.Phone{Age: ptr(40), Gender: "female", OS: "ios"}},
		{"Gender", ranking.Phone{Age: ptr(25), Gender: "male", OS: "ios"}},
		{"OS", ranking.Phone{Age: ptr(25), Gender: "female", OS: "android"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ranking.Candidate{DistanceM: 300, Targeting: tg, Activity: -1}
			good, _ := ranking.Score(c, match, w, monday)
			bad, _ := ranking.Score(c, tc.phone, w, monday)
			if !(bad < good) {
				t.Errorf("mismatch score %v, match score %v: want mismatch lower", bad, good)
			}
			if ranking.Excluded(tg, tc.phone) {
				t.Errorf("non-strict targeting excluded the phone")
			}
			strict := *tg
			strict.Strict = true
			if !ranking.Excluded(&strict, tc.phone) {
				t.Errorf("strict targeting did not exclude a mismatch")
			}
			if ranking.Excluded(&strict, match) {
				t.Errorf("strict targeting excluded a match")
			}
		})
	}
	t.Run("MissingIsNeutral", func(t *testing.T) {
		c := ranking.Candidate{DistanceM: 300, Targeting: tg, Activity: -1}
		untargeted := ranking.Candidate{DistanceM: 300, Activity: -1}
		got, _ := ranking.Score(c, ranking.Phone{}, w, monday)
		want, _ := ranking.Score(untargeted, ranking.Phone{}, w, monday)
		if got != want {
			t.Errorf("score with no phone attributes = %v, want %v (as untargeted)", got, want)
		}
		strict := *tg
		strict.Strict = true
		if ranking.Excluded(&strict, ranking.Phone{}) {
			t.Errorf("strict targeting excluded a phone that sent nothing")
		}
	})
}

func TestScore_ExplainAddsUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w := ranking.Weights{Distance: 0.37, Fit: 0.21, Popularity: 0.3, Open: 0.12, HalfDistanceM: 700, PopularityHalfCount: 5}
	sched := ranking.Compile(nearby.Hours{"mon": {{"09:00", "11:00"}}})
	for i := 0; i < 1000; i++ {
		c := ranking.Candidate{
			DistanceM: rng.Float64() * 5000,
			Activity:  rng.Float64()*40 - 1,
			Targeting: &nearby.Targeting{Genders: []string{"male"}, OS: []string{"android"}},
		}
		if i%2 == 0 {
			c.Hours = sched
		}
		p := ranking.Phone{Gender: []string{"", "male", "female"}[i%3], OS: []string{"ios", "", "android"}[i%3]}
		score, ex := ranking.Score(c, p, w, monday)
		if got := ex.Distance + ex.Fit + ex.Popularity + ex.Open; got != score {
			t.Fatalf("explain %+v sums to %v, want %v", ex, got, score)
		}
		var sum float64
		for _, v := range ex.Map() {
			sum += v
		}
		if math.Abs(sum-score) > 1e-12 || len(ex.Map()) != 6 {
			t.Fatalf("explain map %v sums to %v, want %v", ex.Map(), sum, score)
		}
		if got := ex.FitAge + ex.FitGender + ex.FitOS; got != ex.Fit {
			t.Fatalf("fit dimensions %+v sum to %v, want fit %v", ex, got, ex.Fit)
		}
		if ub := ranking.MaxScore(c.DistanceM, math.Max(c.Activity, 39), ranking.MaxFitFactor(p), w); score > ub {
			t.Fatalf("score %v above MaxScore %v", score, ub)
		}
	}
}

// TestMaxFitFactor: the bound is exact — some targeting reaches it — and
// no targeting exceeds it, for every combination of sent attributes.
func TestMaxFitFactor(t *testing.T) {
	age := 30
	targetings := []*nearby.Targeting{nil, {Genders: []string{"male"}}, {OS: []string{"ios"}},
		{AgeMin: &age, Genders: []string{"female"}, OS: []string{"android"}}, {AgeMax: &age, Genders: []string{"male"}, OS: []string{"ios"}}}
	for _, p := range []ranking.Phone{{}, {Gender: "male"}, {OS: "ios"}, {Age: &age, Gender: "female", OS: "android"}, {Age: &age, Gender: "male", OS: "ios"}} {
		bound, best := ranking.MaxFitFactor(p), 0.0
		for _, tg := range targetings {
			f := ranking.FitFactor(tg, p)
			if f > bound+1e-12 {
				t.Errorf("phone %+v: fit %v of %+v above the bound %v", p, f, tg, bound)
			}
			best = math.Max(best, f)
		}
		if math.Abs(best-bound) > 1e-12 {
			t.Errorf("phone %+v: best fit %v, bound %v: not tight", p, best, bound)
		}
	}
}

func TestScore_Popularity(t *testing.T) {
	w := ranking.DefaultWeights()
	score := func(act float64) float64 {
		s, _ := ranking.Score(ranking.Candidate{DistanceM: 100, Activity: act}, ranking.Phone{}, w, monday)
		return s
	}
	if got, want := ranking.PopularityFactor(-1, 20), ranking.NeutralPopularity; got != want {
		t.Errorf("unknown popularity = %v, want %v", got, want)
	}
	if got, want := ranking.PopularityFactor(20, 20), 0.5; got != want {
		t.Errorf("popularity at half count = %v, want %v", got, want)
	}
	if !(score(0) < score(1) && score(1) < score(100)) {
		t.Errorf("scores %v, %v, %v: want increasing with activity", score(0), score(1), score(100))
	}
}

func TestScore_ClosedRanksBelowOpen(t *testing.T) {
	w := ranking.DefaultWeights()
	open := ranking.Candidate{DistanceM: 100, Activity: -1, Hours: ranking.Compile(nearby.Hours{"mon": {{"09:00", "18:00"}}})}
	closed := ranking.Candidate{DistanceM: 100, Activity: -1, Hours: ranking.Compile(nearby.Hours{"tue": {{"09:00", "18:00"}}})}
	so, _ := ranking.Score(open, ranking.Phone{}, w, monday)
	sc, ex := ranking.Score(closed, ranking.Phone{}, w, monday)
	if !(sc < so) || ex.Open != 0 {
		t.Errorf("closed %v (open part %v), open %v: want closed lower with no open part", sc, ex.Open, so)
	}
}

func TestWeights_Validate(t *testing.T) {
	good := ranking.DefaultWeights()
	if err := good.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for name, mut := range map[string]func(*ranking.Weights){
		"NegativeDistance": func(w *ranking.Weights) { w.Distance = -1 },
		"NaNFit":           func(w *ranking.Weights) { w.Fit = math.NaN() },
		"ZeroHalf":         func(w *ranking.Weights) { w.HalfDistanceM = 0 },
		"InfCount":         func(w *ranking.Weights) { w.PopularityHalfCount = math.Inf(1) },
	} {
		t.Run(name, func(t *testing.T) {
			w := ranking.DefaultWeights()
			mut(&w)
			if err := w.Validate(); err == nil {
				t.Errorf("Validate() = nil, want an error")
			}
		})
	}
}
