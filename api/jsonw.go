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

// appendFloat appends a finite float; non-finite values (never produced by
// the validated inputs) are written as 0 so the output stays JSON.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// scoreDecimals is the precision of scores and their explanations in the
// JSON: far below any difference that ranking makes (a score is in [0, 1]),
// and written with a fixed precision, which strconv does in about 60% of
// the time of the shortest representation of a full float64. The explain
// parts written so still add up to the score within 1e-9.
const scoreDecimals = 10

// appendScore appends a score rounded to scoreDecimals, without trailing
// zeros (1 is "1", 0.75 is "0.75").
func appendScore(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', scoreDecimals, 64)
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
	if end == n+2 && b[n] == '-' && b[n+1] == '0' { // -0.00000000001 rounds to "-0"
		b[n] = '0'
		end = n + 1
	}
	return b[:end]
}

// appendMetres appends a distance rounded to the centimetre.
func appendMetres(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'f', 2, 64)
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
