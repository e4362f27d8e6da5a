package client_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
)

// TestIterators follows pages served by a fake server: the cursor of each
// page must be sent for the next, an error ends the iteration after the
// items before it, and breaking out stops the requests.
func TestIterators(t *testing.T) {
	tests := []struct {
		name    string
		pages   map[string]string // cursor -> answer; "!" answers a 500
		stopAt  int               // break after this many items; 0 never
		want    []string
		wantErr string
		calls   int
	}{
		{"TwoPages", map[string]string{"": `{"items":[{"id":"st_1"},{"id":"st_2"}],"next_cursor":"c1"}`, "c1": `{"items":[{"id":"st_3"}]}`}, 0,
			[]string{"st_1", "st_2", "st_3"}, "", 2},
		{"Empty", map[string]string{"": `{"items":[]}`}, 0, nil, "", 1},
		{"ErrSecondPage", map[string]string{"": `{"items":[{"id":"st_1"}],"next_cursor":"c1"}`, "c1": "!"}, 0,
			[]string{"st_1"}, "500", 2},
		{"ErrRepeatedCursor", map[string]string{"": `{"items":[{"id":"st_1"}],"next_cursor":"c1"}`, "c1": `{"items":[{"id":"st_2"}],"next_cursor":"c1"}`}, 0,
			[]string{"st_1", "st_2"}, "repeated cursor", 2},
		{"Break", map[string]string{"": `{"items":[{"id":"st_1"},{"id":"st_2"}],"next_cursor":"c1"}`, "c1": `{"items":[{"id":"st_3"}]}`}, 1,
			[]string{"st_1"}, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if r.URL.Path != "/v1/stores" || r.URL.Query().Get("limit") != "100" {
					t.Errorf("request: got %s", r.URL)
				}
				ans, ok := tt.pages[r.URL.Query().Get("cursor")]
				if !ok || ans == "!" {
					http.Error(w, "boom", http.StatusInternalServerError)
					return
				}
				io.WriteString(w, ans)
			})
			var got []string
			var err error
			for s, e := range c.Stores(t.Context()) {
				if e != nil {
					err = e
					break
				}
				got = append(got, s.ID)
				if len(got) == tt.stopAt {
					break
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("items: got %v, want %v", got, tt.want)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error: got %v, want %q", err, tt.wantErr)
			}
			if int(calls.Load()) != tt.calls {
				t.Errorf("requests: got %d, want %d", calls.Load(), tt.calls)
			}
		})
	}
}

// TestNearbyQuery checks the query string of each field of a NearbyQuery.
func TestNearbyQuery(t *testing.T) {
	age := 30
	tests := []struct {
		name string
		q    client.NearbyQuery
		want string
	}{
		{"Defaults", client.NearbyQuery{Lat: 51.5, Lng: -0.1}, "lat=51.5&lng=-0.1"},
		{"Zero", client.NearbyQuery{}, "lat=0&lng=0"},
		{"All", client.NearbyQuery{Lat: 1, Lng: 2, RadiusM: 250.5, Limit: 5, Cursor: "c&d", Category: "coffee", Age: &age,
			Gender: "female", OS: "ios", OpenNow: true, Explain: true},
			"age=30&category=coffee&cursor=c%26d&explain=true&gender=female&lat=1&limit=5&lng=2&open_now=true&os=ios&radius_m=250.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Encode(); got != tt.want {
					t.Errorf("query: got %s, want %s", got, tt.want)
				}
				io.WriteString(w, `{"results":[]}`)
			})
			if _, err := c.Nearby(t.Context(), &tt.q); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestImportStores checks the request an import makes and the options it
// refuses before sending anything.
func TestImportStores(t *testing.T) {
	tests := []struct {
		name    string
		opts    *client.ImportOptions
		ctype   string
		query   string
		wantErr bool
	}{
		{"CSV", &client.ImportOptions{Format: client.ImportCSV, Category: "coffee",
			Columns: map[string]string{"lat": "Latitude", "timezone": "", "name": "Store Name"}},
			"text/csv", "category=coffee&columns=lat%3DLatitude%2Cname%3DStore+Name%2Ctimezone%3D", false},
		{"GeoJSON", &client.ImportOptions{Format: client.ImportGeoJSON}, "application/geo+json", "", false},
		{"ErrNoOptions", nil, "", "", true},
		{"ErrFormat", &client.ImportOptions{Format: "xlsx"}, "", "", true},
		{"ErrComma", &client.ImportOptions{Format: client.ImportCSV, Columns: map[string]string{"name": "Name, full"}}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.wantErr {
					t.Errorf("request sent for refused options: %s", r.URL)
				}
				b, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || r.URL.Path != "/v1/stores/import" || r.Header.Get("Content-Type") != tt.ctype ||
					r.URL.RawQuery != tt.query || string(b) != "file" {
					t.Errorf("request: got %s %s (%s) %q", r.Method, r.URL, r.Header.Get("Content-Type"), b)
				}
				io.WriteString(w, `{"imported":1,"failed":[],"failed_count":0}`)
			})
			res, err := c.ImportStores(t.Context(), strings.NewReader("file"), tt.opts)
			if tt.wantErr {
				if err == nil {
					t.Errorf("got %+v, want an error", res)
				}
				return
			}
			if err != nil || res.Imported != 1 {
				t.Errorf("got %+v, %v", res, err)
			}
		})
	}
}

// TestDisallowUnknownFields: a field the client's types do not know is
// ignored by default (the contract lets the server add fields) and refused
// when the client is strict.
func TestDisallowUnknownFields(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint(strict), func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"beacon_id":"bcn_1","uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e","major":1,"minor":2,"tx_power":-59,"interval_ms":100,"added_later":1}`)
			})
			c.DisallowUnknownFields = strict
			cfg, err := c.AgentConfig(t.Context())
			if strict != (err != nil) {
				t.Errorf("strict %v: got %+v, %v", strict, cfg, err)
			}
			if err != nil && nearby.ErrorCode(err) != nearby.EINTERNAL {
				t.Errorf("a decode error is not a server answer: got code %q", nearby.ErrorCode(err))
			}
		})
	}
}
