package nearby_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
)

func TestParseUUID(t *testing.T) {
	const canon = "f7826da6-4fa2-4e98-8024-bc5b71e0893e"
	tests := []struct {
		name, in, want string // want "" means an error
	}{
		{"Canonical", canon, canon},
		{"Upper", "F7826DA6-4FA2-4E98-8024-BC5B71E0893E", canon},
		{"MixedCase", "F7826da6-4Fa2-4e98-8024-bC5B71E0893e", canon},
		{"NoHyphens", "f7826da64fa24e988024bc5b71e0893e", canon},
		{"NoHyphensUpper", "F7826DA64FA24E988024BC5B71E0893E", canon},
		{"Nil", "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"},
		{"BLE", "e2c56db5-dffb-48d2-b060-d0f5a71096e0", "e2c56db5-dffb-48d2-b060-d0f5a71096e0"},
		{"ErrEmpty", "", ""},
		{"ErrShort", "f7826da6-4fa2-4e98-8024-bc5b71e0893", ""},
		{"ErrShortNoHyphens", "e2c56db5dffb48d2b060d0f5a71096e", ""},
		{"ErrLong", "f7826da6-4fa2-4e98-8024-bc5b71e0893e0", ""},
		{"ErrHyphenMoved", "f7826da64-fa2-4e98-8024-bc5b71e0893e", ""},
		{"ErrHyphenMoved2", "e2c56db-5dffb-48d2-b060-d0f5a71096e0", ""},
		{"ErrTrailingHyphen", "e2c56db5-dffb-48d2-b060d0f5a71096e0-", ""},
		{"ErrHyphensIn32", "f7826da6-4fa2-4e98-8024-bc5b71e0", ""},
		{"ErrNotHex", "g7826da6-4fa2-4e98-8024-bc5b71e0893e", ""},
		{"ErrNotHexNoHyphens", "f7826da64fa24e988024bc5b71e0893z", ""},
		{"ErrBraces", "{f7826da6-4fa2-4e98-8024-bc5b71e0893e}", ""},
		{"ErrURN", "urn:uuid:f7826da6-4fa2-4e98-8024-bc5b71e0893e", ""},
		{"ErrSpace", " f7826da6-4fa2-4e98-8024-bc5b71e0893", ""},
		{"ErrUnicode", "f7826da6-4fa2-4e98-8024-bc5b71e08\u212a", ""}, // Kelvin sign
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := nearby.ParseUUID(tt.in)
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("ParseUUID(%q) = %s, want an error", tt.in, u)
			case tt.want == "" && !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.in)):
				t.Errorf("ParseUUID(%q): error %q does not quote the input", tt.in, err)
			case tt.want != "" && (err != nil || u.String() != tt.want):
				t.Errorf("ParseUUID(%q) = %s, %v; want %s", tt.in, u, err, tt.want)
			}
		})
	}
}

func TestUUID_String(t *testing.T) {
	tests := []struct {
		u    nearby.UUID
		want string
	}{
		{nearby.UUID{}, "00000000-0000-0000-0000-000000000000"},
		{nearby.UUID{0: 0xf7, 1: 0x82, 2: 0x6d, 3: 0xa6, 4: 0x4f, 5: 0xa2, 6: 0x4e, 7: 0x98,
			8: 0x80, 9: 0x24, 10: 0xbc, 11: 0x5b, 12: 0x71, 13: 0xe0, 14: 0x89, 15: 0x3e},
			"f7826da6-4fa2-4e98-8024-bc5b71e0893e"},
		{nearby.UUID{0: 0xff, 15: 0x01}, "ff000000-0000-0000-0000-000000000001"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
		if got, _ := tt.u.MarshalText(); string(got) != tt.want {
			t.Errorf("MarshalText() = %s, want %s", got, tt.want)
		}
		if got, _ := tt.u.AppendText([]byte("x")); string(got) != "x"+tt.want {
			t.Errorf("AppendText(x) = %s, want x%s", got, tt.want)
		}
		if got, want := tt.u.IsZero(), tt.want == "00000000-0000-0000-0000-000000000000"; got != want {
			t.Errorf("%s: IsZero() = %v, want %v", tt.u, got, want)
		}
	}
}

// TestIdentity_JSON pins the wire and on-disk form: the UUID is the same
// lower-case hyphenated string an Identity held before it had a UUID type.
func TestIdentity_JSON(t *testing.T) {
	id := nearby.Identity{UUID: nearby.MustParseUUID("F7826DA64FA24E988024BC5B71E0893E"), Major: 7, Minor: 9}
	b, err := json.Marshal(id)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","major":7,"minor":9}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	tests := []struct {
		name, in string
		want     nearby.Identity
		err      bool
	}{
		{"OK", want, id, false},
		{"Upper", `{"uuid":"F7826DA6-4FA2-4E98-8024-BC5B71E0893E","major":7,"minor":9}`, id, false},
		{"EmptyIsZero", `{"uuid":"","major":1,"minor":2}`, nearby.Identity{Major: 1, Minor: 2}, false},
		{"Missing", `{"major":1}`, nearby.Identity{Major: 1}, false},
		{"ErrNotUUID", `{"uuid":"nope","major":1,"minor":2}`, nearby.Identity{}, true},
		{"ErrNumber", `{"uuid":12,"major":1,"minor":2}`, nearby.Identity{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got nearby.Identity
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.err || (!tt.err && got != tt.want) {
				t.Errorf("Unmarshal(%s) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
	if got, want := id.String(), "f7826da6-4fa2-4e98-8024-bc5b71e0893e/7/9"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

func TestMustParseUUID(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParseUUID(nope) did not panic")
		}
	}()
	nearby.MustParseUUID("nope")
}

// referenceUUID is the parser every UUID went through before the UUID type
// (CanonicalUUID): the fuzz test holds ParseUUID to exactly its forms.
func referenceUUID(s string) (string, bool) {
	h := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	if len(h) != 32 || (len(s) != 32 && len(s) != 36) {
		return "", false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	if len(s) == 36 && (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
		return "", false
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{
		"f7826da6-4fa2-4e98-8024-bc5b71e0893e", "F7826DA64FA24E988024BC5B71E0893E",
		"f7826da64-fa2-4e98-8024-bc5b71e0893e", "", "{f7826da6-4fa2-4e98-8024-bc5b71e0893e}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := nearby.ParseUUID(s)
		want, ok := referenceUUID(s)
		if (err == nil) != ok {
			t.Fatalf("ParseUUID(%q) error %v; the reference parser accepts it: %v", s, err, ok)
		}
		if err != nil {
			return
		}
		if got := u.String(); got != want {
			t.Fatalf("ParseUUID(%q) = %s, want %s", s, got, want)
		}
		// The canonical form round-trips, through text as well.
		var back nearby.UUID
		if err := back.UnmarshalText([]byte(u.String())); err != nil || back != u {
			t.Fatalf("UnmarshalText(%s) = %s, %v", u, back, err)
		}
	})
}
