package client_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/client"
)

func TestProblemTypeBase(t *testing.T) {
	if client.ProblemTypeBase != api.ProblemTypeBase {
		t.Errorf("client.ProblemTypeBase %q, api.ProblemTypeBase %q", client.ProblemTypeBase, api.ProblemTypeBase)
	}
}

// TestError_RealServer checks that the server's problems come back as
// *client.Error with every problem field, and that the domain's vocabulary
// (nearby.ErrorCode) reads them.
func TestError_RealServer(t *testing.T) {
	srv := startServer(t)
	ctx := t.Context()
	admin := client.New(srv.URL, srv.Admin, nil)
	m, err := admin.CreateMerchant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	mer := admin.WithToken(m.APIKey)
	st, err := mer.CreateStore(ctx, &client.StoreInput{Name: "Soho", Lat: 51.5, Lng: -0.13, Category: "coffee"})
	if err != nil {
		t.Fatal(err)
	}
	bc, err := mer.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID})
	if err != nil {
		t.Fatal(err)
	}
	tooMany := make([]nearby.Event, api.DefaultMaxEventBatch+1)
	tests := []struct {
		name   string
		call   func(context.Context) error
		status int
		code   string
		fields []string // the fields named, in any order
	}{
		{"Invalid", func(ctx context.Context) error {
			_, err := mer.CreateStore(ctx, &client.StoreInput{Name: "x", Lat: 91})
			return err
		}, 400, nearby.EINVALID, []string{"lat", "category"}},
		{"InvalidQuery", func(ctx context.Context) error {
			_, err := client.New(srv.URL, "", nil).Nearby(ctx, &client.NearbyQuery{Lat: 0, Lng: 200})
			return err
		}, 400, nearby.EINVALID, []string{"lng"}},
		{"NotFound", func(ctx context.Context) error { _, err := mer.GetStore(ctx, "st_fff"); return err }, 404, nearby.ENOTFOUND, nil},
		{"NotYours", func(ctx context.Context) error {
			other, err := admin.CreateMerchant(ctx, "Other")
			if err != nil {
				return err
			}
			_, err = admin.WithToken(other.APIKey).GetStore(ctx, st.ID)
			return err
		}, 404, nearby.ENOTFOUND, nil},
		{"Unauthorized", func(ctx context.Context) error { _, err := mer.WithToken("wrong").ListStores(ctx, nil); return err }, 401, nearby.EUNAUTHORIZED, nil},
		{"Conflict", func(ctx context.Context) error { return mer.DeleteStore(ctx, st.ID) }, 409, nearby.ECONFLICT, nil},
		{"TooLarge", func(ctx context.Context) error {
			_, _, err := mer.WithToken(bc.AgentToken).PostEvents(ctx, tooMany)
			return err
		}, 413, nearby.ETOOLARGE, []string{"events"}},
		{"Unsupported", func(ctx context.Context) error {
			return mer.DoRaw(ctx, http.MethodPost, "/v1/stores/import", nil, "text/plain", strings.NewReader("x"), nil)
		}, 415, nearby.EUNSUPPORTED, nil},
		{"NoRoute", func(ctx context.Context) error { return mer.Do(ctx, http.MethodGet, "/v1/nothing", nil, nil, nil) }, 404, nearby.ENOTFOUND, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context())
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *client.Error", err)
			}
			if e.Status != tt.status || e.Code != tt.code || nearby.ErrorCode(err) != tt.code {
				t.Errorf("got status %d, code %q, ErrorCode %q; want %d, %q", e.Status, e.Code, nearby.ErrorCode(err), tt.status, tt.code)
			}
			if e.Type != client.ProblemTypeBase+tt.code || e.Title != http.StatusText(tt.status) || e.RequestID == "" {
				t.Errorf("got type %q, title %q, request id %q; want the problem's", e.Type, e.Title, e.RequestID)
			}
			for _, f := range tt.fields {
				if !slices.ContainsFunc(e.Fields, func(fe nearby.FieldError) bool { return fe.Field == f && fe.Message != "" }) {
					t.Errorf("fields %+v do not name %q", e.Fields, f)
				}
			}
			if msg := nearby.ErrorMessage(err); msg != e.Detail {
				t.Errorf("nearby.ErrorMessage: got %q, want the detail %q", msg, e.Detail)
			}
			if !strings.Contains(err.Error(), e.RequestID) {
				t.Errorf("Error(): %q does not name the request %q", err, e.RequestID)
			}
		})
	}
}

func TestError_NotProblem(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		ctype     string
		body      string
		retry     string
		code      string
		detail    string
		retryable bool
		delay     time.Duration
	}{
		{"PlainText", 401, "text/plain", "no", "", nearby.EUNAUTHORIZED, "no", false, 0},
		{"ProxyHTML", 502, "text/html", "<html>" + strings.Repeat("x", 300) + "</html>", "", nearby.EUNAVAILABLE, "", true, 0},
		{"RateLimited", 429, "application/problem+json", `{"type":"https://nearby.dev/problems/rate_limited","title":"Too Many Requests","status":429}`, "3", nearby.ERATELIMIT, "", true, 3 * time.Second},
		{"Loading", 503, "application/json", `{"status":"loading","stores":0}`, "1", nearby.EUNAVAILABLE, `{"status":"loading","stores":0}`, true, time.Second},
		{"ForeignType", 422, "application/problem+json", `{"type":"https://example.com/out-of-stock","title":"Unprocessable","status":422,"detail":"gone"}`, "", nearby.EINVALID, "gone", false, 0},
		{"BodyClaimsOtherStatus", 500, "application/problem+json", `{"type":"about:blank","title":"OK","status":200}`, "", nearby.EINTERNAL, "", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				if tt.retry != "" {
					w.Header().Set("Retry-After", tt.retry)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			_, err := c.AgentConfig(t.Context())
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *client.Error", err)
			}
			if e.Status != tt.status || e.Code != tt.code || nearby.ErrorCode(err) != tt.code || e.Detail != tt.detail ||
				e.Retryable() != tt.retryable || e.RetryAfter != tt.delay {
				t.Errorf("got %+v (retryable %v); want status %d, code %q, detail %q, retryable %v, delay %v",
					e, e.Retryable(), tt.status, tt.code, tt.detail, tt.retryable, tt.delay)
			}
		})
	}
}
