package ranking_test

import (
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
)

func TestOpenAt(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// 2026-11-23 is a Monday.
	at := func(day, hh, mm int, loc *time.Location) time.Time {
		return time.Date(2026, 11, 22+day, hh, mm, 0, 0, loc)
	}
	weekday := nearby.Hours{"mon": {{"09:00", "12:00"}, {"14:00", "18:00"}}}
	night := nearby.Hours{"fri": {{"22:00", "02:00"}}, "sat": {{"20:00", "04:00"}}}
	midnight := nearby.Hours{"mon": {{"18:00", "24:00"}}}
	for _, tc := range []struct {
		name string
		h    nearby.Hours
		loc  *time.Location
		t    time.Time
		want bool
	}{
		{"NilIsOpen", nil, time.UTC, at(1, 3, 0, time.UTC), true},
		{"EmptyIsOpen", nearby.Hours{}, time.UTC, at(1, 3, 0, time.UTC), true},
		{"Morning", weekday, time.UTC, at(1, 9, 0, time.UTC), true},
		{"CloseIsExclusive", weekday, time.UTC, at(1, 12, 0, time.UTC), false},
		{"Lunch", weekday, time.UTC, at(1, 13, 0, time.UTC), false},
		{"Afternoon", weekday, time.UTC, at(1, 17, 59, time.UTC), true},
		{"OtherDay", weekday, time.UTC, at(2, 10, 0, time.UTC), false},
		{"InStoreZone", weekday, paris, at(1, 8, 30, time.UTC), true}, // 09:30 in Paris
		{"InStoreZoneClosed", weekday, paris, at(1, 11, 30, time.UTC), false},
		{"PastMidnight", night, time.UTC, at(6, 1, 0, time.UTC), true}, // Saturday 01:00 from Friday
		{"PastMidnightEnds", night, time.UTC, at(6, 2, 0, time.UTC), false},
		{"SaturdayIntoSunday", night, time.UTC, at(7, 3, 59, time.UTC), true}, // Sunday 03:59
		{"SundayAfter", night, time.UTC, at(7, 4, 0, time.UTC), false},
		{"Until24", midnight, time.UTC, at(1, 23, 59, time.UTC), true},
		{"After24", midnight, time.UTC, at(2, 0, 0, time.UTC), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ranking.OpenAt(tc.h, tc.loc, tc.t); got != tc.want {
				t.Errorf("OpenAt(%v, %v, %v) = %v, want %v", tc.h, tc.loc, tc.t, got, tc.want)
			}
		})
	}
}
