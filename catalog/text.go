package catalog

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nearby-dev/nearby"
	"golang.org/x/text/unicode/norm"
)

// Text search (the q parameter) matches names the way people type them:
// case- and accent-insensitively ("cafe" finds "Café"), each query word as
// a prefix of a word of the name ("star" finds "Starbucks Reserve"), and
// Chinese and Japanese, written without spaces, by character bigrams ("星巴克"
// finds "星巴克咖啡" because both 星巴 and 巴克 occur in it). Every query
// word must match. Records are normalized once, when they are put, so a
// query only compares prepared words.

// MaxQueryLen bounds q in bytes.
const MaxQueryLen = 200

// textRec is the searchable form of a record's text, in one string (a
// million of them are kept): the folded words separated by spaces, then,
// after a NUL, the runs of Han, Hiragana and Katakana separated by NULs.
type textRec struct {
	s     string
	split int32 // where the runs start (the NUL), len(s) without runs
	runes int32 // runes of the name, for the coverage part of relevance
}

// folded is a text split into its folded words and runs.
type folded struct {
	words []string // of scripts written with spaces
	runs  []string // of Han, Hiragana and Katakana
	runes int
}

// wordPart and runPart are the two halves of r.s.
func (r *textRec) wordPart() string { return r.s[:r.split] }

func (r *textRec) runPart() string {
	if int(r.split) < len(r.s) {
		return r.s[r.split+1:]
	}
	return ""
}

// eachWord calls fn with each word until it returns true.
func (r *textRec) eachWord(fn func(string) bool) bool {
	ws := r.wordPart()
	for ws != "" {
		var w string
		w, ws, _ = strings.Cut(ws, " ")
		if fn(w) {
			return true
		}
	}
	return false
}

// hasWordPrefix reports whether w prefixes a word of r: an occurrence of
// w at the start of the words or after a space (a query word has no
// space). One substring search instead of splitting every word.
func (r *textRec) hasWordPrefix(w string) bool {
	ws := r.wordPart()
	for from := 0; ; {
		i := strings.Index(ws[from:], w)
		if i < 0 {
			return false
		}
		if i += from; i == 0 || ws[i-1] == ' ' {
			return true
		}
		from = i + 1
	}
}

// eachRun calls fn with each run.
func (r *textRec) eachRun(fn func(string)) {
	rs := r.runPart()
	for rs != "" {
		var run string
		run, rs, _ = strings.Cut(rs, "\x00")
		fn(run)
	}
}

// Text is a compiled query.
type Text struct {
	words []string // each must prefix a word of the record
	grams []string // each must occur in a run of the record
	runes int
}

// textError is a q that cannot be searched for.
type textError string

func (e textError) Error() string { return string(e) }

// CompileText prepares q for matching. It fails when q is longer than
// MaxQueryLen or has no letter or digit.
func CompileText(q string) (*Text, error) {
	if len(q) > MaxQueryLen {
		return nil, textError("must be at most 200 bytes")
	}
	if !utf8.ValidString(q) {
		return nil, textError("must be UTF-8")
	}
	r := foldText(q)
	t := &Text{words: r.words, runes: r.runes}
	for _, run := range r.runs {
		rs := []rune(run)
		if len(rs) == 1 {
			t.grams = append(t.grams, run)
			continue
		}
		for i := 0; i+1 < len(rs); i++ {
			t.grams = append(t.grams, string(rs[i:i+2]))
		}
	}
	if len(t.words) == 0 && len(t.grams) == 0 {
		return nil, textError("must contain a letter or a digit")
	}
	return t, nil
}

// Match returns how well t matches the texts, in (0, 1], or 0 when some
// query word or bigram matches none of them. A match scores at least 0.5,
// plus up to 0.5 for the share of the first text (the name) the query
// covers, so "Starbucks" ranks an exact "Starbucks" above "Starbucks
// Reserve Roastery".
func (t *Text) Match(texts ...*textRec) float64 {
	for _, w := range t.words {
		if !anyText(texts, func(r *textRec) bool { return r.hasWordPrefix(w) }) {
			return 0
		}
	}
	for _, g := range t.grams {
		if !anyText(texts, func(r *textRec) bool { return strings.Contains(r.runPart(), g) }) {
			return 0
		}
	}
	name := 1
	if len(texts) > 0 && texts[0] != nil && texts[0].runes > 0 {
		name = int(texts[0].runes)
	}
	return 0.5 + 0.5*min(1, float64(t.runes)/float64(name))
}

// relevance is how well t matches a program at a store: the better of
// the program's name and the store's name and tags, or, when the query's
// words are split between the two ("starbucks rewards"), a plain match.
func relevance(t *Text, program, store *textRec) float64 {
	if r := max(t.Match(program), t.Match(store)); r > 0 {
		return r
	}
	if t.Match(program, store) > 0 {
		return 0.5
	}
	return 0
}

func anyText(texts []*textRec, f func(*textRec) bool) bool {
	for _, r := range texts {
		if r != nil && f(r) {
			return true
		}
	}
	return false
}

// newTextRec folds a record's name and further texts (tags) into one
// searchable record whose coverage counts the name only.
func newTextRec(name string, more ...string) *textRec {
	if t, ok := foldASCIIRec(name, more); ok {
		return t
	}
	r := foldText(name)
	for _, m := range more {
		o := foldText(m)
		r.words = append(r.words, o.words...)
		r.runs = append(r.runs, o.runs...)
	}
	s := strings.Join(r.words, " ")
	split := len(s)
	if len(r.runs) > 0 {
		s += "\x00" + strings.Join(r.runs, "\x00")
	}
	return &textRec{s: s, split: int32(split), runes: int32(min(r.runes, math.MaxInt32))}
}

// foldText splits s into folded words and CJK runs: decomposed (NFD),
// combining marks dropped, lower-cased, a few letters without a
// decomposition spelled out (ß, æ, œ, ø, ł, đ, ı), anything that is not a
// letter or digit a separator.
func foldText(s string) folded {
	if isASCII(s) {
		return foldASCII(s)
	}
	var r folded
	var word, run strings.Builder
	flush := func() {
		if word.Len() > 0 {
			r.words = append(r.words, word.String())
			word.Reset()
		}
		if run.Len() > 0 {
			r.runs = append(r.runs, run.String())
			run.Reset()
		}
	}
	for _, c := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, c):
			continue
		case unicode.In(c, unicode.Han, unicode.Hiragana, unicode.Katakana):
			if word.Len() > 0 {
				r.words = append(r.words, word.String())
				word.Reset()
			}
			run.WriteRune(c)
			r.runes++
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			if run.Len() > 0 {
				r.runs = append(r.runs, run.String())
				run.Reset()
			}
			f := foldRune(unicode.ToLower(c))
			word.WriteString(f)
			r.runes += utf8.RuneCountInString(f)
		default:
			flush()
		}
	}
	flush()
	return r
}

func foldRune(c rune) string {
	switch c {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'ł':
		return "l"
	case 'đ':
		return "d"
	case 'ı':
		return "i"
	}
	return string(c)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// foldASCII is foldText for ASCII text (most names), without the
// decomposition.
// foldASCIIRec is newTextRec for ASCII texts (most names), folded in one
// pass into one allocation; ok is false when a text is not ASCII.
func foldASCIIRec(name string, more []string) (*textRec, bool) {
	n := len(name)
	if !isASCII(name) {
		return nil, false
	}
	for _, m := range more {
		if !isASCII(m) {
			return nil, false
		}
		n += len(m) + 1
	}
	b := make([]byte, 0, n)
	runes := 0
	fold := func(s string, count bool) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			default:
				continue
			}
			if len(b) > 0 && (i == 0 || !alnumASCII(s[i-1])) {
				b = append(b, ' ') // a new word
			}
			b = append(b, c)
			if count {
				runes++
			}
		}
	}
	fold(name, true)
	for _, m := range more {
		fold(m, false)
	}
	return &textRec{s: str(b), split: int32(len(b)), runes: int32(runes)}, true
}

func alnumASCII(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func foldASCII(s string) folded {
	var r folded
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	for i := 0; i < len(s); {
		if !alnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && alnum(s[j]) {
			j++
		}
		r.words = append(r.words, strings.ToLower(s[i:j]))
		r.runes += j - i
		i = j
	}
	return r
}

// checkCircle checks the place, radius, page size and category that the
// nearby query and the store locator share, naming each bad one in p, and
// fills the default radius and limit.
func checkCircle(p *nearby.Problems, lat, lng float64, radiusM *float64, limit *int, category string) {
	nearby.CheckLatLng(p, "", lat, lng)
	switch {
	case *radiusM == 0:
		*radiusM = nearby.DefaultRadiusM
	case !(*radiusM > 0 && *radiusM <= nearby.MaxRadiusM): // also NaN
		p.Addf("radius_m", "must be greater than 0 and at most %g", nearby.MaxRadiusM)
	}
	switch {
	case *limit == 0:
		*limit = nearby.DefaultLimit
	case *limit < 0 || *limit > nearby.MaxLimit:
		p.Addf("limit", "must be between 1 and %d", nearby.MaxLimit)
	}
	nearby.CheckCategory(p, "category", category, false)
}

// checkSearch checks the app_id and q that the nearby query and the store
// locator share, naming each bad one in p, and returns q compiled (nil
// when empty or bad).
func checkSearch(p *nearby.Problems, appID, q string) *Text {
	if len(appID) > nearby.MaxAppIDLen {
		p.Addf("app_id", "must be at most %d bytes", nearby.MaxAppIDLen)
	}
	if q == "" {
		return nil
	}
	t, err := CompileText(q)
	if err != nil {
		p.Addf("q", "%s", err.Error())
	}
	return t
}
