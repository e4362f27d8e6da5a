package discovery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/store"
	"github.com/nearby-dev/nearby/webhook"
)

// receiver is a merchant's endpoint: it verifies every delivery and keeps
// them; status decides its answers (nil: 200).
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	secret []byte
	got    []delivery
	status func(n int) int
	srv    *httptest.Server
}

type delivery struct {
	id, typ string
	at      time.Time
	data    map[string]any
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{t: t, status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhook.Verify(r.secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
		r.t.Errorf("delivery %s: %v", req.Header.Get(webhook.HeaderID), err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var p struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		r.t.Errorf("delivery body %s: %v", body, err)
	}
	r.got = append(r.got, delivery{id: req.Header.Get(webhook.HeaderID), typ: p.Type, at: time.Now(), data: p.Data})
	if r.status != nil {
		if s := r.status(len(r.got)); s != 200 {
			w.WriteHeader(s)
		}
	}
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hookNode is a service on a real clock over the bbolt file at path.
type hookNode struct {
	svc    *discovery.Service
	db     *store.DB
	beacon *nearby.Beacon
	stop   func()
}

func openHookNode(t *testing.T, path string, o *discovery.WebhookOptions) *hookNode {
	t.Helper()
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := geo.New()
	svc, err := discovery.New(db, catalog.New(ix, nil), ix, &discovery.Options{Webhooks: o,
		Alerts: &discovery.AlertRules{SweepEvery: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := &hookNode{svc: svc, db: db}
	n.stop = func() { db.Close() }
	t.Cleanup(func() { n.stop() })
	return n
}

// run starts the node's background work; stop ends it and closes the db.
func (n *hookNode) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); n.svc.Run(ctx) }()
	n.stop = func() { cancel(); <-done; n.db.Close() }
}

func (n *hookNode) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	m := &nearby.Merchant{Name: "Acme", APIKeyHash: []byte("h")}
	if err := n.svc.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	st := &nearby.Store{MerchantID: m.ID, Name: "A", Lat: 51.5, Lng: -0.12, Category: "coffee"}
	if err := n.svc.CreateStore(ctx, st); err != nil {
		t.Fatal(err)
	}
	n.beacon = &nearby.Beacon{MerchantID: m.ID, StoreID: st.ID, Status: nearby.BeaconActive}
	if err := n.svc.CreateBeacon(ctx, n.beacon); err != nil {
		t.Fatal(err)
	}
}

func (n *hookNode) hook(t *testing.T, r *receiver, events ...string) *nearby.Webhook {
	t.Helper()
	w := &nearby.Webhook{MerchantID: n.beacon.MerchantID, URL: r.srv.URL, Events: events}
	if err := n.svc.CreateWebhook(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.secret = w.Secret
	r.mu.Unlock()
	return w
}

func (n *hookNode) events(t *testing.T, typ nearby.EventType, k int) {
	t.Helper()
	evs := make([]nearby.Event, k)
	for i := range evs {
		evs[i] = nearby.Event{ID: uuid.NewString(), Type: typ, At: time.Now().UTC(), DeviceID: fmt.Sprint("d", i)}
	}
	if _, _, err := n.svc.RecordEvents(context.Background(), n.beacon, evs); err != nil {
		t.Fatal(err)
	}
}

func TestWebhooks_Deliver(t *testing.T) {
	n := openHookNode(t, filepath.Join(t.TempDir(), "nearby.db"), nil)
	n.seed(t)
	r := newReceiver(t, nil)
	n.hook(t, r, nearby.StreamEnter, nearby.StreamShake)
	n.run()
	n.events(t, nearby.EventEnter, 2)
	n.events(t, nearby.EventExit, 3) // not subscribed
	if _, err := n.svc.Shake(context.Background(), discovery.ShakeRequest{DeviceID: "p",
		Seen: []catalog.Sighting{{Identity: n.beacon.Identity}}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "3 deliveries", 5*time.Second, func() bool { return len(r.deliveries()) >= 3 })
	got := r.deliveries()
	if len(got) != 3 || got[0].typ != "enter" || got[1].typ != "enter" || got[2].typ != "shake" {
		t.Fatalf("deliveries %+v, want enter, enter, shake", got)
	}
	if got[2].data["presence"] != "unverified" || got[2].data["beacon_id"] != nearby.FormatID(nearby.KindBeacon, n.beacon.ID) {
		t.Errorf("shake data %v", got[2].data)
	}
	ids := map[string]bool{}
	for _, d := range got {
		ids[d.id] = true
	}
	if len(ids) != 3 {
		t.Errorf("webhook-ids %v, want three distinct", ids)
	}
}

func TestWebhooks_RetriesWithGrowingDelays(t *testing.T) {
	n := openHookNode(t, filepath.Join(t.TempDir(), "nearby.db"), &discovery.WebhookOptions{BaseDelay: 40 * time.Millisecond})
	n.seed(t)
	r := newReceiver(t, func(k int) int {
		if k <= 4 {
			return 500
		}
		return 200
	})
	n.hook(t, r, nearby.StreamEnter)
	n.run()
	n.events(t, nearby.EventEnter, 1)
	waitUntil(t, "the fifth attempt", 10*time.Second, func() bool { return len(r.deliveries()) >= 5 })
	got := r.deliveries()
	for i := 1; i < len(got); i++ {
		if got[i].id != got[0].id {
			t.Fatalf("attempt %d has webhook-id %s, want the retried %s", i, got[i].id, got[0].id)
		}
	}
	gaps := make([]time.Duration, 0, 4)
	for i := 1; i < 5; i++ {
		gaps = append(gaps, got[i].at.Sub(got[i-1].at))
	}
	for i := 1; i < len(gaps); i++ {
		if gaps[i] < gaps[i-1]*9/10 { // equal jitter: each wait at least the previous one's most
			t.Errorf("retry gaps %v do not grow", gaps)
		}
	}
	if gaps[len(gaps)-1] < 3*gaps[0] {
		t.Errorf("retry gaps %v: the fourth should be several times the first", gaps)
	}
	time.Sleep(100 * time.Millisecond)
	if k := len(r.deliveries()); k != 5 {
		t.Errorf("%d attempts after the success, want 5 (no more)", k)
	}
}

func TestWebhooks_GiveUp(t *testing.T) {
	n := openHookNode(t, filepath.Join(t.TempDir(), "nearby.db"), &discovery.WebhookOptions{BaseDelay: 10 * time.Millisecond, GiveUpAfter: 100 * time.Millisecond})
	n.seed(t)
	r := newReceiver(t, func(int) int { return 503 })
	w := n.hook(t, r, nearby.StreamEnter)
	n.run()
	n.events(t, nearby.EventEnter, 1)
	ctx := context.Background()
	waitUntil(t, "the endpoint disabled", 10*time.Second, func() bool {
		hs, _ := n.svc.ListWebhooks(ctx, w.MerchantID)
		return len(hs) == 1 && hs[0].Disabled
	})
	as, _ := n.svc.ListAlerts(ctx, w.MerchantID, 0, 0, nearby.AlertFilter{Kind: nearby.AlertWebhook, State: nearby.AlertOpen})
	if len(as) != 1 {
		t.Fatalf("webhook alerts %+v, want one", as)
	}
	k := len(r.deliveries())
	time.Sleep(100 * time.Millisecond)
	if len(r.deliveries()) != k {
		t.Error("a disabled endpoint is still tried")
	}
}

// TestWebhooks_SurviveRestart: events committed while no deliverer runs
// (the process died between commit and delivery) are delivered by the next
// process, from the durable stream.
func TestWebhooks_SurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nearby.db")
	n := openHookNode(t, path, nil)
	n.seed(t)
	r := newReceiver(t, nil)
	n.hook(t, r, nearby.StreamEnter)
	n.events(t, nearby.EventEnter, 3) // committed, never delivered
	beacon := n.beacon
	n.stop()
	n.stop = func() {}

	again := openHookNode(t, path, nil)
	again.beacon = beacon
	again.run()
	waitUntil(t, "the 3 events after the restart", 5*time.Second, func() bool { return len(r.deliveries()) >= 3 })
	if got := r.deliveries(); len(got) != 3 {
		t.Errorf("deliveries %+v", got)
	}
}

// TestWebhooks_SlowEndpointIsolated: an endpoint that never answers
// delays neither another endpoint nor ingest.
func TestWebhooks_SlowEndpointIsolated(t *testing.T) {
	n := openHookNode(t, filepath.Join(t.TempDir(), "nearby.db"), &discovery.WebhookOptions{Sender: &webhook.Sender{Timeout: 30 * time.Second}})
	n.seed(t)
	ingest := func(batches int) time.Duration {
		start := time.Now()
		for range batches {
			n.events(t, nearby.EventEnter, 10)
		}
		return time.Since(start)
	}
	n.run()
	base := ingest(20) // no endpoint yet

	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer slow.Close()
	defer close(hang)
	if err := n.svc.CreateWebhook(context.Background(), &nearby.Webhook{MerchantID: n.beacon.MerchantID, URL: slow.URL, Events: []string{nearby.StreamEnter}}); err != nil {
		t.Fatal(err)
	}
	fast := newReceiver(t, nil)
	n.hook(t, fast, nearby.StreamEnter)
	with := ingest(20)
	waitUntil(t, "the fast endpoint's 200 deliveries", 20*time.Second, func() bool { return len(fast.deliveries()) >= 200 })
	t.Logf("ingest of 200 events: %v without endpoints, %v with a hanging one (%.0f vs %.0f events/s)",
		base, with, 200/base.Seconds(), 200/with.Seconds())
	if with > 3*base+200*time.Millisecond {
		t.Errorf("ingest took %v with a hanging endpoint, %v without", with, base)
	}
}
