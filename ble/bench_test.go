package ble_test

import (
	"testing"
	"time"

	"github.com/nearby-dev/nearby/ble"
)

// Baselines in the same run: ParseAD (splitting the structures only) for the
// decoders, Filter.Add for the tracker.

var (
	benchAD  = mustHex(&testing.B{}, "02011a1aff4c000215e2c56db5dffb48d2b060d0f5a71096e000640000c5")
	benchHCI = mustHex(&testing.B{}, "043E2A02010001433EA2C96B6A1E02011A1AFF4C000215E2C56DB5DFFB48D2B060D0F5A71096E000640000C5B3")
)

func BenchmarkParseAD(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ble.ParseAD(benchAD); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	b.Run("AD", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ble.Decode(benchAD); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("HCIEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ble.Decode(benchHCI); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFilter_Add(b *testing.B) {
	f := ble.NewFilter()
	at := day
	b.ReportAllocs()
	for b.Loop() {
		at = at.Add(100 * time.Millisecond)
		f.Add(-60-int(at.UnixMilli()/100%7), at)
	}
}

func BenchmarkTracker_Observe(b *testing.B) {
	// 50 phones heard round-robin, 10 readings a second each.
	tr := ble.NewTracker(nil)
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	at := day
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		at = at.Add(2 * time.Millisecond)
		tr.Observe(ble.Sighting{DeviceID: ids[i%len(ids)], RSSI: -55 - i%20, At: at})
	}
}

func BenchmarkSim_Sightings(b *testing.B) {
	// A 10-minute store day with 100 phones.
	s := mustSim(b, ble.SimOptions{Seed: 1, Phones: 100, Duration: 10 * time.Minute, Start: day})
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n = len(s.Sightings(ble.Point{}))
	}
	b.ReportMetric(float64(n), "sightings/op")
}
