package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nearby-dev/nearby"
)

// GeoJSONOptions adapt GeoJSON to files from elsewhere.
type GeoJSONOptions struct {
	// DefaultCategory is the category of features without one.
	DefaultCategory string
	// MaxRecordBytes caps one feature, and any other single JSON value
	// or token; 0 means DefaultMaxRecordBytes. A longer one stops the file.
	MaxRecordBytes int
}

// GeoJSON streams the Point features of a FeatureCollection to fn; see
// GeoJSONWith.
func GeoJSON(ctx context.Context, r io.Reader, fn func(Row) error) error {
	return GeoJSONWith(ctx, r, GeoJSONOptions{}, fn)
}

// GeoJSONWith streams the Point features of a FeatureCollection to fn, one
// feature at a time. A feature that is not a valid store Point is passed to
// fn with Err set; an error from fn stops the stream and is returned. Input
// that is not JSON, or not a FeatureCollection, is an EINVALID error when
// no feature was streamed yet; once some were (the file breaks partway, a
// feature is longer than opts.MaxRecordBytes, or "type" after "features"
// is wrong) it is a *StopError naming the first feature not read.
func GeoJSONWith(ctx context.Context, r io.Reader, opts GeoJSONOptions, fn func(Row) error) error {
	lim := &recordLimit{r: r, max: maxRecord(opts.MaxRecordBytes)}
	dec := json.NewDecoder(lim)
	// The decoder buffers from its input offset on (the start of the value
	// or token it is reading), so capping the bytes past that offset caps
	// its buffer.
	lim.start = dec.InputOffset
	streamed := 0
	fail := func(format string, args ...any) error {
		err := notCollection(format, args...)
		if streamed > 0 {
			return &StopError{Row: streamed + 1, Err: err}
		}
		return err
	}
	if err := expectDelim(dec, '{'); err != nil {
		return fail("the file is not a JSON object: %v", readErr(lim, err))
	}
	var typ string
	sawFeatures := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("bad JSON: %v", readErr(lim, err))
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return fail("type must be a string")
			}
			if typ != "FeatureCollection" {
				return fail("type is %q", typ)
			}
		case "features":
			if sawFeatures {
				return fail("features appears twice")
			}
			sawFeatures = true
			n, err := features(ctx, dec, lim, opts, fn)
			streamed += n
			if err != nil {
				return err
			}
		default:
			if err := skipValue(dec); err != nil {
				return fail("bad JSON in %q: %v", key, readErr(lim, err))
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fail("bad JSON: %v", readErr(lim, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail("data after the FeatureCollection")
	}
	switch {
	case typ == "":
		return fail("type is missing")
	case !sawFeatures:
		return fail("features is missing")
	}
	return nil
}

// features streams the array value of "features" and returns how many
// features it passed to fn.
func features(ctx context.Context, dec *json.Decoder, lim *recordLimit, opts GeoJSONOptions, fn func(Row) error) (int, error) {
	if err := expectDelim(dec, '['); err != nil {
		return 0, notCollection("features must be an array")
	}
	n := 1
	// stop reports that nothing from feature n on can be read; when that
	// is feature 1, nothing was read at all and the file is just invalid.
	stop := func(format string, args ...any) error {
		if lim.err != nil {
			format, args = "feature %d exceeds %d bytes", []any{n, lim.max}
		}
		if n == 1 {
			return notCollection(format, args...)
		}
		return stopInvalid(n, format, args...)
	}
	for ; dec.More(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return n - 1, fmt.Errorf("importer: %w", err)
			}
		}
		// RawMessage: syntactically bad JSON ends the file (there is no
		// resynchronising), but a well-formed feature of the wrong shape is
		// just a bad row. The limit reader keeps raw under MaxRecordBytes.
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return n - 1, stop("bad JSON in feature %d: %v", n, err)
		}
		row := Row{Line: n}
		row.Store, row.Err = feature(raw, opts)
		if err := fn(row); err != nil {
			return n, err
		}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return n - 1, stop("bad JSON after the features: %v", err)
	}
	return n - 1, nil
}

// readErr names the record cap instead of the limit reader's bare error.
func readErr(lim *recordLimit, err error) error {
	if lim.err != nil {
		return fmt.Errorf("a value is longer than %d bytes", lim.max)
	}
	return err
}

type geoFeature struct {
	Type     string `json:"type"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties *geoProperties `json:"properties"`
}

type geoProperties struct {
	Name     string       `json:"name"`
	Category string       `json:"category"`
	Address  string       `json:"address"`
	Timezone string       `json:"timezone"`
	Hours    nearby.Hours `json:"hours"`
	Tags     []string     `json:"tags"`
}

// feature builds and validates the store of one feature.
func feature(raw json.RawMessage, opts GeoJSONOptions) (nearby.Store, error) {
	var f geoFeature
	if err := json.Unmarshal(raw, &f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field := te.Field
			field = strings.TrimPrefix(field, "properties.")
			return nearby.Store{}, nearby.Invalid(field, "must be a JSON %s", jsonKind(te.Type.Kind().String()))
		}
		return nearby.Store{}, nearby.Invalid("feature", "is not a GeoJSON Feature object")
	}
	if f.Type != "Feature" {
		return nearby.Store{}, nearby.Invalid("type", "must be \"Feature\"")
	}
	if f.Geometry == nil {
		return nearby.Store{}, nearby.Invalid("geometry", "is required")
	}
	if f.Geometry.Type != "Point" {
		return nearby.Store{}, nearby.Invalid("geometry.type", "must be \"Point\", not %q", f.Geometry.Type)
	}
	var coords []float64
	if err := json.Unmarshal(f.Geometry.Coordinates, &coords); err != nil || len(coords) < 2 || len(coords) > 3 {
		return nearby.Store{}, nearby.Invalid("geometry.coordinates", "must be [lng, lat] or [lng, lat, altitude]")
	}
	var p geoProperties
	if f.Properties != nil {
		p = *f.Properties
	}
	s := nearby.Store{
		Name: strings.TrimSpace(p.Name), Category: strings.TrimSpace(p.Category),
		Address: p.Address, Timezone: p.Timezone, Hours: p.Hours, Tags: p.Tags,
		Lng: coords[0], Lat: coords[1],
	}
	if s.Category == "" {
		s.Category = opts.DefaultCategory
	}
	return s, validate(&s, &nearby.Problems{})
}

func jsonKind(goKind string) string {
	switch goKind {
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "array"
	case "float64", "int", "int64":
		return "number"
	}
	return goKind
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

// skipValue consumes one JSON value token by token, so that a big member
// we do not use is never held in memory.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func notCollection(format string, args ...any) error {
	return nearby.Invalid("body", "is not a GeoJSON FeatureCollection: "+format, args...)
}
