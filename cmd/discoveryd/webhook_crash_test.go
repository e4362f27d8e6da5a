package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby/webhook"
)

// startCrashChild starts a discoveryd child over dir (see TestCrashChild)
// and returns it with a client of it.
func startCrashChild(t *testing.T, dir string) (*exec.Cmd, call) {
	t.Helper()
	os.Remove(filepath.Join(dir, "addr"))
	child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	child.Env = append(os.Environ(), crashDirEnv+"="+dir)
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(dir, "addr")); err == nil && len(b) > 0 {
			return child, call{tb: t, base: "http://" + string(b)}
		}
		if time.Now().After(deadline) {
			t.Fatal("child did not start within 60 s")
		}
	}
}

// TestWebhooks_SIGKILLBetweenCommitAndDelivery: events committed while
// their deliveries hang are delivered after discoveryd is SIGKILLed and
// restarted, at least once each, and duplicates share their webhook-id.
func TestWebhooks_SIGKILLBetweenCommitAndDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs discoveryd twice in child processes")
	}
	var (
		mu      sync.Mutex
		secret  []byte
		hang    = true
		byID    = map[string]int{} // webhook-id -> deliveries accepted
		arrived = make(chan struct{}, 100)
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		h, key := hang, secret
		mu.Unlock()
		arrived <- struct{}{}
		if h {
			<-r.Context().Done() // in flight when discoveryd dies
			return
		}
		if err := webhook.Verify(key, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("delivery: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		byID[r.Header.Get(webhook.HeaderID)]++
		mu.Unlock()
	}))
	defer rcv.Close()

	dir := t.TempDir()
	child, c := startCrashChild(t, dir)
	_, key := newMerchant(c, "Webhook Crash")
	storeID := c.must(201, "POST", "/v1/stores", key, map[string]any{"name": "s", "lat": 1, "lng": 1, "category": "x"}).Str(t, "id")
	agent := c.must(201, "POST", "/v1/beacons", key, map[string]any{"store_id": storeID}).Str(t, "agent_token")
	hook := c.must(201, "POST", "/v1/webhooks", key, map[string]any{"url": rcv.URL, "events": []string{"enter"}})
	k, err := webhook.ParseSecret(hook.Str(t, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = k
	mu.Unlock()
	const n = 5
	at := time.Now().UTC().Format(time.RFC3339)
	for i := range n {
		c.must(200, "POST", "/v1/agent/events", agent, fmt.Sprintf(`{"events":[{"id":%q,"type":"enter","at":%q,"device_id":"d%d"}]}`, uuid.NewString(), at, i))
	}
	select { // the first delivery is in flight: committed, not delivered
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery attempt within 30 s")
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	child.Wait()
	mu.Lock()
	hang = false
	mu.Unlock()

	startCrashChild(t, dir)
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		got := len(byID)
		mu.Unlock()
		if got == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events delivered after the restart", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, k := range byID {
		if k < 1 {
			t.Errorf("%s delivered %d times", id, k)
		}
	}
}
