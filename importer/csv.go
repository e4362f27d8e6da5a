package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nearby-dev/nearby"
)

// Row is one parsed store, or the reason it could not be parsed.
type Row struct {
	// Line is the 1-based data row number (CSV, the header is row 0) or
	// feature number (GeoJSON).
	Line  int
	Store nearby.Store
	Err   error // a *nearby.Error; nil when Store is valid
}

// Field names of a store in an import file.
const (
	FieldName     = "name"
	FieldLat      = "lat"
	FieldLng      = "lng"
	FieldCategory = "category"
	FieldAddress  = "address"
	FieldTimezone = "timezone"
	FieldTags     = "tags"
	FieldHours    = "hours"
)

var (
	csvFields      = []string{FieldName, FieldLat, FieldLng, FieldCategory, FieldAddress, FieldTimezone, FieldTags, FieldHours}
	requiredFields = []string{FieldName, FieldLat, FieldLng, FieldCategory}
)

// CSVOptions adapt CSV to files with other column names.
type CSVOptions struct {
	// Columns maps a field name (FieldName...) to the header of the column
	// holding it, case-insensitively; fields not mapped use their own name,
	// and a field mapped to "" is not read.
	Columns map[string]string
	// DefaultCategory is the category of rows with no category column or an
	// empty value.
	DefaultCategory string
	// Comma is the field delimiter; 0 means ','.
	Comma rune
	// MaxRecordBytes caps one record (the header too) with its line end;
	// 0 means DefaultMaxRecordBytes. A longer record stops the file.
	MaxRecordBytes int
}

// CSV streams the stores of a CSV file with our own column names to fn; see
// CSVWith.
func CSV(ctx context.Context, r io.Reader, fn func(Row) error) error {
	return CSVWith(ctx, r, CSVOptions{}, fn)
}

// CSVWith streams the stores of a CSV file to fn, one row at a time. A bad
// row is passed to fn with Err set; an error from fn stops the stream and is
// returned. A missing header or required column is returned as an
// EINVALID error before any row. A file that breaks partway (a record
// longer than opts.MaxRecordBytes, a quoted field never closed, a read
// error) ends with a *StopError naming the first row not read.
func CSVWith(ctx context.Context, r io.Reader, opts CSVOptions, fn func(Row) error) error {
	var start int64 // input offset of the record being read
	lim := &recordLimit{r: r, max: maxRecord(opts.MaxRecordBytes), start: func() int64 { return start }}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1 // a wrong column count is the row's problem, not the file's
	cr.ReuseRecord = true
	if opts.Comma != 0 {
		cr.Comma = opts.Comma
	}
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nearby.Invalid("header", "is missing: the file is empty")
	case lim.err != nil: // whatever the reader made of the part it got
		return nearby.Invalid("header", "is longer than %d bytes", lim.max)
	case err != nil:
		return nearby.Invalid("header", "cannot be read: %v", err)
	}
	cols, err := mapColumns(header, opts)
	if err != nil {
		return err
	}
	var rec []string
	peeked := false // rec, err already hold the next record
	for line := 1; ; line++ {
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("importer: %w", err)
			}
		}
		if !peeked {
			start = cr.InputOffset()
			rec, err = cr.Read()
		}
		peeked = false
		if errors.Is(err, io.EOF) {
			return nil
		}
		var row Row
		var pe *csv.ParseError
		switch {
		case lim.err != nil: // the record ran past the cap, whatever the reader made of its part
			return stopInvalid(line, "row %d exceeds %d bytes", line, lim.max)
		case errors.As(err, &pe) && pe.Err == csv.ErrQuote && pe.StartLine < pe.Line:
			// A quote opened on StartLine either closed badly on a later
			// line (a bad row; reading goes on after it) or never closed
			// and took the rest of the file: then no row after it can be
			// told apart, and the file stops here.
			start = cr.InputOffset()
			rec, err = cr.Read()
			if errors.Is(err, io.EOF) {
				return stopInvalid(line, "row %d: a quoted field opened on line %d is not closed, "+
					"so lines %d to %d (the end of the file) cannot be read as rows", line, pe.StartLine, pe.StartLine, pe.Line)
			}
			peeked = true
			row = Row{Line: line, Err: nearby.Invalid("row", "is not valid CSV (lines %d to %d): %v", pe.StartLine, pe.Line, pe.Err)}
		case errors.As(err, &pe):
			// The reader resumes after the bad record, so the stream goes on.
			row = Row{Line: line, Err: nearby.Invalid("row", "is not valid CSV: %v", pe.Err)}
		case err != nil:
			return &StopError{Row: line, Err: fmt.Errorf("importer: read row %d: %w", line, err)}
		case len(rec) != len(header):
			row = Row{Line: line, Err: nearby.Invalid("row", "has %d columns, the header has %d", len(rec), len(header))}
		default:
			row = Row{Line: line}
			row.Store, row.Err = cols.store(rec, opts.DefaultCategory)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// columns holds each field's column index, -1 when absent.
type columns map[string]int

func mapColumns(header []string, opts CSVOptions) (columns, error) {
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a UTF-8 byte order mark
	}
	var p nearby.Problems
	for f := range opts.Columns {
		if !slices.Contains(csvFields, f) {
			p.Addf("columns."+f, "is not a store field (want one of %v)", csvFields)
		}
	}
	cols := columns{}
	for _, f := range csvFields {
		name := f
		if m, ok := opts.Columns[f]; ok {
			name = m
		}
		cols[f] = -1
		for i, h := range header {
			if name == "" {
				break
			}
			if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(name)) {
				cols[f] = i
				break
			}
		}
		required := slices.Contains(requiredFields, f) && !(f == FieldCategory && opts.DefaultCategory != "")
		if required && cols[f] < 0 {
			p.Addf("header", "has no %q column (needed for %s)", name, f)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return cols, nil
}

// store builds and validates the store of one record.
func (c columns) store(rec []string, defaultCategory string) (nearby.Store, error) {
	get := func(f string) string {
		if i := c[f]; i >= 0 {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var p nearby.Problems
	s := nearby.Store{
		Name:     get(FieldName),
		Category: get(FieldCategory),
		Address:  get(FieldAddress),
		Timezone: zoneName(get(FieldTimezone)),
	}
	if s.Category == "" {
		s.Category = defaultCategory
	}
	s.Lat = parseCoord(&p, FieldLat, get(FieldLat))
	s.Lng = parseCoord(&p, FieldLng, get(FieldLng))
	for t := range strings.SplitSeq(get(FieldTags), ";") {
		if t = strings.TrimSpace(t); t != "" {
			s.Tags = append(s.Tags, t)
		}
	}
	if h := get(FieldHours); h != "" {
		if err := json.Unmarshal([]byte(h), &s.Hours); err != nil {
			p.Addf(FieldHours, `must be JSON like {"mon":[["09:00","17:00"]]}`)
			s.Hours = nil
		}
	}
	return s, validate(&s, &p)
}

// zoneName returns the last word of a time zone value, so that exports
// like "GMT+1:00 Europe/Andorra" (a store locator's format) give the IANA
// name.
func zoneName(v string) string {
	if i := strings.LastIndexAny(v, " \t"); i >= 0 {
		return v[i+1:]
	}
	return v
}

// parseCoord parses a coordinate, recording a problem when it is empty or
// not a number; the range is Validate's business.
func parseCoord(p *nearby.Problems, field, v string) float64 {
	if v == "" {
		p.Addf(field, "is required")
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		p.Addf(field, "must be a number")
		return 0
	}
	return f
}

// validate runs s.Validate and reports its problems together with the
// parser's, each field once (the parser's message wins).
func validate(s *nearby.Store, p *nearby.Problems) error {
	var ve *nearby.Error
	if err := s.Validate(); errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if !slices.ContainsFunc(p.Fields, func(g nearby.FieldError) bool { return g.Field == f.Field }) {
				p.Fields = append(p.Fields, f)
			}
		}
	} else if err != nil {
		return err
	}
	return p.Err()
}
