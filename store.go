package nearby

import (
	"fmt"
	"slices"
	"time"
)

// Store is a physical place of a merchant's, where its programs are found.
type Store struct {
	ID         uint64
	MerchantID uint64
	Name       string
	Lat        float64
	Lng        float64
	Category   string
	Address    string
	Timezone   string // IANA name; "" means UTC
	Hours      Hours  // nil means no hours known (treated as always open)
	Tags       []string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Hours are weekly opening hours in the store's timezone: weekday key
// ("mon".."sun") to a list of [open, close] "HH:MM" ranges. A range whose
// close is not after its open runs past midnight into the next day;
// "24:00" closes at midnight.
type Hours map[string][][2]string

// Weekdays lists the keys of Hours in time.Weekday order (Sunday first).
var Weekdays = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Limits on store fields.
const (
	MaxCategoryLen = 64
	MaxAddressLen  = 500
	MaxTags        = 32
	MaxTagLen      = 64
)

// Validate checks a store's client-supplied fields and reports every bad
// one.
func (s *Store) Validate() error {
	var p Problems
	checkName(&p, "name", s.Name, true)
	CheckLatLng(&p, "", s.Lat, s.Lng)
	CheckCategory(&p, "category", s.Category, true)
	if len(s.Address) > MaxAddressLen {
		p.Addf("address", "must be at most %d bytes", MaxAddressLen)
	}
	if s.Timezone != "" {
		if _, err := LoadLocation(s.Timezone); err != nil {
			p.Addf("timezone", "is not a known IANA time zone")
		}
	}
	s.Hours.check(&p, "hours")
	if len(s.Tags) > MaxTags {
		p.Addf("tags", "must have at most %d entries", MaxTags)
	}
	for i, t := range s.Tags {
		if t == "" || len(t) > MaxTagLen {
			p.Addf(fmt.Sprintf("tags[%d]", i), "must be 1 to %d bytes", MaxTagLen)
		}
	}
	return p.Err()
}

// CheckCategory records a problem when a category is missing (if required),
// too long, or not a lower-case slug of letters, digits, '-' and '_'.
func CheckCategory(p *Problems, field, c string, required bool) {
	if c == "" {
		if required {
			p.Addf(field, "is required")
		}
		return
	}
	if len(c) > MaxCategoryLen {
		p.Addf(field, "must be at most %d bytes", MaxCategoryLen)
		return
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			p.Addf(field, "must contain only a-z, 0-9, '-' and '_'")
			return
		}
	}
}

// ParseClock parses "HH:MM" (00:00 to 24:00) into minutes after midnight.
func ParseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	d := func(c byte) int { return int(c - '0') }
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m := d(s[0])*10+d(s[1]), d(s[3])*10+d(s[4])
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func (h Hours) check(p *Problems, field string) {
	days := make([]string, 0, len(h))
	for day := range h {
		days = append(days, day)
	}
	slices.Sort(days) // deterministic error order
	for _, day := range days {
		ranges := h[day]
		known := false
		for _, w := range Weekdays {
			known = known || w == day
		}
		if !known {
			p.Addf(field+"."+day, "is not a weekday (use mon, tue, wed, thu, fri, sat, sun)")
			continue
		}
		for i, r := range ranges {
			f := fmt.Sprintf("%s.%s[%d]", field, day, i)
			open, ok1 := ParseClock(r[0])
			close, ok2 := ParseClock(r[1])
			switch {
			case !ok1 || !ok2:
				p.Addf(f, "must be a pair of \"HH:MM\" times")
			case open == close:
				p.Addf(f, "must not open and close at the same time")
			case open == 24*60:
				p.Addf(f, "cannot open at 24:00")
			}
		}
	}
}
