package catalog

import (
	"encoding/binary"
	"strings"
)

// BriefTemplater is a Renderer whose briefs are fixed text around their
// values: a brief is t[0] v1 t[1] v2 … t[n] for the store or program
// template t. The catalog then keeps only the values (the fixed text is
// most of a brief's JSON keys: ~80 bytes a store and program), and a
// NearbyResult's brief is in that compact form: AppendBrief writes it out.
// A brief that does not fit its template is kept as rendered.
type BriefTemplater interface {
	BriefTemplates() (store, program []string)
}

// A kept brief starting with briefTag is compact; one starting with
// briefRaw is the rendered brief after that byte (a rendered brief that
// does not fit and itself starts with a byte ≤ briefRaw, which no JSON
// does). Any other is the rendered brief.
const (
	briefTag = 0
	briefRaw = 1
)

// AppendBrief appends brief b, as its renderer wrote it, to dst; tmpl is
// the renderer's template for b's kind (BriefTemplater), nil for none.
func AppendBrief(dst []byte, tmpl []string, b string) []byte {
	if len(b) == 0 || b[0] > briefRaw || len(tmpl) == 0 {
		return append(dst, b...)
	}
	if b[0] == briefRaw {
		return append(dst, b[1:]...)
	}
	dst = append(dst, tmpl[0]...)
	i := 1
	for _, t := range tmpl[1:] {
		var n int
		n, i = uvarintAt(b, i)
		dst = append(dst, b[i:i+n]...)
		dst = append(dst, t...)
		i += n
	}
	return dst
}

// uvarintAt decodes the uvarint at b[i:] (binary.Uvarint on a string,
// whose conversion to bytes would copy) and returns it and the index
// after it.
func uvarintAt(b string, i int) (v, next int) {
	for shift := 0; ; shift += 7 {
		c := b[i]
		i++
		v |= int(c&0x7f) << shift
		if c < 0x80 {
			return v, i
		}
	}
}

// compactBrief appends raw's compact form under tmpl to dst; ok is false
// (and dst unchanged) when raw does not fit the template. The values are
// cut at the first occurrence of the next fixed part, and raw must be
// exactly the template with them in place, so AppendBrief gives raw back.
func compactBrief(dst []byte, tmpl []string, raw string) (_ []byte, ok bool) {
	if len(tmpl) < 2 || !strings.HasPrefix(raw, tmpl[0]) {
		return dst, false
	}
	start := len(dst)
	dst = append(dst, briefTag)
	rest := raw[len(tmpl[0]):]
	for k, t := range tmpl[1:] {
		var v string
		if k == len(tmpl)-2 { // the last value runs to the final part
			if !strings.HasSuffix(rest, t) {
				return dst[:start], false
			}
			v, rest = rest[:len(rest)-len(t)], ""
		} else {
			j := strings.Index(rest, t)
			if j < 0 {
				return dst[:start], false
			}
			v, rest = rest[:j], rest[j+len(t):]
		}
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		dst = append(dst, v...)
	}
	return dst, true
}

// packBrief replaces the rendered brief at dst[start:] with the form the
// catalog keeps under tmpl (see AppendBrief).
func packBrief(dst []byte, start int, tmpl []string) []byte {
	n := len(dst)
	raw := str(dst[start:n]) // read before the move below overwrites it
	out, ok := compactBrief(dst, tmpl, raw)
	if !ok || len(out)-n >= len(raw) { // does not fit, or no shorter
		if len(raw) == 0 || raw[0] > briefRaw {
			return dst // kept as rendered
		}
		if !ok {
			out = append(append(dst, briefRaw), raw...) // raw aliases dst[start:n], still intact here
		}
	}
	// out holds dst's bytes (in a grown array, if it grew: kept, so that
	// the caller's buffer keeps its capacity).
	m := copy(out[start:], out[n:])
	return out[:start+m]
}
