package api

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

func benchPage() *catalog.NearbyPage {
	var page catalog.NearbyPage
	for i := range 20 {
		page.Results = append(page.Results, catalog.NearbyResult{
			Program: &nearby.Program{ID: uint64(1000 + i), AppID: "wx" + strconv.Itoa(i), Name: "Program " + strconv.Itoa(i),
				Category: "coffee", IconURL: "https://cdn.example.com/icons/" + strconv.Itoa(i) + ".png"},
			Store: &nearby.Store{ID: uint64(5000 + i), Name: "Store " + strconv.Itoa(i), Lat: 51.5 + float64(i)*0.00123,
				Lng: -0.12 - float64(i)*0.00071, Address: strconv.Itoa(i) + " High Street, London"},
			DistanceM: 123.456789 * float64(i+1), Score: 0.8765432109 / float64(i+1),
		})
	}
	page.NextCursor = "AAAAAAAAAAAAAAAAAAAAAAAAAA"
	return &page
}

// BenchmarkAppendNearbyPage: the hand-rolled encoder against encoding/json
// of equivalent structs (the baseline) for a 20-result page.
func BenchmarkAppendNearbyPage(b *testing.B) {
	page := benchPage()
	b.Run("append", func(b *testing.B) {
		buf := make([]byte, 0, 8192)
		for b.Loop() {
			buf = appendNearbyPage(buf[:0], page, false)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("encoding-json", func(b *testing.B) {
		type res struct {
			Program   *programBrief `json:"program"`
			Store     *storeBrief   `json:"store"`
			DistanceM float64       `json:"distance_m"`
			Score     float64       `json:"score"`
		}
		out := struct {
			Results    []res  `json:"results"`
			NextCursor string `json:"next_cursor,omitempty"`
		}{NextCursor: page.NextCursor}
		for _, r := range page.Results {
			out.Results = append(out.Results, res{programBriefOf(r.Program), storeBriefOf(r.Store), r.DistanceM, r.Score})
		}
		var n int
		for b.Loop() {
			bb, _ := json.Marshal(out)
			n = len(bb)
		}
		b.SetBytes(int64(n))
	})
}
