package catalog

import (
	"encoding/binary"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ranking"
)

// Values that many records share (categories, time zones, opening hours,
// targetings) are kept once, in tables that only grow, and records name
// them by number: a record then holds no pointer, and a million stores
// with the same hours compile them once. Numbers start at 1; 0 means none.
// Under the catalog's write lock for interning, read lock for lookups.
type interned[T any] struct {
	vals []T // vals[0] is the zero T
	idx  map[string]uint32
}

func (t *interned[T]) intern(key string, mk func() T) uint32 {
	if n, ok := t.idx[key]; ok {
		return n
	}
	if t.idx == nil {
		t.idx = make(map[string]uint32)
		var zero T
		t.vals = append(t.vals[:0], zero)
	}
	n := uint32(len(t.vals))
	t.vals = append(t.vals, mk())
	t.idx[key] = n
	return n
}

func (t *interned[T]) at(n uint32) T {
	if int(n) >= len(t.vals) {
		var zero T
		return zero
	}
	return t.vals[n]
}

// zone is an interned time zone: the name as the store gave it ("" is UTC)
// and its location.
type zone struct {
	name string
	loc  *time.Location
}

// hoursRec is interned opening hours: as given, and compiled.
type hoursRec struct {
	hours nearby.Hours
	sched *ranking.Schedule
}

// interns are the catalog's tables of shared values.
type interns struct {
	cats  interned[string] // program and store categories
	zones interned[zone]
	hours interned[hoursRec]
	targs interned[*nearby.Targeting]
}

func (in *interns) cat(c string) uint32 {
	return in.cats.intern(c, func() string { return strings.Clone(c) })
}

func (in *interns) zone(name string) uint32 {
	return in.zones.intern(name, func() zone { return zone{name: strings.Clone(name), loc: nearby.Zone(name)} })
}

// hoursOf interns h; nil hours are 0.
func (in *interns) hoursOf(h nearby.Hours) uint32 {
	if h == nil {
		return 0
	}
	days := slices.Sorted(maps.Keys(h))
	var key []byte
	for _, d := range days {
		key = append(key, d...)
		key = binary.AppendUvarint(key, uint64(len(h[d])))
		for _, r := range h[d] {
			key = append(append(append(key, r[0]...), '-'), r[1]...)
			key = append(key, ',')
		}
	}
	return in.hours.intern(string(key), func() hoursRec {
		cp := make(nearby.Hours, len(h))
		for d, rs := range h {
			cp[d] = slices.Clone(rs)
		}
		return hoursRec{hours: cp, sched: ranking.Compile(cp)}
	})
}

// targOf interns t; nil targeting is 0.
func (in *interns) targOf(t *nearby.Targeting) uint32 {
	if t == nil {
		return 0
	}
	var key []byte
	age := func(a *int) {
		if a == nil {
			key = append(key, '-')
		} else {
			key = strconv.AppendInt(key, int64(*a), 10)
		}
		key = append(key, '|')
	}
	age(t.AgeMin)
	age(t.AgeMax)
	key = append(key, strings.Join(t.Genders, ",")...)
	key = append(key, '|')
	key = append(key, strings.Join(t.OS, ",")...)
	key = strconv.AppendBool(append(key, '|'), t.Strict)
	if t.Genders == nil {
		key = append(key, "|g0"...)
	}
	if t.OS == nil {
		key = append(key, "|o0"...)
	}
	return in.targs.intern(string(key), func() *nearby.Targeting {
		cp := *t
		if t.AgeMin != nil {
			v := *t.AgeMin
			cp.AgeMin = &v
		}
		if t.AgeMax != nil {
			v := *t.AgeMax
			cp.AgeMax = &v
		}
		cp.Genders, cp.OS = slices.Clone(t.Genders), slices.Clone(t.OS)
		return &cp
	})
}
