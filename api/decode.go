package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// decodeJSON reads the request body as exactly one JSON value into v,
// rejecting bodies over limit (413), other media types (415), unknown
// fields, wrong types and trailing data (400 naming the field).
func decodeJSON(c echo.Context, limit int64, v any) error {
	r := c.Request()
	if err := checkJSONType(r); err != nil {
		return err
	}
	body := http.MaxBytesReader(c.Response(), r.Body, limit)
	return decodeStrict(body, v)
}

// checkJSONType accepts application/json, any +json type, no type, and
// application/x-www-form-urlencoded, which is what `curl -d` sends by
// default: the body is still parsed strictly as JSON. (Every non-public
// route needs a bearer token, which browsers never attach to a cross-site
// form post, so accepting the form type opens no CSRF hole.)
func checkJSONType(r *http.Request) error {
	ct := r.Header.Get(echo.HeaderContentType)
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json") && mt != "application/x-www-form-urlencoded") {
		return nearby.Errorf(nearby.EUNSUPPORTED, "Content-Type must be application/json")
	}
	return nil
}

// decodeStrict decodes one JSON value from r into v and maps decoder errors
// to field errors. The body is read whole first (it is bounded by the
// caller) so that checkJSONText can refuse duplicate keys, NULs and lone
// surrogates by field name before encoding/json would let them through.
func decodeStrict(r io.Reader, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return nearby.Invalid("body", "could not be read")
	}
	if err := checkJSONText(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	// Anything but white space after the value is an error.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return nearby.Invalid("body", "must hold exactly one JSON value")
	}
	return nil
}

// decodeValue decodes one JSON value held in raw, strictly, into v.
func decodeValue(raw []byte, v any) error {
	return decodeStrict(bytes.NewReader(raw), v)
}

// jsonError turns an encoding/json error into a client-safe *nearby.Error.
func jsonError(err error) error {
	var (
		ute *json.UnmarshalTypeError
		se  *json.SyntaxError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return nearby.Invalid("body", "is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nearby.Invalid("body", "is truncated JSON")
	case errors.As(err, &se):
		return nearby.Invalid("body", "is not valid JSON (at byte %d)", se.Offset)
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			field = "body"
		}
		return nearby.Invalid(field, "must be %s", jsonKind(ute.Type.String()))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return nearby.Invalid(strings.Trim(name, `"`), "is not a known field")
	}
	var ne *nearby.Error
	if errors.As(err, &ne) { // from a custom UnmarshalJSON
		return ne
	}
	return nearby.Invalid("body", "is not valid JSON")
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(goType string) string {
	t := strings.TrimLeft(goType, "*")
	switch {
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "float"):
		return "a finite number"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "an integer in range"
	case strings.HasPrefix(t, "[]"), strings.HasPrefix(t, "[2]"):
		return "an array"
	case strings.HasPrefix(t, "map"), strings.Contains(t, "."):
		return "an object"
	}
	return "of the right type"
}
