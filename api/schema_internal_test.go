package api

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// textID encodes itself as text from an array, as an identity type with
// MarshalText does.
type textID [16]byte

func (id textID) MarshalText() ([]byte, error) { return []byte("x"), nil }

type textPtr struct{ N int }

func (p *textPtr) MarshalText() ([]byte, error) { return []byte("x"), nil }

type textString string

func (textString) MarshalText() ([]byte, error) { return []byte("x"), nil }

// TestTextAsString: a type that encodes itself as JSON text gets a string
// schema, not the schema of its Go kind; time.Time and string kinds keep
// the reflector's own.
func TestTextAsString(t *testing.T) {
	for _, tc := range []struct {
		t      reflect.Type
		string bool
	}{
		{reflect.TypeFor[textID](), true},
		{reflect.TypeFor[textPtr](), true},
		{reflect.TypeFor[textString](), false},
		{reflect.TypeFor[time.Time](), false},
		{reflect.TypeFor[struct{ N int }](), false},
		{reflect.TypeFor[[16]byte](), false},
	} {
		s := textAsString(tc.t)
		if got := s != nil && s.Type == "string"; got != tc.string {
			t.Errorf("textAsString(%v) = %+v, want a string schema: %v", tc.t, s, tc.string)
		}
	}
}

// TestBodySchemas_Identity: the identity's uuid is a UUID string whatever
// Go type carries it.
func TestBodySchemas_Identity(t *testing.T) {
	schemas, err := bodySchemas(DefaultMaxEventBatch)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Identity", "AgentConfig"} {
		var s struct {
			Properties map[string]struct{ Type, Format string } `json:"properties"`
		}
		if err := json.Unmarshal(schemas[name], &s); err != nil {
			t.Fatal(err)
		}
		if u := s.Properties["uuid"]; u.Type != "string" || u.Format != "uuid" {
			t.Errorf("%s.uuid = %v, want a string of format uuid", name, u)
		}
	}
}
