// Package ranking scores a mini-program at one of its stores for one phone.
//
// It is pure: no I/O, no clocks, no globals. The catalog package feeds it
// candidates found by the geo index and sorts by the score it returns.
//
// # The score
//
// A score is the weighted sum of four factors, each in [0, 1]:
//
//	score = Weights.Distance   * 2^(-distance_m / Weights.HalfDistanceM)
//	      + Weights.Fit        * fit
//	      + Weights.Popularity * popularity
//	      + Weights.Open       * open
//
// The factors:
//
//   - distance halves every HalfDistanceM metres (default 1000 m): a store
//     1 km away gets half the distance weight of one next door, 2 km a quarter.
//   - fit is the share of the dimensions a program targets (age, gender, OS)
//     that the phone does not contradict. A dimension the program does not
//     target, or that the phone does not send, is no contradiction (neutral).
//     A contradiction demotes the program; with Targeting.Strict it hides it
//     instead (see Excluded).
//   - popularity maps a store's time-decayed count of shakes and visits c to
//     c/(c+PopularityHalfCount): half the weight at PopularityHalfCount recent
//     events. Until any activity has been recorded at all it is the neutral
//     NeutralPopularity for every store.
//   - open is 1 when the store is open at the query time in its own time zone
//     or its hours are unknown, 0 when it is closed.
//
// Defaults (DefaultWeights): distance 0.6, fit 0.2, popularity 0.1, open 0.1,
// half distance 1000 m, popularity half count 20 events.
//
// Explain returns each weighted factor; the four add up to the score exactly
// in the order distance + fit + popularity + open.
//
// Because every factor is bounded, MaxScore gives an upper bound of the score
// of any candidate at a given distance or farther, which lets the catalog stop
// walking the geo index once no farther store can enter the page.
//
// # Hours
//
// OpenAt reads nearby.Hours: ranges whose close is not after their open run
// past midnight into the next day, "24:00" closes at midnight. Nil or empty
// hours mean unknown and count as open. Schedule is the pre-compiled form the
// catalog keeps per store so that queries never parse clock strings.
package ranking
