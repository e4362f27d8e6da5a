package catalog

import (
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
)

// The arena records of stores and programs. A record starts with what a
// query reads (the folded text, which a text query reads of every
// candidate, so that it shares the record's first cache line; then the
// brief, which a page reads; then for a store its place) so that a query
// decodes only a prefix; the rest is what rebuilding the snapshot needs.
// Fields kept in the fixed part of the record (store or program row:
// merchant, category, time zone, hours, targeting) are not repeated here.
//
//	store:   text | brief | lat f64 | lng f64 | created | updated | name | address | tags
//	program: text | brief | created | updated | app_id | name | description | icon_url
//
// brief: uvarint length + bytes. text: uvarint split, uvarint runes,
// string. A time is an int64 of Unix nanoseconds and a byte saying zero,
// UTC or local. A string is uvarint(len<<1) + bytes, or, when its bytes
// already appear in the brief (a name the renderer wrote unescaped),
// uvarint(len<<1|1) + uvarint(offset in the record): the bytes are kept
// once.

type recWriter struct {
	b       []byte
	brief   string
	briefAt int // the brief's offset in the record
}

func (w *recWriter) begin(dst []byte, t *textRec, brief []byte) {
	w.b = dst[:0]
	w.text(t)
	w.b = binary.AppendUvarint(w.b, uint64(len(brief)))
	w.briefAt = len(w.b)
	w.b = append(w.b, brief...)
	w.brief = str(w.b[w.briefAt:]) // aliases w.b's bytes, which appends never change
}

func (w *recWriter) f64(f float64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(f))
}

func (w *recWriter) time(t time.Time) {
	kind := byte(2)
	switch {
	case t.IsZero():
		kind = 0
	case t.Location() == time.UTC:
		kind = 1
	}
	var ns int64
	if kind != 0 {
		ns = t.UnixNano()
	}
	w.b = binary.LittleEndian.AppendUint64(w.b, uint64(ns))
	w.b = append(w.b, kind)
}

func (w *recWriter) str(s string) {
	if len(s) >= 3 {
		if i := strings.Index(w.brief, s); i >= 0 {
			off := w.briefAt + i
			w.b = binary.AppendUvarint(w.b, uint64(len(s))<<1|1)
			w.b = binary.AppendUvarint(w.b, uint64(off))
			return
		}
	}
	w.b = binary.AppendUvarint(w.b, uint64(len(s))<<1)
	w.b = append(w.b, s...)
}

func (w *recWriter) text(t *textRec) {
	w.b = binary.AppendUvarint(w.b, uint64(t.split))
	w.b = binary.AppendUvarint(w.b, uint64(t.runes))
	w.b = binary.AppendUvarint(w.b, uint64(len(t.s)))
	w.b = append(w.b, t.s...)
}

// recReader reads a record written by recWriter. The records are the
// catalog's own, so a malformed one is a bug: it panics (out of range)
// rather than return errors no caller could act on.
type recReader struct {
	rec []byte
	i   int
}

func (r *recReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.rec[r.i:])
	r.i += n
	return v
}

// brief returns the brief and leaves r after it.
func (r *recReader) brief() string {
	n := int(r.uvarint())
	s := str(r.rec[r.i : r.i+n])
	r.i += n
	return s
}

func (r *recReader) f64() float64 {
	v := binary.LittleEndian.Uint64(r.rec[r.i:])
	r.i += 8
	return math.Float64frombits(v)
}

func (r *recReader) time() time.Time {
	ns := int64(binary.LittleEndian.Uint64(r.rec[r.i:]))
	kind := r.rec[r.i+8]
	r.i += 9
	switch kind {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(0, ns).UTC()
	}
	return time.Unix(0, ns)
}

func (r *recReader) str() string {
	tag := r.uvarint()
	n := int(tag >> 1)
	if tag&1 != 0 {
		off := int(r.uvarint())
		return str(r.rec[off : off+n])
	}
	s := str(r.rec[r.i : r.i+n])
	r.i += n
	return s
}

func (r *recReader) text() textRec {
	split := int32(r.uvarint())
	runes := int32(r.uvarint())
	n := int(r.uvarint())
	s := str(r.rec[r.i : r.i+n])
	r.i += n
	return textRec{s: s, split: split, runes: runes}
}

// encodeStore appends the record of s (with its brief) to dst[:0].
func encodeStore(dst []byte, s *nearby.Store, brief []byte, t *textRec) []byte {
	var w recWriter
	w.begin(dst, t, brief)
	w.f64(s.Lat)
	w.f64(s.Lng)
	w.time(s.CreatedAt)
	w.time(s.UpdatedAt)
	w.str(s.Name)
	w.str(s.Address)
	w.b = binary.AppendUvarint(w.b, uint64(len(s.Tags)))
	for _, tag := range s.Tags {
		w.str(tag)
	}
	return w.b
}

// storePlace returns the place of a store record.
func storePlace(rec []byte) (lat, lng float64) {
	r := recReader{rec: rec}
	r.text()
	r.brief()
	return r.f64(), r.f64()
}

// storeText returns the folded text of a store record.
func storeText(rec []byte) textRec {
	r := recReader{rec: rec}
	return r.text()
}

// decodeStore rebuilds the store snapshot; its strings alias the arena.
func decodeStore(rec []byte, s *nearby.Store) {
	r := recReader{rec: rec}
	r.text()
	r.brief()
	s.Lat, s.Lng = r.f64(), r.f64()
	s.CreatedAt, s.UpdatedAt = r.time(), r.time()
	s.Name, s.Address = r.str(), r.str()
	if n := int(r.uvarint()); n > 0 {
		s.Tags = make([]string, n)
		for i := range s.Tags {
			s.Tags[i] = r.str()
		}
	}
}

// encodeProgram appends the record of p (with its brief) to dst[:0].
func encodeProgram(dst []byte, p *nearby.Program, brief []byte, t *textRec) []byte {
	var w recWriter
	w.begin(dst, t, brief)
	w.time(p.CreatedAt)
	w.time(p.UpdatedAt)
	w.str(p.AppID)
	w.str(p.Name)
	w.str(p.Description)
	w.str(p.IconURL)
	return w.b
}

// recBrief returns the brief of a store or program record.
func recBrief(rec []byte) string {
	r := recReader{rec: rec}
	r.text()
	return r.brief()
}

// programText returns the folded text of a program record.
func programText(rec []byte) textRec {
	r := recReader{rec: rec}
	return r.text()
}

// programAppID returns the app id of a program record.
func programAppID(rec []byte) string {
	r := recReader{rec: rec}
	r.text()
	r.brief()
	r.i += 18 // the two times
	return r.str()
}

// decodeProgram rebuilds the program snapshot (without its stores); its
// strings alias the arena.
func decodeProgram(rec []byte, p *nearby.Program) {
	r := recReader{rec: rec}
	r.text()
	r.brief()
	p.CreatedAt, p.UpdatedAt = r.time(), r.time()
	p.AppID, p.Name, p.Description, p.IconURL = r.str(), r.str(), r.str(), r.str()
}
