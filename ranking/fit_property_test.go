package ranking_test

import (
	"math/rand/v2"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
)

// randomTargeting targets a random subset of the dimensions.
func randomTargeting(rng *rand.Rand) *nearby.Targeting {
	t := &nearby.Targeting{Strict: rng.IntN(2) == 0}
	if rng.IntN(2) == 0 {
		lo := rng.IntN(60)
		t.AgeMin = ptr(lo)
		if rng.IntN(2) == 0 {
			t.AgeMax = ptr(lo + rng.IntN(40))
		}
	}
	pick := func(all []string) []string {
		var out []string
		for _, v := range all {
			if rng.IntN(2) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	t.Genders = pick(nearby.Genders)
	t.OS = pick(nearby.OSes)
	return t
}

// randomPhone sends a random subset of its attributes.
func randomPhone(rng *rand.Rand) ranking.Phone {
	var p ranking.Phone
	if rng.IntN(2) == 0 {
		p.Age = ptr(rng.IntN(100))
	}
	if rng.IntN(2) == 0 {
		p.Gender = nearby.Genders[rng.IntN(len(nearby.Genders))]
	}
	if rng.IntN(2) == 0 {
		p.OS = nearby.OSes[rng.IntN(len(nearby.OSes))]
	}
	return p
}

// TestFit_Properties checks the three promises of targeting against an
// untargeted program at the same distance, activity and hours: a phone
// that matches on some dimension and contradicts none ranks the targeted
// program higher; one that contradicts some dimension and matches none
// ranks it lower (and strict targeting hides it); a phone that sends
// nothing sees no difference.
func TestFit_Properties(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 4))
	w := ranking.DefaultWeights()
	counts := map[string]int{}
	for i := 0; i < 20000; i++ {
		tg := randomTargeting(rng)
		phone := randomPhone(rng)
		if i%5 == 0 {
			phone = ranking.Phone{}
		}
		base := ranking.Candidate{DistanceM: rng.Float64() * 3000, Activity: rng.Float64()*30 - 1}
		targeted := base
		targeted.Targeting = tg
		got, ex := ranking.Score(targeted, phone, w, monday)
		plain, _ := ranking.Score(base, phone, w, monday)
		matches, contradictions := 0, 0
		for _, f := range ranking.Fits(tg, phone) {
			switch f {
			case ranking.FitMatches:
				matches++
			case ranking.FitContradicts:
				contradictions++
			}
		}
		if got := ex.FitAge + ex.FitGender + ex.FitOS; got != ex.Fit {
			t.Fatalf("%+v, %+v: fit dimensions sum to %v, fit %v", tg, phone, got, ex.Fit)
		}
		switch {
		case phone == (ranking.Phone{}):
			counts["silent"]++
			if got != plain || ranking.Excluded(tg, phone) {
				t.Fatalf("%+v, silent phone: score %v, untargeted %v, excluded %v; want equal and shown",
					tg, got, plain, ranking.Excluded(tg, phone))
			}
		case matches > 0 && contradictions == 0:
			counts["match"]++
			if !(got > plain) || ranking.Excluded(tg, phone) {
				t.Fatalf("%+v, %+v matches: score %v, untargeted %v; want above and shown", tg, phone, got, plain)
			}
		case contradictions > 0 && matches == 0:
			counts["contradiction"]++
			if !(got < plain) {
				t.Fatalf("%+v, %+v contradicts: score %v, untargeted %v; want below", tg, phone, got, plain)
			}
			if ranking.Excluded(tg, phone) != tg.Strict {
				t.Fatalf("%+v, %+v contradicts: excluded %v, want strict %v", tg, phone, ranking.Excluded(tg, phone), tg.Strict)
			}
		case contradictions == 0:
			counts["neutral"]++
			if got != plain {
				t.Fatalf("%+v, %+v neither matches nor contradicts: score %v, untargeted %v", tg, phone, got, plain)
			}
		}
	}
	for _, k := range []string{"silent", "match", "contradiction", "neutral"} {
		if counts[k] < 100 {
			t.Errorf("only %d cases of %q: the generator misses it", counts[k], k)
		}
	}
}

// TestFit_EachDimension: one targeted dimension moves the score by the
// same step up on a match and down on a contradiction, and only its own
// explain part moves.
func TestFit_EachDimension(t *testing.T) {
	w := ranking.DefaultWeights()
	step := w.Fit / 6
	for _, tc := range []struct {
		name         string
		tg           nearby.Targeting
		match, contr ranking.Phone
		part         func(ranking.Explain) float64
	}{
		{"Age", nearby.Targeting{AgeMin: ptr(18), AgeMax: ptr(25)}, ranking.Phone{Age: ptr(20)}, ranking.Phone{Age: ptr(40)},
			func(e ranking.Explain) float64 { return e.FitAge }},
		{"Gender", nearby.Targeting{Genders: []string{"female"}}, ranking.Phone{Gender: "female"}, ranking.Phone{Gender: "male"},
			func(e ranking.Explain) float64 { return e.FitGender }},
		{"OS", nearby.Targeting{OS: []string{"ios"}}, ranking.Phone{OS: "ios"}, ranking.Phone{OS: "android"},
			func(e ranking.Explain) float64 { return e.FitOS }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ranking.Candidate{DistanceM: 200, Activity: -1, Targeting: &tc.tg}
			plain := ranking.Candidate{DistanceM: 200, Activity: -1}
			neutral, exN := ranking.Score(plain, tc.match, w, monday)
			up, exU := ranking.Score(c, tc.match, w, monday)
			down, exD := ranking.Score(c, tc.contr, w, monday)
			if d := up - neutral; d < step-1e-12 || d > step+1e-12 {
				t.Errorf("match adds %v, want %v", d, step)
			}
			if d := neutral - down; d < step-1e-12 || d > step+1e-12 {
				t.Errorf("contradiction takes %v, want %v", d, step)
			}
			if tc.part(exU) != 2*tc.part(exN) || tc.part(exD) != 0 {
				t.Errorf("explain part: match %v, neutral %v, contradiction %v", tc.part(exU), tc.part(exN), tc.part(exD))
			}
			if d := (exU.Fit - tc.part(exU)) - (exN.Fit - tc.part(exN)); d < -1e-12 || d > 1e-12 {
				t.Errorf("another dimension moved: %+v vs %+v", exU, exN)
			}
		})
	}
}
