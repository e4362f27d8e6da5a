package daemon_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby/api"
	"github.com/nearby-dev/nearby/daemon"
	"github.com/nearby-dev/nearby/internal/syncbuf"
	"github.com/nearby-dev/nearby/store"
)

const adminToken = "adm_test"

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a daemon over a temporary file, serving over HTTP, with its
// logs (at debug level) and every response body kept.
type harness struct {
	t       *testing.T
	d       *daemon.Daemon
	path    string
	url     string
	clock   *clock
	logs    *syncBuffer
	answers [][]byte
}

// syncBuffer is a bytes.Buffer the server's goroutines may write while the test reads it.
type syncBuffer = syncbuf.Buffer

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "nearby.db"), logs: &syncBuffer{},
		clock: &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}}
	cfg := api.DefaultConfig()
	cfg.AdminToken, cfg.RateLimit = adminToken, 0
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d, err := daemon.Open(daemon.Config{Path: h.path, API: cfg, Logger: logger, Now: h.clock.now,
		PseudonymKey: bytes.Repeat([]byte{42}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	h.d = d
	if _, err := d.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(d.Server.Handler())
	t.Cleanup(hs.Close)
	h.url = hs.URL
	return h
}

// close stops the daemon (for reading its file).
func (h *harness) close() {
	h.t.Helper()
	if err := h.d.Close(); err != nil {
		h.t.Fatal(err)
	}
}

// do sends a JSON request, checks the status and decodes the answer into
// out (may be nil).
func (h *harness) do(method, path, token, body string, want int, out any) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h.answers = append(h.answers, b)
	if resp.StatusCode != want {
		h.t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatal(err)
		}
	}
}

// tenant is a merchant with a store and a beacon, built over HTTP.
type tenant struct {
	id, key, store, beacon, agent string
	uuid                          string
	major, minor                  int
}

func (h *harness) tenant(name string, lat, lng float64) tenant {
	h.t.Helper()
	var m struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	h.do("POST", "/v1/merchants", adminToken, `{"name":"`+name+`"}`, 201, &m)
	tn := tenant{id: m.ID, key: m.APIKey}
	var st, pg struct {
		ID string `json:"id"`
	}
	h.do("POST", "/v1/stores", tn.key, mustJSON(h.t, map[string]any{"name": name, "lat": lat, "lng": lng, "category": "coffee"}), 201, &st)
	tn.store = st.ID
	h.do("POST", "/v1/programs", tn.key, `{"app_id":"wx-`+name+`","name":"`+name+`","category":"coffee","store_ids":["`+st.ID+`"]}`, 201, &pg)
	var b struct {
		ID         string `json:"id"`
		AgentToken string `json:"agent_token"`
		UUID       string `json:"uuid"`
		Major      int    `json:"major"`
		Minor      int    `json:"minor"`
	}
	h.do("POST", "/v1/beacons", tn.key, `{"store_id":"`+st.ID+`","page":{"program_id":"`+pg.ID+`"}}`, 201, &b)
	tn.beacon, tn.agent, tn.uuid, tn.major, tn.minor = b.ID, b.AgentToken, b.UUID, b.Major, b.Minor
	return tn
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shakeAt shakes the phone at tn's beacon and returns the ticket.
func (h *harness) shakeAt(tn tenant, device string) string {
	h.t.Helper()
	var out struct {
		Ticket string `json:"ticket"`
	}
	h.do("POST", "/v1/shake", "", mustJSON(h.t, map[string]any{"device_id": device,
		"beacons": []any{map[string]any{"uuid": tn.uuid, "major": tn.major, "minor": tn.minor, "rssi": -55}}}), 200, &out)
	return out.Ticket
}

func (h *harness) deviceOf(tn tenant, ticket string) string {
	h.t.Helper()
	var rec struct {
		DeviceID string `json:"device_id"`
	}
	h.do("GET", "/v1/shakes/"+ticket, tn.key, "", 200, &rec)
	return rec.DeviceID
}

// f64s are the encodings of x a file might hold it in.
func f64s(x float64) [][]byte {
	var le, be [8]byte
	binary.LittleEndian.PutUint64(le[:], math.Float64bits(x))
	binary.BigEndian.PutUint64(be[:], math.Float64bits(x))
	return [][]byte{le[:], be[:]}
}

// TestPrivacy_RawDeviceNeverKept: shakes and agent events carry a known
// device id and a phone location; afterwards no byte of the bbolt file,
// of the logs or of any answer holds the id or the coordinates, and the
// two merchants see different pseudonyms for the one phone.
func TestPrivacy_RawDeviceNeverKept(t *testing.T) {
	const device = "RAWDEV-91c3-PHONE"
	const lat, lng = 37.781234, -122.401234 // the phone, not a store
	h := newHarness(t)
	a := h.tenant("alpha", 37.7800, -122.4000)
	b := h.tenant("beta", 37.7900, -122.4100)

	ta, tb := h.shakeAt(a, device), h.shakeAt(b, device)
	var fb struct {
		Ticket   string `json:"ticket"`
		Fallback string `json:"fallback"`
	}
	h.do("POST", "/v1/shake", "", mustJSON(t, map[string]any{"device_id": device, "lat": lat, "lng": lng}), 200, &fb)
	if fb.Fallback != "location" {
		t.Fatalf("shake by location: %+v, want a location fallback", fb)
	}
	at := h.clock.now().Add(-time.Minute).Format(time.RFC3339)
	for _, tn := range []tenant{a, b} {
		events := []any{
			map[string]any{"id": uuid.NewString(), "type": "enter", "at": at, "device_id": device, "rssi": -60, "distance_m": 1.2},
			map[string]any{"id": uuid.NewString(), "type": "dwell", "at": at, "device_id": device, "dwell_ms": 30000},
			map[string]any{"id": uuid.NewString(), "type": "shake", "at": at, "device_id": device},
		}
		h.do("POST", "/v1/agent/events", tn.agent, mustJSON(t, map[string]any{"events": events}), 200, nil)
	}

	pa, pb := h.deviceOf(a, ta), h.deviceOf(b, tb)
	if pa == "" || pb == "" || pa == pb {
		t.Errorf("pseudonyms %q (alpha) and %q (beta): want two different ones", pa, pb)
	}
	if again := h.deviceOf(a, h.shakeAt(a, device)); again != pa {
		t.Errorf("alpha sees %q, then %q for one phone", pa, again)
	}
	h.deviceOf(a, fb.Ticket)
	// Everything a merchant can read about the phone.
	for _, tn := range []tenant{a, b} {
		h.do("GET", "/v1/stats/stores/"+tn.store, tn.key, "", 200, nil)
		h.do("GET", "/v1/stats/beacons/"+tn.beacon, tn.key, "", 200, nil)
		h.do("GET", "/v1/stats/heatmap?min_lat=37&min_lng=-123&max_lat=38&max_lng=-122&res=9", tn.key, "", 200, nil)
		h.do("GET", "/v1/beacons/"+tn.beacon, tn.key, "", 200, nil)
	}
	h.do("GET", "/v1/merchants", adminToken, "", 200, nil)
	h.close()

	file, err := os.ReadFile(h.path)
	if err != nil {
		t.Fatal(err)
	}
	needles := map[string][]byte{
		"device id": []byte(device), "device id (lower case)": []byte(strings.ToLower(device)),
		"latitude": []byte("37.781234"), "longitude": []byte("122.401234"),
	}
	for i, enc := range append(f64s(lat), f64s(lng)...) {
		needles["coordinate as float64 #"+string(rune('0'+i))] = enc
	}
	for what, hay := range map[string][]byte{"the bbolt file": file, "the logs": h.logs.Bytes(), "the answers": bytes.Join(h.answers, []byte("\n"))} {
		if len(hay) == 0 {
			t.Errorf("%s: empty, nothing was scanned", what)
		}
		for name, needle := range needles {
			if i := bytes.Index(hay, needle); i >= 0 {
				t.Errorf("%s holds the %s at byte %d: …%q…", what, name, i, hay[max(0, i-40):min(len(hay), i+40)])
			}
		}
	}
	if !bytes.Contains(file, []byte(pa)) {
		t.Error("the bbolt file does not hold alpha's pseudonym: the scan looked at the wrong file")
	}
}

// TestRetention: with a fake clock, a shake's ticket answers 404 once the
// ticket TTL has passed, and once the retention has passed the record is
// purged and, after compaction, its bytes are gone from the file.
func TestRetention(t *testing.T) {
	h := newHarness(t)
	a := h.tenant("alpha", 37.78, -122.40)
	ticket := h.shakeAt(a, "phone-kept-30-days")
	pseudonym := h.deviceOf(a, ticket)
	h.clock.add(store.DefaultTicketTTL - time.Second)
	h.do("GET", "/v1/shakes/"+ticket, a.key, "", 200, nil)
	h.clock.add(2 * time.Second)
	h.do("GET", "/v1/shakes/"+ticket, a.key, "", 404, nil)

	h.clock.add(store.DefaultShakeRetention)
	if err := h.d.DB.PurgeExpired(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.close()
	compacted := filepath.Join(t.TempDir(), "compacted.db")
	if err := store.Compact(t.Context(), h.path, compacted); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(compacted)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{ticket, pseudonym} {
		if bytes.Contains(file, []byte(gone)) {
			t.Errorf("the compacted file still holds %q", gone)
		}
	}
	if !bytes.Contains(file, []byte("wx-alpha")) {
		t.Error("the compacted file lost the live records too")
	}
}

// TestDedupe_PerBeacon: the same event id from the agents of two
// merchants' beacons is accepted at both; each agent's re-send is its own
// duplicate.
func TestDedupe_PerBeacon(t *testing.T) {
	h := newHarness(t)
	a := h.tenant("alpha", 37.78, -122.40)
	b := h.tenant("beta", 37.79, -122.41)
	id := uuid.NewString()
	body := mustJSON(t, map[string]any{"events": []any{map[string]any{"id": id, "type": "enter",
		"at": h.clock.now().Add(-time.Minute).Format(time.RFC3339), "device_id": "p"}}})
	for _, tc := range []struct {
		name          string
		agent         string
		accepted, dup int
	}{{"alpha", a.agent, 1, 0}, {"beta, same id", b.agent, 1, 0}, {"alpha again", a.agent, 0, 1}, {"beta again", b.agent, 0, 1}} {
		var out struct {
			Accepted   int `json:"accepted"`
			Duplicates int `json:"duplicates"`
		}
		h.do("POST", "/v1/agent/events", tc.agent, body, 200, &out)
		if out.Accepted != tc.accepted || out.Duplicates != tc.dup {
			t.Errorf("%s: accepted %d, duplicates %d; want %d, %d", tc.name, out.Accepted, out.Duplicates, tc.accepted, tc.dup)
		}
	}
}
