package ranking_test

import (
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
)

func ExampleScore() {
	w := ranking.DefaultWeights()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) // a Monday noon
	c := ranking.Candidate{
		DistanceM: 1000, // one half-distance away: half the distance weight
		Targeting: &nearby.Targeting{OS: []string{"ios"}},
		Activity:  -1, // no activity known yet: neutral popularity
		Hours:     ranking.Compile(nearby.Hours{"mon": {{"09:00", "18:00"}}}),
	}
	score, ex := ranking.Score(c, ranking.Phone{OS: "android"}, w, now)
	fmt.Printf("distance %.3f + fit %.3f (age %.3f, gender %.3f, os %.3f) + popularity %.3f + open %.3f = %.3f\n",
		ex.Distance, ex.Fit, ex.FitAge, ex.FitGender, ex.FitOS, ex.Popularity, ex.Open, score)
	// Output: distance 0.300 + fit 0.067 (age 0.033, gender 0.033, os 0.000) + popularity 0.050 + open 0.100 = 0.517
}
