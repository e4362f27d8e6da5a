package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/api"
)

// TestServer_UnknownQueryParameter: every route of the table answers an
// authenticated request with 400 problem+json naming a query parameter it
// does not document, and a documented one, percent-encoded in its name,
// is not refused.
func TestServer_UnknownQueryParameter(t *testing.T) {
	ts := newTestServer(t, nil)
	merchant := withMerchant(ts)
	ts.Reg.GetBeaconFn = func(_ context.Context, _, id uint64) (*nearby.Beacon, error) {
		return &nearby.Beacon{ID: id, MerchantID: 1, AgentTokenHash: api.HashSecret("secret"), Status: nearby.BeaconActive}, nil
	}
	token := func(path string) string {
		switch {
		case path == "/v1/merchants":
			return adminToken
		case strings.HasPrefix(path, "/v1/agent/"):
			return "at_1_secret"
		}
		return merchant // public routes ignore it
	}
	routes := ts.Server.Echo().Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, r := range routes {
		segs := strings.Split(r.Path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				segs[i] = "x1"
			}
		}
		path := strings.Join(segs, "/")
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			w := ts.serve(r.Method, path+"?zz_unknown=1", token(r.Path), "")
			if w.Code == http.StatusMethodNotAllowed || w.Code == http.StatusNotFound && !strings.Contains(w.Body.String(), "zz_unknown") {
				t.Skipf("not routed: %d", w.Code)
			}
			p := problemOf(t, w)
			if w.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "zz_unknown" {
				t.Errorf("status %d, problem %+v; want 400 naming zz_unknown", w.Code, p)
			}
		})
	}
	t.Run("EncodedNameIsDecoded", func(t *testing.T) {
		w := ts.serve(http.MethodGet, "/v1/nearby?lat=1&lng=2&li%6Dit=3", "", "")
		if w.Code != http.StatusOK {
			t.Errorf("status %d: %s, want 200", w.Code, w.Body)
		}
	})
	t.Run("Several", func(t *testing.T) {
		w := ts.serve(http.MethodGet, "/v1/nearby?lat=1&lng=2&q_x=1&app=2", "", "")
		p := problemOf(t, w)
		if w.Code != http.StatusBadRequest || len(p.Errors) != 2 || p.Errors[0].Field != "q_x" || p.Errors[1].Field != "app" {
			t.Errorf("status %d, problem %+v; want 400 naming q_x and app", w.Code, p)
		}
	})
}
