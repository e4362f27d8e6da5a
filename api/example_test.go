package api_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/geo"
)

// Example wires the server over a registry (here a fake; discoveryd passes
// its *store.DB), a catalog and its geo index, marks it ready once the
// catalog is loaded, and serves a phone query.
func Example() {
	ix := geo.New()
	cfg := api.DefaultConfig()
	cfg.AdminToken = "change-me"
	srv, err := api.New(cfg, serviceDeps(nil, &Registry{}, catalog.New(ix, nil), ix, nil))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	srv.SetReady(true)

	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/v1/nearby?lat=51.5&lng=-0.12", nil))
	fmt.Println(w.Code, w.Body.String())

	w = httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/v1/nearby?lat=91&lng=-0.12", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output:
	// 200 {"results":[]}
	//
	// 400 application/problem+json
}
