package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/nearby-dev/nearby"
)

// checkJSONText walks a JSON body's tokens before it is decoded and
// refuses what encoding/json would let through silently: a key given
// twice in one object (json keeps the last), text with a NUL (raw or
// \u0000), a lone UTF-16 surrogate escape (json turns it into U+FFFD) or
// invalid UTF-8. The problem names the field as the decoder errors do
// ("name", "beacons[2].uuid"). A syntax error is left to the decoder,
// except a raw NUL, which is named here.
func checkJSONText(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := walker{}
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if bytes.IndexByte(data[prev:], 0) >= 0 {
				return nearby.Invalid(w.path(), "must not contain NUL characters")
			}
			return nil // the decoder reports it
		}
		off := dec.InputOffset()
		if str, ok := tok.(string); ok {
			if err := checkLiteral(data[prev:off], w.textPath(str)); err != nil {
				return err
			}
		}
		if err := w.step(tok); err != nil {
			return err
		}
		prev = off
		if len(w.frames) == 0 && tok != nil {
			if _, isDelim := tok.(json.Delim); isDelim {
				return nil // the value is complete; trailing data is the decoder's
			}
		}
	}
}

// frame is an object or array being walked.
type frame struct {
	object bool
	keys   map[string]bool
	key    string // the key whose value comes next (objects)
	wantK  bool   // the next string is a key (objects)
	index  int    // of the next element (arrays)
}

type walker struct{ frames []frame }

// path names the value being read.
func (w *walker) path() string {
	var b []byte
	for i, f := range w.frames {
		switch {
		case f.object && f.key != "":
			if i > 0 && len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, f.key...)
		case !f.object:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(f.index), 10)
			b = append(b, ']')
		}
	}
	if len(b) == 0 {
		return "body"
	}
	return string(b)
}

// textPath names a string token about to be stepped: a key names itself.
func (w *walker) textPath(s string) string {
	if n := len(w.frames); n > 0 && w.frames[n-1].object && w.frames[n-1].wantK {
		w.frames[n-1].key = s
		p := w.path()
		w.frames[n-1].key = ""
		return p
	}
	return w.path()
}

// step advances the walk by one token.
func (w *walker) step(tok json.Token) error {
	n := len(w.frames)
	var top *frame
	if n > 0 {
		top = &w.frames[n-1]
	}
	if s, ok := tok.(string); ok && top != nil && top.object && top.wantK {
		top.key, top.wantK = s, false
		if top.keys[s] {
			return nearby.Invalid(w.path(), "is given more than once")
		}
		top.keys[s] = true
		return nil
	}
	switch tok {
	case json.Delim('{'):
		w.frames = append(w.frames, frame{object: true, keys: map[string]bool{}, wantK: true})
		return nil
	case json.Delim('['):
		w.frames = append(w.frames, frame{})
		return nil
	case json.Delim('}'), json.Delim(']'):
		w.frames = w.frames[:n-1]
	}
	w.valueDone()
	return nil
}

// valueDone moves the innermost frame past a completed value.
func (w *walker) valueDone() {
	n := len(w.frames)
	if n == 0 {
		return
	}
	top := &w.frames[n-1]
	if top.object {
		top.key, top.wantK = "", true
	} else {
		top.index++
	}
}

// checkLiteral checks the JSON string literal ending seg (seg may start
// with separators and white space) for NULs, lone surrogates and invalid
// UTF-8.
func checkLiteral(seg []byte, field string) error {
	i := bytes.IndexByte(seg, '"')
	if i < 0 {
		return nil
	}
	lit := seg[i+1 : len(seg)-1]
	if !utf8.Valid(lit) {
		return nearby.Invalid(field, "must be valid UTF-8")
	}
	for j := 0; j < len(lit); j++ {
		switch {
		case lit[j] == 0:
			return nearby.Invalid(field, "must not contain NUL characters")
		case lit[j] != '\\':
			continue
		case j+1 < len(lit) && lit[j+1] != 'u':
			j++ // \n, \", \\ ...
			continue
		}
		r := hex4(lit[j+2:])
		switch {
		case r == 0:
			return nearby.Invalid(field, "must not contain NUL characters")
		case r >= 0xDC00 && r <= 0xDFFF:
			return nearby.Invalid(field, "must not contain a lone UTF-16 surrogate")
		case r >= 0xD800 && r <= 0xDBFF:
			if len(lit) < j+12 || lit[j+6] != '\\' || lit[j+7] != 'u' {
				return nearby.Invalid(field, "must not contain a lone UTF-16 surrogate")
			}
			if lo := hex4(lit[j+8:]); lo < 0xDC00 || lo > 0xDFFF {
				return nearby.Invalid(field, "must not contain a lone UTF-16 surrogate")
			}
			j += 11
		default:
			j += 5
		}
	}
	return nil
}

// hex4 decodes the 4 hex digits starting b (the tokenizer has checked
// them); -1 if there are fewer.
func hex4(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return int(n)
}
