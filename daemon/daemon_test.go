package daemon_test

import (
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/console"
	"github.com/nearby-dev/nearby/daemon"
)

// TestHandler checks the split of Handler: the console owns /, /console
// and /console/..., the API everything else, unchanged.
func TestHandler(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.AdminToken = "t"
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(t.TempDir(), "nearby.db"), API: cfg,
		Console: console.Options{Tiles: console.DefaultTiles}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := d.Handler()
	for _, tc := range []struct {
		path   string
		status int
		ctype  string
		csp    bool
	}{
		{"/", 302, "", true},
		{"/console", 302, "", true},
		{"/console/", 200, "text/html", true},
		{"/console/js/app.js", 200, "text/javascript", true},
		{"/healthz", 200, "application/json", false},
		{"/v1/stores", 401, "application/problem+json", false},
		{"/consoles", 404, "application/problem+json", false},
		{"/v1//stores", 404, "application/problem+json", false}, // the API's own answer, no mux redirect
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if w.Code != tc.status || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s: %d %q, want %d %q", tc.path, w.Code, w.Header().Get("Content-Type"), tc.status, tc.ctype)
		}
		if got := w.Header().Get("Content-Security-Policy") != ""; got != tc.csp {
			t.Errorf("GET %s: CSP present %v, want %v", tc.path, got, tc.csp)
		}
	}
}

// A bad tile template is refused before the registry is opened.
func TestOpen_BadTiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nearby.db")
	_, err := daemon.Open(daemon.Config{Path: path, API: api.Config{AdminToken: "t"}, Console: console.Options{Tiles: "ftp://x/{z}/{x}/{y}"}})
	if err == nil || !strings.Contains(err.Error(), "tiles") {
		t.Fatalf("Open with ftp tiles: %v, want a tiles error", err)
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
		t.Fatalf("the registry file: %v, want none created", statErr)
	}
}
