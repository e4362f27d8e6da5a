package api

import (
	"math"
	"strconv"
	"sync"
	"unicode/utf8"
)

// A hand-rolled JSON writer for the hot phone path: it appends to a pooled
// buffer without reflection.

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > 1<<20 { // do not keep rare huge buffers alive
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

const hexDigits = "0123456789abcdef"

// safeASCII marks the ASCII bytes a JSON string may hold unescaped.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string, escaping what JSON requires and
// replacing invalid UTF-8 with U+FFFD as encoding/json does. Runs of safe
// bytes are copied in one append.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not in JavaScript strings
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Numbers of the nearby answer are written with a fixed number of decimals
// by appendFixed, an integer conversion that costs a fraction of strconv's
// float formatting (~20 ns against 90 to 170 ns a value, and a page has
// about a hundred numbers).
const (
	// scoreDecimals: far below any difference ranking makes (scores are
	// in [0, 1]); explain parts written so still add up to the score
	// within 1e-9.
	scoreDecimals = 10
	// coordDecimals: 1e-7 degree is at most 1.1 cm, the precision of
	// distance_m. Coordinates with at most 7 decimals, as stores are
	// entered, come out exactly as given.
	coordDecimals = 7
)

// pow10 holds the powers of ten appendFixed scales by.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12}

// appendScore appends a score rounded to scoreDecimals, without trailing
// zeros (1 is "1", 0.75 is "0.75").
func appendScore(b []byte, f float64) []byte { return appendFixed(b, f, scoreDecimals, true) }

// appendCoord appends a latitude or longitude rounded to coordDecimals,
// without trailing zeros.
func appendCoord(b []byte, f float64) []byte { return appendFixed(b, f, coordDecimals, true) }

// appendMetres appends a distance rounded to the centimetre, always with
// two decimals.
func appendMetres(b []byte, v float64) []byte { return appendFixed(b, v, 2, false) }

// appendFixed appends v rounded to dec decimals (dec < len(pow10)), with
// trailing zeros of the fraction dropped when trim is set. A value too
// large for accurate integer scaling goes through strconv; non-finite values
// (never produced by validated inputs) are written as 0 so the output
// stays JSON.
func appendFixed(b []byte, v float64, dec int, trim bool) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, '0')
	}
	scaled := math.Round(math.Abs(v) * pow10[dec])
	// Below 2^40 the product's rounding error is under 1/4096 of the last
	// decimal: the result differs from exact rounding only that close to
	// a tie.
	if scaled >= 1<<40 {
		n := len(b)
		b = strconv.AppendFloat(b, v, 'f', dec, 64)
		if trim {
			b = trimFraction(b, n)
		}
		return b
	}
	u := uint64(scaled)
	if v < 0 && u != 0 { // never "-0"
		b = append(b, '-')
	}
	p := uint64(pow10[dec])
	b = strconv.AppendUint(b, u/p, 10)
	frac := u % p
	if dec == 0 || trim && frac == 0 {
		return b
	}
	digits := dec
	if trim {
		for frac%10 == 0 {
			frac /= 10
			digits--
		}
	}
	b = append(b, '.')
	var tmp [20]byte
	i := len(tmp)
	for range digits {
		i--
		tmp[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(b, tmp[i:]...)
}

// trimFraction drops the trailing zeros of a fraction written from b[n:],
// and the point when nothing is left after it.
func trimFraction(b []byte, n int) []byte {
	dot := n
	for dot < len(b) && b[dot] != '.' {
		dot++
	}
	if dot == len(b) {
		return b
	}
	end := len(b)
	for end > dot+1 && b[end-1] == '0' {
		end--
	}
	if end == dot+1 {
		end = dot
	}
	return b[:end]
}

// appendKey appends "key": (key is a trusted constant).
func appendKey(b []byte, key string) []byte {
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendID(b []byte, kind string, n uint64) []byte {
	b = append(b, '"')
	b = append(b, kind...)
	b = append(b, '_')
	b = strconv.AppendUint(b, n, 16)
	return append(b, '"')
}
