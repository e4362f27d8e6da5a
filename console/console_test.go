package console

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type manifest struct {
	Packages []struct {
		Name        string `json:"name"`
		Version     string `json:"version"`
		License     string `json:"license"`
		LicenseFile string `json:"license_file"`
		Integrity   string `json:"integrity"`
		Files       []struct {
			Path        string `json:"path"`
			PackagePath string `json:"package_path"`
			SHA256      string `json:"sha256"`
		} `json:"files"`
	} `json:"packages"`
}

// TestVendorManifest checks that the vendor folder holds exactly the files
// of its manifest, each with the recorded sha256 (so a library cannot be
// edited in place or swapped unnoticed), under a folder named after its
// package and version, with its licence file.
func TestVendorManifest(t *testing.T) {
	web, _ := fs.Sub(embedded, "web")
	b, err := fs.ReadFile(web, "vendor/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	names := []string{}
	for _, p := range m.Packages {
		names = append(names, p.Name+"@"+p.Version)
		dir := p.Name + "-" + p.Version + "/"
		if p.License == "" || !strings.HasPrefix(p.Integrity, "sha512-") {
			t.Errorf("%s: licence %q, integrity %q: want both", p.Name, p.License, p.Integrity)
		}
		hasLicence := false
		for _, f := range p.Files {
			if !strings.HasPrefix(f.Path, dir) {
				t.Errorf("%s: file %s outside %s", p.Name, f.Path, dir)
			}
			if _, dup := want[f.Path]; dup {
				t.Errorf("%s listed twice", f.Path)
			}
			want[f.Path] = f.SHA256
			hasLicence = hasLicence || f.Path == p.LicenseFile
		}
		if !hasLicence {
			t.Errorf("%s: licence file %q is not among its files", p.Name, p.LicenseFile)
		}
	}
	if w := []string{"leaflet@1.9.4", "leaflet.markercluster@1.5.3", "uplot@1.6.32"}; !slices.Equal(names, w) {
		t.Errorf("packages %v, want %v", names, w)
	}
	seen := 0
	err = fs.WalkDir(web, "vendor", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "vendor/manifest.json" {
			return err
		}
		rel := strings.TrimPrefix(path, "vendor/")
		sum, ok := want[rel]
		if !ok {
			t.Errorf("%s is not in the manifest", rel)
			return nil
		}
		seen++
		data, err := fs.ReadFile(web, path)
		if err != nil {
			return err
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: sha256 %x, manifest says %s", rel, h, sum)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("%d files in vendor, manifest lists %d", seen, len(want))
	}
}

func serve(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

// TestHandler serves each kind of path and checks the status, the type and
// the security headers, which every answer carries (errors too).
func TestHandler(t *testing.T) {
	h, err := New(Options{Tiles: DefaultTiles, Attribution: DefaultAttribution})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		status       int
		ctype        string // prefix
		location     string
		body         string // substring
	}{
		{"GET", "/", 302, "", "/console/", ""},
		{"GET", "/console", 302, "", "/console/", ""},
		{"GET", "/console/", 200, "text/html", "", `<script type="module" src="js/app.js">`},
		{"HEAD", "/console/", 200, "text/html", "", ""},
		{"GET", "/console/js/app.js", 200, "text/javascript", "", "import"},
		{"GET", "/console/css/console.css", 200, "text/css", "", ""},
		{"GET", "/console/vendor/leaflet-1.9.4/leaflet.js", 200, "text/javascript", "", "Leaflet"},
		{"GET", "/console/vendor/leaflet-1.9.4/images/marker-icon.png", 200, "image/png", "", ""},
		{"GET", "/console/settings.json", 200, "application/json", "", `"tiles":"https://tile.openstreetmap.org/{z}/{x}/{y}.png"`},
		{"GET", "/console/nothing.js", 404, "text/plain", "", ""},
		{"GET", "/console/js/", 404, "text/plain", "", ""},
		{"GET", "/console/js/../index.html", 404, "text/plain", "", ""},
		{"POST", "/console/", 405, "text/plain", "", ""},
		{"DELETE", "/", 405, "text/plain", "", ""},
	} {
		w := serve(t, h, tc.method, tc.path)
		name := tc.method + " " + tc.path
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", name, w.Code, tc.status)
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %q", name, ct, tc.ctype)
		}
		if loc := w.Header().Get("Location"); loc != tc.location {
			t.Errorf("%s: Location %q, want %q", name, loc, tc.location)
		}
		if !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("%s: body lacks %q", name, tc.body)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Content-Security-Policy": h.CSP(), "Referrer-Policy": "strict-origin-when-cross-origin"} {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", name, k, got, v)
			}
		}
	}
}

// directives parses a CSP into its directives.
func directives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// TestCSP checks the policy: scripts and styles from the console only (no
// inline code, no eval), no framing, and images from the tile host alone.
func TestCSP(t *testing.T) {
	for _, tc := range []struct {
		tiles string
		img   []string
	}{
		{"", []string{"'self'", "data:"}},
		{DefaultTiles, []string{"'self'", "data:", "https://tile.openstreetmap.org"}},
		{"https://{s}.tile.example.com/a/{z}/{x}/{y}.png?key=1", []string{"'self'", "data:", "https://*.tile.example.com"}},
		{"http://localhost:8081/{z}/{x}/{y}.png", []string{"'self'", "data:", "http://localhost:8081"}},
	} {
		h, err := New(Options{Tiles: tc.tiles})
		if err != nil {
			t.Fatal(err)
		}
		d := directives(h.CSP())
		for k, v := range map[string][]string{
			"default-src": {"'none'"}, "script-src": {"'self'"}, "style-src": {"'self'"}, "connect-src": {"'self'"},
			"frame-ancestors": {"'none'"}, "base-uri": {"'none'"}, "img-src": tc.img,
		} {
			if !slices.Equal(d[k], v) {
				t.Errorf("tiles %q: %s %v, want %v", tc.tiles, k, d[k], v)
			}
		}
	}
}

func TestCheckTiles(t *testing.T) {
	for _, tc := range []struct {
		tiles string
		ok    bool
	}{
		{"", true},
		{DefaultTiles, true},
		{"https://{s}.tile.example.com/{z}/{x}/{y}{r}.png", true},
		{"ftp://example.com/{z}/{x}/{y}.png", false},
		{"https://example.com/{z}/{x}.png", false},
		{"/tiles/{z}/{x}/{y}.png", false},
		{"https:///{z}/{x}/{y}", false},
		{"javascript:alert(1)//{z}{x}{y}", false},
	} {
		if err := CheckTiles(tc.tiles); (err == nil) != tc.ok {
			t.Errorf("CheckTiles(%q) = %v, want ok %v", tc.tiles, err, tc.ok)
		}
		if _, err := New(Options{Tiles: tc.tiles}); (err == nil) != tc.ok {
			t.Errorf("New(tiles %q) = %v, want ok %v", tc.tiles, err, tc.ok)
		}
	}
}

// TestPagesHaveNoInlineCode checks the console's own files: HTML with no
// inline script, handler or style attribute (the CSP would block them),
// and JavaScript that never builds markup from strings, so that every
// dynamic text reaches the page as text.
func TestPagesHaveNoInlineCode(t *testing.T) {
	web, _ := fs.Sub(embedded, "web")
	inlineScript := regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>\s*[^<\s]`)
	scriptTag := regexp.MustCompile(`(?i)<script\b[^>]*>`)
	handlerAttr := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleAttr := regexp.MustCompile(`(?i)<style|\sstyle\s*=`)
	markup := regexp.MustCompile(`\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	n := 0
	err := fs.WalkDir(web, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "vendor/") {
			return err
		}
		b, err := fs.ReadFile(web, path)
		if err != nil {
			return err
		}
		s := string(b)
		switch {
		case strings.HasSuffix(path, ".html"):
			n++
			for _, tag := range scriptTag.FindAllString(s, -1) {
				if !strings.Contains(tag, " src=") {
					t.Errorf("%s: script without src: %s", path, tag)
				}
			}
			for what, re := range map[string]*regexp.Regexp{"inline script": inlineScript,
				"event handler attribute": handlerAttr, "style attribute or element": styleAttr} {
				if loc := re.FindStringIndex(s); loc != nil {
					t.Errorf("%s: %s at %q", path, what, s[loc[0]:min(len(s), loc[1]+20)])
				}
			}
		case strings.HasSuffix(path, ".js"):
			n++
			if loc := markup.FindStringIndex(s); loc != nil {
				t.Errorf("%s: builds markup from a string at %q", path, s[loc[0]:loc[1]])
			}
			if strings.Contains(s, "javascript:") {
				t.Errorf("%s: a javascript: URL", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("checked %d files, want the console's HTML and modules", n)
	}
}
