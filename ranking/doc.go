// Package ranking scores a mini-program at one of its stores for one phone.
//
// It is pure: no I/O, no clocks, no globals. The catalog package feeds it
// candidates found by the geo index and sorts by the score it returns.
//
// # The score
//
// A score is the weighted sum of four factors, each in [0, 1], and a fifth
// with a text query:
//
//	score = Weights.Distance   * 2^(-distance_m / Weights.HalfDistanceM)
//	      + Weights.Fit        * fit
//	      + Weights.Popularity * popularity
//	      + Weights.Open       * open
//	      + Weights.Relevance  * relevance   (q only)
//
// The factors:
//
//   - distance halves every HalfDistanceM metres (default 1000 m): a store
//     1 km away gets half the distance weight of one next door, 2 km a quarter.
//   - fit is the mean over the targeting dimensions (age, gender, OS) of
//     how the phone fits each: 1 when the program targets the dimension and
//     the phone's attribute is inside it (a match), 0 when it is outside (a
//     contradiction), and the neutral 0.5 when the program does not target
//     the dimension or the phone does not send the attribute. A match thus
//     ranks a program above an otherwise equal untargeted one, a
//     contradiction below it, by the same step (w.Fit/6, 0.033 by default);
//     a phone that sends nothing sees every program at the neutral fit, as
//     if nothing were targeted. With Targeting.Strict a contradiction hides
//     the program instead (see Excluded); a missing attribute never does.
//   - popularity maps a store's time-decayed count of shakes and visits c to
//     c/(c+PopularityHalfCount): half the weight at PopularityHalfCount recent
//     events. Until any activity has been recorded at all it is the neutral
//     NeutralPopularity for every store.
//   - open is 1 when the store is open at the query time in its own time zone
//     or its hours are unknown, 0 when it is closed.
//   - relevance, with a text query (q) only, is how well the query matched
//     the program's or its store's name: 0.5 for any match plus up to 0.5
//     for the share of the name the query covers. Without q every candidate
//     has 0 and the factor is left out of Explain.Map; with q every
//     candidate matched, so the weight orders matches among themselves.
//
// Defaults (DefaultWeights): distance 0.6, fit 0.2, popularity 0.1, open 0.1,
// relevance 0.2, half distance 1000 m, popularity half count 20 events.
//
// Explain returns each weighted factor; the four add up to the score exactly
// in the order distance + fit + popularity + open. The fit is also given per
// dimension (FitAge + FitGender + FitOS == Fit), and Explain.Map, what the
// API serves, lists the dimensions instead of their sum so that the served
// parts still add up to the score.
//
// Because every factor is bounded, MaxScore gives an upper bound of the score
// of any candidate at a given distance or farther (plus Weights.Relevance
// with a text query), which lets the catalog stop
// walking the geo index once no farther store can enter the page.
//
// # Hours
//
// OpenAt reads nearby.Hours: ranges whose close is not after their open run
// past midnight into the next day, "24:00" closes at midnight. Nil or empty
// hours mean unknown and count as open. Schedule is the pre-compiled form the
// catalog keeps per store so that queries never parse clock strings.
package ranking
