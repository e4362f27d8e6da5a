package browsertest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/ble"
	"github.com/nearby-dev/nearby/client"
	"github.com/nearby-dev/nearby/daemon"
)

var screenshots = flag.String("screenshots", "",
	"folder for the console's screenshots (default: nearby-console-screenshots under the temp dir); "+
		"refresh the README's with -screenshots ../../docs/console")

const adminToken = "browser-admin-token"

// chromium finds the browser: $NEARBY_CHROME, else the usual names.
func chromium() string {
	if p := os.Getenv("NEARBY_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// session is one browser tab on one daemon, with the page's console
// errors collected as they come.
type session struct {
	t    *testing.T
	ctx  context.Context
	base string // http://127.0.0.1:port
	http *http.Client
	dir  string // screenshots

	mu     sync.Mutex
	errors []string
}

func newSession(t *testing.T) *session {
	exe := chromium()
	if exe == "" {
		msg := "no Chromium found, so the console's browser tests cannot run: install it " +
			"(Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium) " +
			"or set NEARBY_CHROME to a Chrome or Chromium binary"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: failing instead of skipping)")
		}
		t.Skip(msg)
	}
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser tests: start Chromium and a daemon (~10 s)")
	}

	cfg := api.DefaultConfig()
	cfg.AdminToken = adminToken
	cfg.RateLimit = 0
	d, err := daemon.Open(daemon.Config{Path: filepath.Join(t.TempDir(), "nearby.db"), API: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(d.Handler()) // loopback, port 0
	t.Cleanup(hs.Close)

	dir := *screenshots
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "nearby-console-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "failure.png")) // a past run's
	t.Logf("screenshots in %s", dir)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.WindowSize(1280, 800))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // CI containers run as root
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	s := &session{t: t, ctx: ctx, base: hs.URL, http: hs.Client(), dir: dir}
	messages := chromedp.Console(ctx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The browser logs every 4xx answer of the API as an error;
			// the console shows those to the user (a field's message), so
			// only the rest count: exceptions, console.error, CSP
			// violations, files of the console that failed to load.
			apiAnswer := m.Source == "network" && strings.Contains(m.URL, "/v1/")
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) && !apiAnswer {
				s.mu.Lock()
				s.errors = append(s.errors, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				s.mu.Unlock()
			}
		}
	}()
	return s
}

func (s *session) do(steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.t.Fatalf("browser: %v; page errors: %v", err, s.jsErrors())
	}
}

// eval evaluates a JavaScript expression into out (through JSON).
func (s *session) eval(expr string, out any) {
	s.t.Helper()
	raw, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		s.t.Fatalf("evaluate %s: %v", expr, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("evaluate %s: %v in %s", expr, err, raw)
		}
	}
}

// wait polls a JavaScript condition. It is evaluated over the protocol
// rather than with chromedp.Poll, whose helper builds a Function in the
// page, which the console's CSP rightly forbids.
func (s *session) wait(what, cond string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		s.eval("!!("+cond+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var body string
			s.eval(`document.getElementById("view") ? document.getElementById("view").innerText.slice(0, 800) : ""`, &body)
			s.shot("failure") // to see what the page showed
			var diag string
			s.eval(`location.hash + " markers:" + document.querySelectorAll(".leaflet-marker-icon").length + " " + (document.querySelector(".leaflet-marker-pane")||{}).outerHTML`, &diag)
			s.t.Logf("diag: %s", diag)
			s.t.Fatalf("waiting for %s (%s): timed out; page shows %q; page errors: %v", what, cond, body, s.jsErrors())
		}
		time.Sleep(40 * time.Millisecond)
	}
}

func (s *session) text(expr string) string {
	s.t.Helper()
	var out string
	s.eval(expr, &out)
	return out
}

// open shows a console page and waits until it has rendered.
func (s *session) open(hash string) {
	s.t.Helper()
	var before string
	s.eval(`document.getElementById("view") ? (document.getElementById("view").dataset.ready || "") : ""`, &before)
	s.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash === %[1]q ? window.dispatchEvent(new HashChangeEvent("hashchange")) : (location.hash = %[1]q)`, hash)))
	s.wait("page "+hash, fmt.Sprintf(`document.getElementById("view").dataset.ready && document.getElementById("view").dataset.ready !== %q`, before))
}

// fill sets form fields by their API name.
func (s *session) fill(fields map[string]string) {
	s.t.Helper()
	for name, v := range fields {
		s.do(chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`form [name=%q]`, name)), v))
	}
}

func (s *session) submit() {
	s.t.Helper()
	s.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
}

func (s *session) shot(name string) {
	s.t.Helper()
	time.Sleep(150 * time.Millisecond) // let map tiles and transitions settle
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) jsErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errors...)
}

// api calls the daemon directly, for what the test compares with.
func (s *session) api(method, path, token string, in, out any) int {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// TestConsole walks the console as a merchant would, in one browser, and
// saves a screenshot of each page; then it takes the same pages at a
// phone's size.
func TestConsole(t *testing.T) {
	s := newSession(t)

	// The page's headers: strict CSP, no sniffing, no framing.
	resp, err := s.http.Get(s.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.Request.URL.Path != "/console/" || resp.StatusCode != 200 ||
		!strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		strings.Contains(csp, "unsafe") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("GET / → %s %d, CSP %q, nosniff %q", resp.Request.URL, resp.StatusCode, csp, resp.Header.Get("X-Content-Type-Options"))
	}

	// Sign in as the administrator with the keyboard: type, then Enter.
	s.do(chromedp.Navigate(s.base + "/"))
	s.wait("the sign-in form", `document.activeElement && document.activeElement.name === "token"`)
	s.shot("signin-desktop")
	s.do(chromedp.SendKeys(chromedp.CSS(`input[name=token]`), adminToken+"\r"))
	s.wait("the merchants page", `document.getElementById("view").dataset.page === "merchants"`)
	s.fill(map[string]string{"name": "Browser Coffee"})
	s.submit()
	s.wait("the new key", `document.getElementById("api-key")`)
	key := s.text(`document.getElementById("api-key").value`)
	if !strings.HasPrefix(key, "mk_") {
		t.Fatalf("API key shown %q", key)
	}
	s.shot("merchants-desktop")
	if got := s.text(`sessionStorage.getItem("nearby.token")`); got != adminToken {
		t.Fatalf("session storage holds %q", got)
	}

	// Sign out, then in with the merchant's key: the (empty) map.
	s.do(chromedp.Click(chromedp.ID("signout")))
	s.wait("the sign-in form", `document.querySelector("input[name=token]")`)
	s.fill(map[string]string{"token": key})
	s.submit()
	s.wait("the map", `document.getElementById("view").dataset.page === "map" && document.querySelector(".leaflet-container")`)
	if strings.Contains(s.text(`location.href`), key) {
		t.Fatal("the key is in the URL")
	}

	// A store by the form: first with a bad latitude, whose message comes
	// from the API and shows next to the field.
	s.open("#/stores/new")
	s.fill(map[string]string{"name": "Soho Roastery", "category": "coffee", "lat": "200", "lng": "-0.1365",
		"address": "12 Old Compton St", "timezone": "Europe/London", "hours.mon": "08:00-18:00", "hours.sat": "09:00-13:00, 14:00-17:00"})
	s.submit()
	s.wait("the latitude's error", `document.querySelector('[data-error-for="lat"]').textContent !== ""`)
	if msg := s.text(`document.querySelector('[data-error-for="lat"]').textContent`); !strings.Contains(msg, "90") {
		t.Errorf("latitude error %q, want the API's range message", msg)
	}
	if inv := s.text(`document.querySelector('input[name=lat]').getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Errorf("lat aria-invalid %q", inv)
	}
	s.shot("store-form-desktop")
	s.fill(map[string]string{"lat": "51.5136"})
	s.submit()
	s.wait("the store's marker", `document.querySelector('.leaflet-marker-icon[title="Soho Roastery"]')`)
	s.wait("the store's popup", `document.querySelector(".leaflet-popup-content h3")`)
	if got := s.text(`document.querySelector(".leaflet-popup-content h3").textContent`); got != "Soho Roastery" {
		t.Errorf("popup shows %q", got)
	}

	// A store named like markup shows as text, in the list and on the map.
	const xss = `<img src=x onerror="window.__xss=1">`
	s.open("#/stores/new")
	s.fill(map[string]string{"name": xss, "category": "coffee", "lat": "51.5150", "lng": "-0.1420"})
	s.submit()
	s.wait("the markup store's marker", `[...document.querySelectorAll(".leaflet-marker-icon")].some(m => m.title === `+jsString(xss)+`)`)
	s.open("#/stores")
	s.wait("the list", `document.querySelectorAll("table.list tbody tr[data-id]").length === 2`)
	var names []string
	s.eval(`[...document.querySelectorAll("table.list tbody tr[data-id] td:first-child")].map(td => td.textContent)`, &names)
	if !contains(names, xss) {
		t.Errorf("store names shown %q, want %q as text", names, xss)
	}
	var injected bool
	s.eval(`!!window.__xss || document.querySelectorAll('img[src="x"]').length > 0`, &injected)
	if injected {
		t.Fatal("a store name became markup")
	}
	// The filter box narrows the page.
	s.do(chromedp.SendKeys(chromedp.ID("list-filter"), "roast"))
	s.wait("the filtered list", `document.querySelectorAll("table.list tbody tr[data-id]").length === 1`)
	s.do(chromedp.Evaluate[chromedp.Void](`(f => { f.value = ""; f.dispatchEvent(new Event("input")); })(document.getElementById("list-filter"))`))
	s.wait("the whole list", `document.querySelectorAll("table.list tbody tr[data-id]").length === 2`)
	s.shot("stores-desktop")

	// Import a CSV with one bad row: the progress bar ends full and the
	// failed row is in the table with its number.
	s.open("#/stores/import")
	csvPath, _ := filepath.Abs("testdata/stores.csv")
	s.do(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{csvPath}))
	s.submit()
	s.wait("the import's summary", `document.getElementById("import-summary").textContent !== ""`)
	var imp struct {
		Value, Max float64
		Text, Sum  string
		Failed     [][]string
	}
	s.eval(`(() => { const p = document.getElementById("import-progress"); return {value: p.value, max: p.max,
		text: document.getElementById("import-progress-text").textContent, sum: document.getElementById("import-summary").textContent,
		failed: [...document.querySelectorAll("#import-failed tbody tr")].map(tr => [...tr.cells].map(c => c.textContent))}; })()`, &imp)
	if imp.Value != 3 || imp.Max != 3 || imp.Text != "3 of 3 rows" || imp.Sum != "2 imported, 1 failed." {
		t.Errorf("import progress %v/%v %q, summary %q", imp.Value, imp.Max, imp.Text, imp.Sum)
	}
	if len(imp.Failed) != 1 || imp.Failed[0][0] != "2" || !strings.Contains(imp.Failed[0][1], "lat") {
		t.Errorf("failed rows %q, want row 2 naming lat", imp.Failed)
	}
	s.shot("import-desktop")

	// The same with GeoJSON: the second feature has no name.
	s.open("#/stores/import")
	geoPath, _ := filepath.Abs("testdata/stores.geojson")
	s.do(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{geoPath}))
	s.submit()
	s.wait("the GeoJSON import's summary", `document.getElementById("import-summary").textContent !== ""`)
	s.eval(`(() => { const p = document.getElementById("import-progress"); return {value: p.value, max: p.max,
		text: document.getElementById("import-progress-text").textContent, sum: document.getElementById("import-summary").textContent,
		failed: [...document.querySelectorAll("#import-failed tbody tr")].map(tr => [...tr.cells].map(c => c.textContent))}; })()`, &imp)
	if imp.Value != 2 || imp.Text != "2 of 2 rows" || imp.Sum != "1 imported, 1 failed." ||
		len(imp.Failed) != 1 || imp.Failed[0][0] != "2" || !strings.Contains(imp.Failed[0][1], "name") {
		t.Errorf("GeoJSON import: progress %v %q, summary %q, failed %q", imp.Value, imp.Text, imp.Sum, imp.Failed)
	}

	var stores struct {
		Items []struct{ ID, Name string }
	}
	s.api("GET", "/v1/stores?limit=100", key, nil, &stores)
	ids := map[string]string{}
	for _, st := range stores.Items {
		ids[st.Name] = st.ID
	}
	storeID := ids["Soho Roastery"]

	// Edit a store by its form; delete another from the list (the button
	// asks once more).
	s.open("#/stores/" + storeID + "/edit")
	if got := s.text(`document.querySelector("form [name=name]").value`); got != "Soho Roastery" {
		t.Fatalf("edit form shows name %q", got)
	}
	s.fill(map[string]string{"address": "14 Old Compton St"})
	s.submit()
	s.wait("the map after the edit", `document.getElementById("view").dataset.page === "map"`)
	s.open("#/stores")
	s.wait("the edited address", `[...document.querySelectorAll("table.list td")].some(td => td.textContent === "14 Old Compton St")`)
	del := fmt.Sprintf(`document.querySelector('tr[data-id=%q] button.danger')`, ids["Trafalgar Cart"])
	s.do(chromedp.Evaluate[chromedp.Void](del + `.click()`))
	if got := s.text(del + `.textContent`); got != "Confirm delete" {
		t.Fatalf("delete button after one click: %q", got)
	}
	s.do(chromedp.Evaluate[chromedp.Void](del + `.click()`))
	s.wait("the list without the deleted store", fmt.Sprintf(`!document.querySelector('tr[data-id=%q]') && document.querySelectorAll("table.list tbody tr[data-id]").length === 4`, ids["Trafalgar Cart"]))
	if code := s.api("GET", "/v1/stores/"+ids["Trafalgar Cart"], key, nil, nil); code != 404 {
		t.Errorf("deleted store: GET answers %d", code)
	}

	// A program at the first store, by the form.
	s.open("#/programs/new")
	s.fill(map[string]string{"app_id": "wx-browser", "name": "Loyalty card", "category": "coffee", "description": "Stamps for every cup"})
	s.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelector("select[name=store_ids]").options].forEach(o => o.selected = o.value === %q)`, storeID)))
	s.submit()
	s.wait("the programs list", `document.querySelectorAll("table.list tbody tr[data-id]").length === 1`)
	s.shot("programs-desktop")

	// A beacon by the form: its agent token is shown once.
	s.open("#/beacons/new?store=" + storeID)
	s.fill(map[string]string{"label": "Till", "tx_power": "-59"})
	s.submit()
	s.wait("the agent token", `document.getElementById("agent-token")`)
	token := s.text(`document.getElementById("agent-token").value`)
	if !strings.HasPrefix(token, "at_") {
		t.Fatalf("agent token %q", token)
	}
	var beacons struct {
		Items []struct {
			ID, UUID     string
			Major, Minor int
		}
	}
	s.api("GET", "/v1/beacons", key, nil, &beacons)
	if len(beacons.Items) != 1 {
		t.Fatalf("beacons %+v", beacons)
	}
	bc := beacons.Items[0]

	// Simulated agent days on that beacon (a short day on four of the last
	// six days, busier each time), uploaded through the API.
	var shakesMade int64
	for i, daysAgo := range []int{5, 3, 1, 0} {
		sum := agentDay(t, s.base, token, time.Now().AddDate(0, 0, -daysAgo), uint64(i+1), 6+4*i)
		if sum.Accepted == 0 {
			t.Fatalf("agent day %d: %+v", i, sum)
		}
		shakesMade += sum.ThisRun[nearby.EventShake]
	}

	// The beacon's page shows the heartbeat.
	s.open("#/beacons/" + bc.ID)
	hb := s.text(`document.getElementById("heartbeat").textContent`)
	if !strings.Contains(hb, "browser-test") || !strings.Contains(hb, "healthy") {
		t.Errorf("heartbeat card %q, want version browser-test and healthy", hb)
	}
	s.shot("beacon-desktop")
	s.open("#/beacons")
	s.shot("beacons-desktop")

	// Statistics: the charts plot exactly what the API answers.
	from, to := time.Now().UTC().AddDate(0, 0, -6).Format(time.DateOnly), time.Now().UTC().Format(time.DateOnly)
	for _, kind := range []string{"beacon", "store"} {
		id := bc.ID
		if kind == "store" {
			id = storeID
		}
		s.open(fmt.Sprintf("#/stats?%s=%s&from=%s&to=%s", kind, id, from, to))
		s.wait("the chart", `document.getElementById("chart-counts") && document.getElementById("chart-counts").uplot`)
		// Suppressed figures are null in the API and gaps in the charts.
		var plotted struct{ Counts, Dwell [][]*float64 }
		s.eval(`({counts: document.getElementById("chart-counts").uplot.data, dwell: document.getElementById("chart-dwell").uplot.data})`, &plotted)
		var st struct{ Days []nearby.DayStats }
		if code := s.api("GET", fmt.Sprintf("/v1/stats/%ss/%s?from=%s&to=%s", kind, id, from, to), key, nil, &st); code != 200 {
			t.Fatalf("stats: %d", code)
		}
		want := struct{ Counts, Dwell [][]*float64 }{Counts: make([][]*float64, 5), Dwell: make([][]*float64, 2)}
		f := func(v *int64) *float64 {
			if v == nil {
				return nil
			}
			x := float64(*v)
			return &x
		}
		var shakes int64
		suppressed := false
		for _, d := range st.Days {
			suppressed = suppressed || d.Suppressed
			day, _ := time.Parse(time.DateOnly, d.Date)
			x := float64(day.Unix())
			want.Counts[0] = append(want.Counts[0], &x)
			for i, v := range []*int64{d.ShakePV, d.ShakeUV, d.Visits, d.Visitors} {
				want.Counts[i+1] = append(want.Counts[i+1], f(v))
			}
			want.Dwell[0] = append(want.Dwell[0], &x)
			want.Dwell[1] = append(want.Dwell[1], d.AvgDwellS)
			if d.ShakePV != nil {
				shakes += *d.ShakePV
			}
		}
		// Days with fewer phones than the minimum count are suppressed
		// (null), so the shown days add up to the agent's shakes only when
		// none is.
		if shakes == 0 || shakes > shakesMade || (!suppressed && shakes != shakesMade) {
			t.Errorf("%s: API counts %d shakes (a day suppressed: %v), the agent made %d", kind, shakes, suppressed, shakesMade)
		}
		var note bool
		s.eval(`document.getElementById("suppressed-note") !== null`, &note)
		if note != suppressed {
			t.Errorf("%s: the page's suppression note shown %v, a day suppressed %v", kind, note, suppressed)
		}
		if !reflect.DeepEqual(plotted, want) {
			t.Errorf("%s chart data %v, API %v", kind, plotted, want)
		}
		var rows int
		s.eval(`document.querySelectorAll("#stats-table tbody tr").length`, &rows)
		if rows != len(st.Days) {
			t.Errorf("%s table has %d rows, API %d days", kind, rows, len(st.Days))
		}
		// The CSV download holds the same numbers, one line a day.
		daysJSON, _ := json.Marshal(st.Days)
		csv, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](
			`import("./js/stats.js").then(m => m.toCSV(`+string(daysJSON)+`))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		wantCSV := "date,shake_pv,shake_uv,visits,visitors,avg_dwell_s\n"
		// A suppressed (null) figure is an empty CSV field.
		n := func(v *int64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatInt(*v, 10)
		}
		for _, d := range st.Days {
			dwell := ""
			if d.AvgDwellS != nil {
				dwell = strconv.FormatFloat(*d.AvgDwellS, 'f', -1, 64)
			}
			wantCSV += fmt.Sprintf("%s,%s,%s,%s,%s,%s\n", d.Date, n(d.ShakePV), n(d.ShakeUV), n(d.Visits), n(d.Visitors), dwell)
		}
		if csv != wantCSV {
			t.Errorf("%s CSV:\n%s\nwant:\n%s", kind, csv, wantCSV)
		}
		if kind == "beacon" {
			s.shot("stats-desktop")
		}
	}

	// A shake by a phone, looked up by its ticket.
	var shake struct{ Ticket string }
	if code := s.api("POST", "/v1/shake", "", map[string]any{"device_id": "phone-1",
		"beacons": []map[string]any{{"uuid": bc.UUID, "major": bc.Major, "minor": bc.Minor, "rssi": -60}}}, &shake); code != 200 {
		t.Fatalf("shake: %d", code)
	}
	s.open("#/shakes?ticket=" + shake.Ticket)
	s.wait("the shake record", `document.querySelector("#shake-out dl")`)
	if got := s.text(`document.getElementById("shake-out").textContent`); !strings.Contains(got, shake.Ticket) || !strings.Contains(got, bc.ID) {
		t.Errorf("shake record shows %q, want ticket %s and beacon %s", got, shake.Ticket, bc.ID)
	}
	s.shot("shakes-desktop")

	// The map with the beacon's health and the heatmap of the day's events.
	// The store's popup lists its hours, program and beacon.
	s.open("#/map?store=" + storeID)
	s.wait("the beacon and the heatmap", `document.querySelector(".beacon-ok") && document.querySelector("path.heat-cell")`)
	s.wait("the store's popup", `document.querySelector(".leaflet-popup-content .popup")`)
	if got := s.text(`document.querySelector(".leaflet-popup-content").textContent`); !strings.Contains(got, "08:00–18:00") ||
		!strings.Contains(got, "Loyalty card") || !strings.Contains(got, "Till") || !strings.Contains(got, "Statistics") {
		t.Errorf("store popup %q, want its hours, program, beacon and a statistics link", got)
	}
	s.shot("map-desktop")

	// The same pages on a phone.
	s.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, p := range []struct{ name, hash, ready string }{
		{"map", "#/map", `document.querySelector("path.heat-cell")`},
		{"stores", "#/stores", `document.querySelectorAll("table.list tbody tr[data-id]").length === 4`},
		{"store-form", "#/stores/new", `document.querySelector("form")`},
		{"import", "#/stores/import", `document.querySelector("form")`},
		{"programs", "#/programs", `document.querySelector("table.list tbody tr[data-id]")`},
		{"program-form", "#/programs/new", `document.querySelector("form select[name=store_ids]")`},
		{"beacon-form", "#/beacons/new", `document.querySelector("form select[name=store_id]")`},
		{"beacons", "#/beacons", `document.querySelector("table.list tbody tr[data-id]")`},
		{"beacon", "#/beacons/" + bc.ID, `document.getElementById("heartbeat")`},
		{"stats", fmt.Sprintf("#/stats?beacon=%s&from=%s&to=%s", bc.ID, from, to), `document.getElementById("chart-counts").uplot`},
		{"shakes", "#/shakes?ticket=" + shake.Ticket, `document.querySelector("#shake-out dl")`},
	} {
		s.open(p.hash)
		s.wait(p.name, p.ready)
		var unlabelled []string
		s.eval(`[...document.querySelectorAll("main input, main select, main textarea")]
			.filter(e => e.type !== "hidden" && !e.labels.length && !e.getAttribute("aria-label")).map(e => e.name || e.id || e.outerHTML)`, &unlabelled)
		if len(unlabelled) > 0 {
			t.Errorf("%s: controls without a label: %q", p.name, unlabelled)
		}
		var overflow bool
		s.eval(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow)
		if overflow {
			t.Errorf("%s at 390 px: the page scrolls sideways", p.name)
		}
		s.shot(p.name + "-phone")
	}

	// A file larger than one upload chunk: the progress counts every
	// chunk, a failed row keeps its number in the whole file, and the list
	// pages through the stores.
	s.do(chromedp.EmulateViewport(1280, 800))
	var big strings.Builder
	big.WriteString("name,lat,lng,category\n")
	for i := 1; i <= 620; i++ {
		if i == 555 {
			big.WriteString("No Latitude,,-0.1,coffee\n")
			continue
		}
		fmt.Fprintf(&big, "\"Kiosk %d, Soho\",%.5f,%.5f,coffee\n", i, 51.50+float64(i%25)/1000, -0.15+float64(i/25)/1000)
	}
	bigPath := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(bigPath, []byte(big.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s.open("#/stores/import")
	s.do(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{bigPath}))
	s.submit()
	s.wait("the big import's summary", `document.getElementById("import-summary").textContent !== ""`)
	s.eval(`(() => { const p = document.getElementById("import-progress"); return {value: p.value, max: p.max,
		text: document.getElementById("import-progress-text").textContent, sum: document.getElementById("import-summary").textContent,
		failed: [...document.querySelectorAll("#import-failed tbody tr")].map(tr => [...tr.cells].map(c => c.textContent))}; })()`, &imp)
	if imp.Value != 620 || imp.Text != "620 of 620 rows" || imp.Sum != "619 imported, 1 failed." ||
		len(imp.Failed) != 1 || imp.Failed[0][0] != "555" || !strings.Contains(imp.Failed[0][1], "lat") {
		t.Errorf("big import: progress %v %q, summary %q, failed %q; want row 555 naming lat", imp.Value, imp.Text, imp.Sum, imp.Failed)
	}
	s.open("#/stores")
	s.wait("a full first page", `document.querySelectorAll("table.list tbody tr[data-id]").length === 20`)
	first := s.text(`document.querySelector("table.list tbody tr[data-id]").dataset.id`)
	s.do(chromedp.Click(chromedp.CSS(`.pager button:last-child`)))
	s.wait("the second page", `document.querySelector(".pager .muted").textContent === "Page 2"`)
	second := s.text(`document.querySelector("table.list tbody tr[data-id]").dataset.id`)
	s.do(chromedp.Click(chromedp.CSS(`.pager button:first-child`)))
	s.wait("the first page again", `document.querySelector(".pager .muted").textContent === "Page 1"`)
	if again := s.text(`document.querySelector("table.list tbody tr[data-id]").dataset.id`); first == second || again != first {
		t.Errorf("paging: first row %s, on page 2 %s, back on page 1 %s", first, second, again)
	}
	// Thousands of stores stay usable on the map: they cluster.
	s.open("#/map")
	s.wait("clusters", `document.querySelector(".marker-cluster")`)

	s.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	s.do(chromedp.Click(chromedp.ID("signout")))
	s.wait("the sign-in form", `document.querySelector("input[name=token]")`)
	s.shot("signin-phone")
	s.do(chromedp.EmulateViewport(1280, 800))

	// The CSP is in force in the browser: an inline script is refused and
	// reported, so the check below would see one.
	before := len(s.jsErrors())
	s.do(chromedp.Evaluate[chromedp.Void](`(() => { const sc = document.createElement("script");
		sc.textContent = "window.__inline = 1"; document.body.append(sc); })()`))
	var ran bool
	s.eval(`!!window.__inline`, &ran)
	if ran {
		t.Error("an inline script ran despite the CSP")
	}
	for deadline := time.Now().Add(5 * time.Second); len(s.jsErrors()) == before && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if errs := s.jsErrors(); len(errs) != before+1 || !strings.Contains(errs[before], "Content Security Policy") {
		t.Errorf("after an inline script, page errors %q; want one CSP violation", errs[before:])
	}
	s.mu.Lock()
	s.errors = s.errors[:before]
	s.mu.Unlock()

	if errs := s.jsErrors(); len(errs) > 0 {
		t.Errorf("the console logged %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}

// agentDay runs a beacon agent on a simulated shop floor for a short day
// ending at end, played as fast as it can, against the daemon at base.
func agentDay(t *testing.T, base, token string, end time.Time, seed uint64, phones int) agent.Summary {
	t.Helper()
	dur := 4 * time.Minute
	sim, err := ble.NewSim(ble.SimOptions{Seed: seed, Phones: phones, Duration: dur, Start: end.Add(-dur).Truncate(time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	radio := sim.Radio(ble.Point{})
	sp, err := agent.OpenSpool(filepath.Join(t.TempDir(), "spool"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	a := agent.New(radio, client.New(base, token, nil), sp, &agent.Options{Version: "browser-test", TickEvery: -1,
		HeartbeatEvery: time.Hour, DrainTimeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	go func() {
		<-radio.Done()
		radio.Close()
	}()
	if err := a.Run(ctx); err != nil {
		t.Fatalf("agent: %v", err)
	}
	sum, err := a.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if sum.SpoolDepth != 0 {
		t.Fatalf("agent left %d events unsent: %+v", sum.SpoolDepth, sum)
	}
	return sum
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
