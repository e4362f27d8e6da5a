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
}

// GeoJSON streams the Point features of a FeatureCollection to fn; see
// GeoJSONWith.
func GeoJSON(ctx context.Context, r io.Reader, fn func(Row) error) error {
	return GeoJSONWith(ctx, r, GeoJSONOptions{}, fn)
}

// GeoJSONWith streams the Point features of a FeatureCollection to fn, one
// feature at a time. A feature that is not a valid store Point is passed to
// fn with Err set; an error from fn stops the stream and is returned. Input
// that is not JSON, or not a FeatureCollection, is an error (possibly after
// some rows, when "type" comes after "features").
func GeoJSONWith(ctx context.Context, r io.Reader, opts GeoJSONOptions, fn func(Row) error) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return notCollection("the file is not a JSON object: %v", err)
	}
	var typ string
	sawFeatures := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notCollection("bad JSON: %v", err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return notCollection("type must be a string")
			}
			if typ != "FeatureCollection" {
				return notCollection("type is %q", typ)
			}
		case "features":
			if sawFeatures {
				return notCollection("features appears twice")
			}
			sawFeatures = true
			if err := features(ctx, dec, opts, fn); err != nil {
				return err
			}
		default:
			if err := skipValue(dec); err != nil {
				return notCollection("bad JSON in %q: %v", key, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return notCollection("bad JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return notCollection("data after the FeatureCollection")
	}
	switch {
	case typ == "":
		return notCollection("type is missing")
	case !sawFeatures:
		return notCollection("features is missing")
	}
	return nil
}

// features streams the array value of "features".
func features(ctx context.Context, dec *json.Decoder, opts GeoJSONOptions, fn func(Row) error) error {
	if err := expectDelim(dec, '['); err != nil {
		return notCollection("features must be an array")
	}
	for n := 1; dec.More(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("importer: %w", err)
			}
		}
		// RawMessage: syntactically bad JSON ends the file (there is no
		// resynchronising), but a well-formed feature of the wrong shape is
		// just a bad row.
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return notCollection("bad JSON in feature %d: %v", n, err)
		}
		row := Row{Line: n}
		row.Store, row.Err = feature(raw, opts)
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return notCollection("bad JSON after the features: %v", err)
	}
	return nil
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
