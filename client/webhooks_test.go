package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
	"github.com/nearby-dev/nearby/webhook"
)

// fleetOf creates a merchant with a store and a beacon and returns the
// merchant's and the agent's clients.
func fleetOf(t *testing.T, srv *testServer) (merchant, agent *client.Client) {
	t.Helper()
	ctx := t.Context()
	admin := client.New(srv.URL, srv.Admin, nil)
	m, err := admin.CreateMerchant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	merchant = admin.WithToken(m.APIKey)
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "Soho", Lat: 51.5, Lng: -0.13, Category: "coffee"})
	if err != nil {
		t.Fatal(err)
	}
	bc, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID})
	if err != nil {
		t.Fatal(err)
	}
	return merchant, admin.WithToken(bc.AgentToken)
}

func enters(t *testing.T, agent *client.Client, n int) {
	t.Helper()
	evs := make([]nearby.Event, n)
	for i := range evs {
		evs[i] = nearby.Event{ID: uuid.NewString(), Type: nearby.EventEnter, At: time.Now().UTC(), DeviceID: "d" + strconv.Itoa(i)}
	}
	if _, _, err := agent.PostEvents(t.Context(), evs); err != nil {
		t.Fatal(err)
	}
}

// TestWebhooks_ReceiverVerifies: a merchant's receiver verifies the
// signature of every delivery with the secret shown at registration.
func TestWebhooks_ReceiverVerifies(t *testing.T) {
	srv := startServer(t)
	merchant, agent := fleetOf(t, srv)
	var mu sync.Mutex
	var secret []byte
	got := map[string]string{} // webhook-id -> type
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := webhook.Verify(secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("delivery: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p struct{ Type string }
		json.Unmarshal(body, &p)
		got[r.Header.Get(webhook.HeaderID)] = p.Type
	}))
	defer rcv.Close()
	mu.Lock()
	hook, err := merchant.CreateWebhook(t.Context(), rcv.URL, []string{"enter"})
	if err == nil {
		secret, err = webhook.ParseSecret(hook.Secret)
	}
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	enters(t, agent, 3)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries after 10 s, want 3", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if tr, err := merchant.TestWebhook(t.Context(), hook.ID, "ping"); err != nil || !tr.Delivered {
		t.Errorf("TestWebhook: %+v, %v", tr, err)
	}
}

// TestEvents_ResumeLosesNothing reads the stream live, breaks off, and
// resumes with the last event's id: every event arrives exactly once.
func TestEvents_ResumeLosesNothing(t *testing.T) {
	srv := startServer(t)
	merchant, agent := fleetOf(t, srv)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	first := make(chan client.StreamEvent, 100)
	go func() {
		defer close(first)
		n := 0
		for ev, err := range merchant.Events(ctx, client.StreamOptions{LastEventID: "0"}) {
			if err != nil {
				return
			}
			first <- ev
			if n++; n == 4 {
				return // the client goes away after four
			}
		}
	}()
	enters(t, agent, 4)
	var seen []client.StreamEvent
	for ev := range first {
		seen = append(seen, ev)
	}
	if len(seen) != 4 {
		t.Fatalf("live: %d events, want 4", len(seen))
	}
	enters(t, agent, 5) // while nobody listens
	for ev, err := range merchant.Events(ctx, client.StreamOptions{LastEventID: seen[3].ID, NoFollow: true}) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ev)
	}
	ids := map[string]bool{}
	devices := map[string]int{}
	for _, ev := range seen {
		if ids[ev.ID] || ev.Type != "enter" {
			t.Errorf("event %s (%s) twice or of the wrong type", ev.ID, ev.Type)
		}
		ids[ev.ID] = true
		var d struct {
			DeviceID string `json:"device_id"`
		}
		json.Unmarshal(ev.Data, &d)
		devices[d.DeviceID]++
	}
	if len(seen) != 9 {
		t.Errorf("%d events in all, want 9", len(seen))
	}
	if _, err := strconv.ParseUint(seen[8].ID, 10, 64); err != nil {
		t.Errorf("event id %q", seen[8].ID)
	}
}
