// Package console serves the merchant console: a few static HTML, CSS and
// JavaScript modules embedded in the binary, with the map and chart
// libraries vendored unmodified from npm. The pages call the /v1 API from
// the browser with the merchant's key; this package only serves files and
// the console's settings, under a strict Content-Security-Policy.
package console

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Prefix is where the console is mounted; "/" redirects there.
const Prefix = "/console/"

// DefaultTiles is OpenStreetMap's standard tile layer, and DefaultAttribution
// the credit its tile usage policy asks for.
const (
	DefaultTiles       = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultAttribution = "© OpenStreetMap contributors"
)

//go:embed web
var embedded embed.FS

// Options configure the console.
type Options struct {
	// Tiles is the map's tile URL template ({z}, {x}, {y}, optionally {s});
	// empty shows the map without tiles, for machines offline.
	Tiles string
	// Attribution is the plain-text credit shown for the tiles.
	Attribution string
}

// CheckTiles reports whether t is a usable tile URL template: empty, or an
// http(s) URL with {z}, {x} and {y}.
func CheckTiles(t string) error {
	if t == "" {
		return nil
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a", "{r}", "").Replace(t))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("console: tiles %q must be an http(s) URL template", t)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(t, p) {
			return fmt.Errorf("console: tiles %q lacks %s", t, p)
		}
	}
	return nil
}

// tileSource is the CSP source of the tile host: a {s} subdomain becomes a
// wildcard.
func tileSource(t string) string {
	if t == "" {
		return ""
	}
	scheme, rest, _ := strings.Cut(t, "://")
	host, _, _ := strings.Cut(rest, "/")
	host = strings.ReplaceAll(host, "{s}", "*")
	return scheme + "://" + host
}

// Handler serves the console under Prefix and redirects "/" there.
type Handler struct {
	files    http.Handler
	root     fs.FS
	settings []byte
	csp      string
}

// New returns the console's handler.
func New(opts Options) (*Handler, error) {
	if err := CheckTiles(opts.Tiles); err != nil {
		return nil, err
	}
	root, err := fs.Sub(embedded, "web")
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	settings, err := json.Marshal(struct {
		Tiles       string `json:"tiles"`
		Attribution string `json:"attribution"`
	}{opts.Tiles, opts.Attribution})
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	img := "'self' data:"
	if src := tileSource(opts.Tiles); src != "" {
		img += " " + src
	}
	// No inline script or style element anywhere: scripts and styles come
	// from files only. Libraries set element.style, which CSP allows.
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	return &Handler{files: http.FileServerFS(root), root: root, settings: settings, csp: csp}, nil
}

// CSP is the Content-Security-Policy the console is served with.
func (h *Handler) CSP() string { return h.csp }

// Owns reports whether the console answers the path: "/", "/console" and
// everything under Prefix.
func Owns(p string) bool {
	return p == "/" || p == "/console" || strings.HasPrefix(p, Prefix)
}

var errMethod = errors.New("method not allowed")

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	// Tile servers such as OpenStreetMap's require a Referer; the origin
	// alone is sent to them (no key is ever in a URL).
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, errMethod.Error(), http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if p == "/" || p == "/console" {
		http.Redirect(w, r, Prefix, http.StatusFound)
		return
	}
	rel := strings.TrimPrefix(p, Prefix)
	switch {
	case rel == "settings.json":
		hd.Set("Content-Type", "application/json")
		hd.Set("Cache-Control", "no-store")
		w.Write(h.settings)
		return
	case rel == "" || rel == "index.html":
		rel = "index.html"
		hd.Set("Cache-Control", "no-cache")
	case strings.HasSuffix(rel, "/") || path.Clean("/"+rel) != "/"+rel:
		http.NotFound(w, r) // no directory listings, no dot segments
		return
	default:
		hd.Set("Cache-Control", "no-cache")
	}
	if _, err := fs.Stat(h.root, rel); err != nil {
		http.NotFound(w, r)
		return
	}
	if rel == "index.html" {
		// FileServer would redirect /index.html to ./; serve it directly.
		http.ServeFileFS(w, r, h.root, rel)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + rel
	h.files.ServeHTTP(w, r2)
}
