package nearby

import (
	"errors"
	"fmt"
	"strings"
)

// Application error codes. The HTTP layer maps each to one status code in
// exactly one place; everything else only picks the code.
const (
	EINVALID      = "invalid"      // bad input; 400 or 422
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials; 401
	EFORBIDDEN    = "forbidden"    // credentials valid but not for this; 403
	ENOTFOUND     = "not_found"    // no such thing, or not yours; 404
	ECONFLICT     = "conflict"     // unique constraint, e.g. a beacon identity; 409
	ETOOLARGE     = "too_large"    // body or batch over its limit; 413
	EUNSUPPORTED  = "unsupported"  // media type not accepted; 415
	ERATELIMIT    = "rate_limited" // 429
	EUNAVAILABLE  = "unavailable"  // not ready yet, shutting down; 503
	EINTERNAL     = "internal"     // a bug; 500, details only in logs
)

// FieldError names one offending input field and says what is wrong with it.
// Field uses the JSON name as the client sent it, with a dotted path and
// index for nested values ("targeting.age_min", "events[3].at").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the application error. Message is safe to show to a client;
// internal causes are wrapped in Err and only logged.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("nearby: ")
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Message)
		if i == len(e.Fields)-1 {
			b.WriteString(")")
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a client-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming one field.
func Invalid(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Message: field + " " + msg, Fields: []FieldError{{Field: field, Message: msg}}}
}

// Internal wraps err as an EINTERNAL error; its text is never shown to clients.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "internal error", Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// Problems collects field errors during validation so a client learns about
// every bad field at once.
type Problems struct {
	Fields []FieldError
}

// Addf records a problem with field.
func (p *Problems) Addf(field, format string, args ...any) {
	p.Fields = append(p.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Merge adds the field errors of err (an *Error) under prefix, or records
// err's text under prefix when it is some other error.
func (p *Problems) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, f := range e.Fields {
			name := f.Field
			if prefix != "" {
				name = prefix + "." + f.Field
			}
			p.Fields = append(p.Fields, FieldError{Field: name, Message: f.Message})
		}
		return
	}
	p.Addf(prefix, "%s", ErrorMessage(err))
}

// Err returns nil when nothing was recorded, else an EINVALID *Error.
func (p *Problems) Err() error {
	if len(p.Fields) == 0 {
		return nil
	}
	msg := p.Fields[0].Field + " " + p.Fields[0].Message
	if len(p.Fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(p.Fields)-1)
	}
	return &Error{Code: EINVALID, Message: msg, Fields: p.Fields}
}
