package ranking_test

import (
	"math"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
)

var sink float64

// BenchmarkScore scores one candidate; the baseline is the distance decay
// alone (one math.Exp2), the floor of any smooth distance score.
func BenchmarkScore(b *testing.B) {
	w := ranking.DefaultWeights()
	tg := &nearby.Targeting{AgeMin: ptr(18), AgeMax: ptr(30), OS: []string{"ios"}}
	phone := ranking.Phone{Age: ptr(25), OS: "android"}
	hours := ranking.Compile(nearby.Hours{"mon": {{"09:00", "12:00"}, {"14:00", "18:00"}}, "tue": {{"09:00", "18:00"}}})
	b.Run("Baseline/Exp2", func(b *testing.B) {
		d := 0.0
		for b.Loop() {
			d += 1
			sink += math.Exp2(-d / 1000)
		}
	})
	b.Run("Plain", func(b *testing.B) {
		c := ranking.Candidate{Activity: -1}
		for b.Loop() {
			c.DistanceM += 1
			s, _ := ranking.Score(c, ranking.Phone{}, w, monday)
			sink += s
		}
	})
	b.Run("TargetedWithHours", func(b *testing.B) {
		c := ranking.Candidate{Targeting: tg, Activity: 3, Hours: hours}
		for b.Loop() {
			c.DistanceM += 1
			s, _ := ranking.Score(c, phone, w, monday)
			sink += s
		}
	})
}
