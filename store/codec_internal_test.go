package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

func sampleStore() *nearby.Store {
	return &nearby.Store{
		ID: 7, MerchantID: 3, Name: "Café Zoë", Lat: 48.8566, Lng: 2.3522, Category: "coffee",
		Address: "1 Rue de Rivoli", Timezone: "Europe/Paris",
		Hours:     nearby.Hours{"mon": {{"08:00", "20:00"}}, "sat": {{"10:00", "02:00"}, {"03:00", "04:00"}}},
		Tags:      []string{"wifi", "terrace"},
		CreatedAt: time.Unix(1700000000, 123).UTC(), UpdatedAt: time.Unix(1700000500, 0).UTC(),
	}
}

func TestStoreCodec(t *testing.T) {
	tests := []struct {
		name string
		s    *nearby.Store
	}{
		{"Full", sampleStore()},
		{"Zero", &nearby.Store{}},
		{"EmptyHours", &nearby.Store{ID: 1, Hours: nearby.Hours{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := encodeStore(nil, tt.s)
			got, err := decodeStore(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.s) {
				t.Errorf("round trip = %+v, want %+v", got, tt.s)
			}
			if tz := storeTimezone(enc); tz != tt.s.Timezone {
				t.Errorf("storeTimezone = %q, want %q", tz, tt.s.Timezone)
			}
			// Every truncation is rejected, never a panic or a half store.
			for i := range enc {
				if _, err := decodeStore(enc[:i]); err == nil {
					t.Fatalf("decodeStore accepted %d of %d bytes", i, len(enc))
				}
			}
		})
	}
}

func FuzzDecodeStore(f *testing.F) {
	f.Add(encodeStore(nil, sampleStore()))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeStore(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to the same bytes when canonical.
		if again, err := decodeStore(encodeStore(nil, s)); err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("re-decode = %+v, %v", again, err)
		}
	})
}

// BenchmarkDecodeStore compares the binary store encoding with JSON, the
// obvious alternative, on one store.
func BenchmarkDecodeStore(b *testing.B) {
	s := sampleStore()
	b.Run("binary", func(b *testing.B) {
		enc := encodeStore(nil, s)
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			if _, err := decodeStore(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		enc, _ := json.Marshal(s)
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			var got nearby.Store
			if err := json.Unmarshal(enc, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestBeaconRecord_V1 decodes a beacon record written before identities had
// a UUID type (UUID was a string): the file format must not have changed,
// so the record decodes, re-encodes to the very same bytes, and its
// identity index key is the one that build wrote.
func TestBeaconRecord_V1(t *testing.T) {
	body, err := os.ReadFile("testdata/records/beacon-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	rec := append([]byte{jsonRecordV1}, bytes.TrimSpace(body)...)
	var b nearby.Beacon
	if err := decodeJSON(rec, &b); err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := nearby.Identity{UUID: nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e"), Major: 7, Minor: 9}
	if b.Identity != want || b.ID != 5 || b.Label != "till" || b.Page == nil || b.Page.Path != "/menu" {
		t.Errorf("decoded %+v, want beacon 5 \"till\" with identity %v and page /menu", b, want)
	}
	again, err := encodeJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, rec) {
		t.Errorf("re-encoded record differs:\n got %s\nwant %s", again[1:], rec[1:])
	}
	// uuid(16) | major | minor, as the string build's identityKey wrote it.
	if got, want := hex.EncodeToString(identityKey(b.Identity)), "f7826da64fa24e988024bc5b71e0893e00070009"; got != want {
		t.Errorf("identityKey = %s, want %s", got, want)
	}
}
