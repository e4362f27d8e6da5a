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
	fmt.Printf("distance %.2f + fit %.2f + popularity %.2f + open %.2f = %.2f\n",
		ex.Distance, ex.Fit, ex.Popularity, ex.Open, score)
	// Output: distance 0.30 + fit 0.00 + popularity 0.05 + open 0.10 = 0.45
}
