package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
)

func TestParseNearbyQuery(t *testing.T) {
	age := 30
	tests := []struct {
		name, raw string
		want      catalog.NearbyQuery
		field     string // the field of the expected error, "" for none
	}{
		{"OK", "lat=51.5&lng=-0.12", catalog.NearbyQuery{Lat: 51.5, Lng: -0.12}, ""},
		{"OK/all", "lat=1&lng=2&radius_m=300&limit=5&cursor=abc&category=coffee&age=30&gender=female&os=ios&open_now=true&explain=1",
			catalog.NearbyQuery{Lat: 1, Lng: 2, RadiusM: 300, Limit: 5, Cursor: "abc", Category: "coffee", Age: &age,
				Gender: "female", OS: "ios", OpenNow: true, Explain: true}, ""},
		{"OK/escaped", "lat=%2B1.5&lng=2&category=a%5Fb", catalog.NearbyQuery{Lat: 1.5, Lng: 2, Category: "a_b"}, ""},
		{"OK/unknown ignored", "lat=1&lng=2&utm_source=x&&", catalog.NearbyQuery{Lat: 1, Lng: 2}, ""},
		{"ErrMissingLat", "lng=2", catalog.NearbyQuery{}, "lat"},
		{"ErrMissingLng", "lat=2", catalog.NearbyQuery{}, "lng"},
		{"ErrNaN", "lat=NaN&lng=2", catalog.NearbyQuery{}, "lat"},
		{"ErrInf", "lat=1&lng=+Inf", catalog.NearbyQuery{}, "lng"},
		{"ErrHex", "lat=0x1p-2&lng=2", catalog.NearbyQuery{}, ""}, // Go accepts hex floats; finite, so fine
		{"ErrRadius", "lat=1&lng=2&radius_m=far", catalog.NearbyQuery{}, "radius_m"},
		{"ErrLimit", "lat=1&lng=2&limit=0", catalog.NearbyQuery{}, "limit"},
		{"ErrAge", "lat=1&lng=2&age=x", catalog.NearbyQuery{}, "age"},
		{"ErrBool", "lat=1&lng=2&open_now=maybe", catalog.NearbyQuery{}, "open_now"},
		{"ErrEscape", "lat=1&lng=2&category=%zz", catalog.NearbyQuery{}, "category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNearbyQuery(tt.raw)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				if tt.name == "ErrHex" {
					return
				}
				if got.Lat != tt.want.Lat || got.Lng != tt.want.Lng || got.RadiusM != tt.want.RadiusM || got.Limit != tt.want.Limit ||
					got.Cursor != tt.want.Cursor || got.Category != tt.want.Category || got.Gender != tt.want.Gender ||
					got.OS != tt.want.OS || got.OpenNow != tt.want.OpenNow || got.Explain != tt.want.Explain ||
					(got.Age == nil) != (tt.want.Age == nil) || (got.Age != nil && *got.Age != *tt.want.Age) {
					t.Errorf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			ne, ok := err.(*nearby.Error)
			if !ok || ne.Code != nearby.EINVALID || len(ne.Fields) == 0 || ne.Fields[0].Field != tt.field {
				t.Errorf("err = %v, want EINVALID naming %q", err, tt.field)
			}
		})
	}
}

func FuzzParseNearbyQuery(f *testing.F) {
	for _, s := range []string{"lat=1&lng=2", "lat=NaN&lng=1e400", "lat=%zz", "a=b=c&&&", "limit=-1&age=999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseNearbyQuery(raw)
		if err != nil {
			return
		}
		if math.IsNaN(q.Lat) || math.IsInf(q.Lat, 0) || math.IsNaN(q.Lng) || math.IsInf(q.Lng, 0) || math.IsNaN(q.RadiusM) || math.IsInf(q.RadiusM, 0) {
			t.Errorf("accepted a non-finite number: %+v", q)
		}
	})
}

// FuzzAppendString: the hand-rolled encoder must produce JSON that decodes
// to what encoding/json decodes its own output to.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl\x00\x1f\n\t\r", "héllo 世界", "bad\xff\xfe utf8", "\u2028\u2029"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		b := appendString(nil, s)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("appendString(%q) = %s: not JSON: %v", s, b, err)
		}
		std, _ := json.Marshal(s)
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("appendString(%q) decodes to %q, encoding/json to %q", s, got, want)
		}
	})
}

func TestAppendNearbyPage(t *testing.T) {
	page := catalog.NearbyPage{
		Results: []catalog.NearbyResult{{
			Program:   &nearby.Program{ID: 10, AppID: "wx\"1", Name: "Caf\u00e9", Category: "coffee", IconURL: "https://x/i.png"},
			Store:     &nearby.Store{ID: 255, Name: "Soho", Lat: 51.5, Lng: -0.1, Address: "1 <Main> St"},
			DistanceM: 12.5, Score: 0.75, Explain: map[string]float64{"distance": 0.5, "fit": 0.25},
		}},
		NextCursor: "abc",
	}
	b := appendNearbyPage(nil, &page, false)
	var got struct {
		Results []struct {
			Program   map[string]any     `json:"program"`
			Store     map[string]any     `json:"store"`
			DistanceM float64            `json:"distance_m"`
			Score     float64            `json:"score"`
			Explain   map[string]float64 `json:"explain"`
		} `json:"results"`
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	r := got.Results[0]
	if r.Program["id"] != "pg_a" || r.Program["app_id"] != "wx\"1" || r.Store["id"] != "st_ff" || r.Store["address"] != "1 <Main> St" ||
		r.Store["lat"] != 51.5 || r.DistanceM != 12.5 || r.Score != 0.75 || r.Explain["fit"] != 0.25 || got.NextCursor != "abc" {
		t.Errorf("decoded %+v from %s", got, b)
	}
	if b := appendNearbyPage(nil, &catalog.NearbyPage{}, false); string(b) != "{\"results\":[]}\n" {
		t.Errorf("empty page = %s, want {\"results\":[]}", b)
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(nearby.KindStore, 42))
	f.Add("!!")
	f.Add("c3Q6")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := decodeCursor(nearby.KindStore, s)
		if err != nil {
			return
		}
		// Whatever decodes must round-trip to the same position.
		again, err := decodeCursor(nearby.KindStore, encodeCursor(nearby.KindStore, id))
		if err != nil || again != id {
			t.Errorf("cursor %q -> %d does not round-trip (%d, %v)", s, id, again, err)
		}
	})
}

// FuzzDecodeStore feeds outside bytes to the strict JSON decoder and the
// store input checks: no panic, and anything accepted is a valid store.
func FuzzDecodeStore(f *testing.F) {
	for _, s := range []string{`{"name":"a","lat":1,"lng":2,"category":"x"}`, `{"lat":1e400}`, `{"name":"a"} []`, `{"hours":{"mon":[["09:00","21:00","x"]]}}`, `[`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in storeInput
		if err := decodeValue(b, &in); err != nil {
			if nearby.ErrorCode(err) != nearby.EINVALID {
				t.Errorf("decode error %v is not EINVALID", err)
			}
			return
		}
		var s nearby.Store
		if err := in.apply(&s); err != nil {
			return
		}
		if math.IsNaN(s.Lat) || s.Lat < -90 || s.Lat > 90 || s.Name == "" {
			t.Errorf("accepted an invalid store %+v", s)
		}
	})
}

// TestBriefs_SameBytes checks that a page built from the catalog's briefs
// (Briefs as its renderer) is byte for byte the page encoded from the
// records, over strings that need escaping, and that the briefs follow an
// update of the records.
func TestBriefs_SameBytes(t *testing.T) {
	ctx := context.Background()
	names := []string{"Soho", "Caf\u00e9 \"Rivoli\"", "back\\slash\ttab\nline", "\x01ctl", "bad \xff utf8", "sep \u2028 \u2029", "<html>&"}
	fill := func(c *catalog.Catalog, round int) {
		for i, name := range names {
			s := &nearby.Store{ID: uint64(i + 1), Name: name + fmt.Sprint(round), Lat: 51.5 + float64(i)*1e-4, Lng: -0.1234567,
				Address: names[(i+round)%len(names)]}
			if err := c.PutStore(s); err != nil {
				t.Fatal(err)
			}
			c.PutProgram(&nearby.Program{ID: uint64(100 + i), AppID: "wx" + name, Name: names[(i+1+round)%len(names)],
				Category: "coffee", IconURL: "https://x/" + name, StoreIDs: []uint64{uint64(i + 1)}})
		}
	}
	now := func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) } // cursors hold it
	plain := catalog.New(geo.New(), &catalog.Options{Now: now})
	briefed := catalog.New(geo.New(), &catalog.Options{Now: now, Renderer: Briefs{}})
	q := catalog.NearbyQuery{Lat: 51.5, Lng: -0.1234567, RadiusM: 1000, Limit: 5}
	for round := range 2 {
		fill(plain, round)
		fill(briefed, round)
		want, err := plain.Nearby(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := briefed.Nearby(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Results) != 5 {
			t.Fatalf("round %d: %d results, want 5", round, len(got.Results))
		}
		for i, r := range got.Results {
			pb, sb := catalog.AppendBrief(nil, programTemplate, r.ProgramBrief), catalog.AppendBrief(nil, storeTemplate, r.StoreBrief)
			if string(pb) != string(appendProgramBrief(nil, r.Program)) || string(sb) != string(appendStoreBrief(nil, r.Store)) {
				t.Fatalf("round %d: result %d has briefs %q and %q, want its records' JSON", round, i, pb, sb)
			}
			// Kept compact: the template's keys are not in the catalog.
			if strings.Contains(r.ProgramBrief, `"app_id"`) || strings.Contains(r.StoreBrief, `"address"`) {
				t.Errorf("round %d: result %d's briefs are kept whole: %q, %q", round, i, r.ProgramBrief, r.StoreBrief)
			}
		}
		if want.Results[0].ProgramBrief != "" {
			t.Fatalf("round %d: a catalog without renderer gave briefs", round)
		}
		wb, gb := appendNearbyPage(nil, &want, false), appendNearbyPage(nil, &got, true)
		if string(gb) != string(wb) {
			t.Errorf("round %d: from briefs\n%s\nwant\n%s", round, gb, wb)
		}
		if !json.Valid(gb) {
			t.Errorf("round %d: invalid JSON %s", round, gb)
		}
	}
}

// otherRenderer renders something that is not the API's JSON.
type otherRenderer struct{}

func (otherRenderer) AppendStore(dst []byte, s *nearby.Store) []byte { return append(dst, "store"...) }
func (otherRenderer) AppendProgram(dst []byte, p *nearby.Program) []byte {
	return append(dst, "program"...)
}

// TestRendersBriefs checks that the handler copies briefs only from a
// catalog that renders with Briefs: another renderer's bytes are not this
// API's JSON.
func TestRendersBriefs(t *testing.T) {
	tests := []struct {
		name string
		cat  any
		want bool
	}{
		{"Briefs", catalog.New(geo.New(), &catalog.Options{Renderer: Briefs{}}), true},
		{"no renderer", catalog.New(geo.New(), nil), false},
		{"another renderer", catalog.New(geo.New(), &catalog.Options{Renderer: otherRenderer{}}), false},
		{"not a *catalog.Catalog", struct{ discovery.Catalog }{catalog.New(geo.New(), &catalog.Options{Renderer: Briefs{}})}, false},
		{"a service over Briefs", newService(t, catalog.New(geo.New(), &catalog.Options{Renderer: Briefs{}})), true},
		{"a service over another renderer", newService(t, catalog.New(geo.New(), &catalog.Options{Renderer: otherRenderer{}})), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rendersBriefs(tt.cat); got != tt.want {
				t.Errorf("rendersBriefs = %v, want %v", got, tt.want)
			}
		})
	}
}

// newService is a service over cat with a registry that is never called.
func newService(t *testing.T, cat *catalog.Catalog) *discovery.Service {
	t.Helper()
	svc, err := discovery.New(struct{ discovery.Registry }{}, cat, geo.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
