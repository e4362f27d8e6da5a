package catalog

import (
	"strings"
	"testing"
)

func TestText_Match(t *testing.T) {
	for _, tc := range []struct {
		q, name string
		tags    []string
		match   bool
	}{
		{"star", "Starbucks Reserve", nil, true},
		{"STARBUCKS", "starbucks", nil, true},
		{"cafe", "Café de Flore", nil, true},
		{"CAFÉ flo", "cafe de flore", nil, true},
		{"flore cafe", "Café de Flore", nil, true}, // any order
		{"bucks", "Starbucks", nil, false},         // a prefix, not any substring
		{"strasse", "Königstraße", nil, false},     // words are prefixed, not infixed
		{"konigstrasse", "Königstraße", nil, true},
		{"lodz", "Łódź Kawa", nil, true},
		{"star roast", "Starbucks", nil, false}, // every word must match
		{"drive", "Starbucks", []string{"drive-thru"}, true},
		{"星巴克", "星巴克咖啡", nil, true},
		{"咖啡", "星巴克咖啡", nil, true},
		{"星", "星巴克咖啡", nil, true},
		{"星克", "星巴克咖啡", nil, false}, // bigrams must occur
		{"スターバックス", "スターバックス コーヒー", nil, true},
		{"星巴克 reserve", "星巴克 Reserve 臻选", nil, true},
	} {
		q, err := CompileText(tc.q)
		if err != nil {
			t.Fatalf("CompileText(%q): %v", tc.q, err)
		}
		got := q.Match(newTextRec(tc.name, tc.tags...))
		if (got > 0) != tc.match || got < 0 || got > 1 {
			t.Errorf("%q in %q %v: relevance %v, want match %v", tc.q, tc.name, tc.tags, got, tc.match)
		}
	}
	q, _ := CompileText("starbucks")
	exact, longer := q.Match(newTextRec("Starbucks")), q.Match(newTextRec("Starbucks Reserve Roastery"))
	if !(exact > longer) || exact != 1 {
		t.Errorf("exact name %v, longer name %v: want 1 and less", exact, longer)
	}
	for _, bad := range []string{"", "!!!", string(make([]byte, MaxQueryLen+1)), "\xff"} {
		if _, err := CompileText(bad); err == nil {
			t.Errorf("CompileText(%q) accepted", bad)
		}
	}
}

func FuzzCompileText(f *testing.F) {
	for _, s := range []string{"star", "星巴克", "Café", "ß", "\xff", "a b  c"} {
		f.Add(s, "Starbucks 星巴克咖啡 Café")
	}
	f.Fuzz(func(t *testing.T, q, name string) {
		tq, err := CompileText(q)
		if err != nil {
			return
		}
		if r := tq.Match(newTextRec(name)); r < 0 || r > 1 {
			t.Fatalf("relevance %v", r)
		}
		rec := newTextRec(name)
		for _, w := range tq.words {
			if rec.hasWordPrefix(w) != wordPrefixed(rec, w) {
				t.Fatalf("%q in %q: hasWordPrefix %v", w, name, rec.hasWordPrefix(w))
			}
		}
		if r := tq.Match(newTextRec(q)); r == 0 {
			t.Fatalf("%q does not match itself", q)
		}
	})
}

// wordPrefixed is hasWordPrefix the slow way, word by word.
func wordPrefixed(r *textRec, w string) bool {
	return r.eachWord(func(x string) bool { return len(x) >= len(w) && x[:len(w)] == w })
}

func TestTextRec_HasWordPrefix(t *testing.T) {
	for _, tc := range []struct {
		name, w string
		want    bool
	}{
		{"Starbucks Reserve", "star", true},
		{"Starbucks Reserve", "res", true},
		{"Starbucks Reserve", "bucks", false},
		{"aab ab", "ab", true},         // the first occurrence is inside a word
		{"xab yab", "ab", false},       // every occurrence is inside a word
		{"xab yabab abc", "abc", true}, // found past overlapping occurrences
		{"express expressway", "expressw", true},
		{"", "a", false},
		{"a", "ab", false},
		{"星巴克咖啡 star", "star", true}, // the runs are not words
		{"星巴克 star", "星", false},
	} {
		r := newTextRec(tc.name)
		if got := r.hasWordPrefix(tc.w); got != tc.want || got != wordPrefixed(r, tc.w) {
			t.Errorf("%q has a word prefixed by %q: %v, want %v", tc.name, tc.w, got, tc.want)
		}
	}
}

// TestFoldASCIIRec checks the one-pass fold of ASCII texts against the
// general one.
func TestFoldASCIIRec(t *testing.T) {
	tests := [][]string{
		{"Store 123"}, {"  Blue--Bottle  Coffee!"}, {""}, {"---"}, {"A", "b", "", "c d"},
		{"Starbucks", "drive-thru", "wifi"}, {"x", "  "}, {"CAFÉ"}, {"ok", "naïve"},
	}
	for _, tt := range tests {
		got, ok := foldASCIIRec(tt[0], tt[1:])
		r := foldText(tt[0])
		for _, m := range tt[1:] {
			o := foldText(m)
			r.words = append(r.words, o.words...)
			r.runs = append(r.runs, o.runs...)
		}
		if !ok {
			if isASCII(strings.Join(tt, "")) {
				t.Errorf("foldASCIIRec(%q) refused ASCII", tt)
			}
			continue
		}
		want := textRec{s: strings.Join(r.words, " "), runes: int32(r.runes)}
		want.split = int32(len(want.s))
		if *got != want {
			t.Errorf("foldASCIIRec(%q) = %+v, want %+v", tt, *got, want)
		}
	}
}
