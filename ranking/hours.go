package ranking

import (
	"slices"
	"time"

	"github.com/nearby-dev/nearby"
)

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
)

// Schedule is nearby.Hours compiled to sorted minute-of-week spans, so
// that asking whether a store is open costs a time zone lookup and a short
// scan instead of parsing clock strings.
type Schedule struct {
	spans []span // [from, to) in minutes since Sunday 00:00; sorted, no wrap
}

type span struct{ from, to uint16 }

// Compile returns the schedule of h, or nil when h is nil or empty (hours
// unknown, treated as open). Ranges that do not parse, or that open at
// 24:00, are ignored: nearby.Store.Validate rejects them on the way in.
func Compile(h nearby.Hours) *Schedule {
	if len(h) == 0 {
		return nil
	}
	s := &Schedule{}
	for day, name := range nearby.Weekdays {
		for _, r := range h[name] {
			open, ok1 := nearby.ParseClock(r[0])
			close, ok2 := nearby.ParseClock(r[1])
			if !ok1 || !ok2 || open == minutesPerDay {
				continue
			}
			from := day*minutesPerDay + open
			to := day*minutesPerDay + close
			if close <= open { // runs past midnight into the next day
				to += minutesPerDay
			}
			if to > minutesPerWeek { // Saturday night into Sunday morning
				s.spans = append(s.spans, span{0, uint16(to - minutesPerWeek)})
				to = minutesPerWeek
			}
			s.spans = append(s.spans, span{uint16(from), uint16(to)})
		}
	}
	slices.SortFunc(s.spans, func(a, b span) int { return int(a.from) - int(b.from) })
	return s
}

// OpenAt reports whether the schedule is open at t in loc (nil: UTC). A nil
// schedule is always open.
func (s *Schedule) OpenAt(loc *time.Location, t time.Time) bool {
	if s == nil {
		return true
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	hh, mm, _ := t.Clock()
	m := uint16(int(t.Weekday())*minutesPerDay + hh*60 + mm)
	for _, sp := range s.spans {
		if sp.from > m {
			break
		}
		if m < sp.to {
			return true
		}
	}
	return false
}

// OpenAt reports whether a store with hours h in time zone loc is open at
// t. Nil or empty hours are unknown and count as open.
func OpenAt(h nearby.Hours, loc *time.Location, t time.Time) bool {
	return Compile(h).OpenAt(loc, t)
}
