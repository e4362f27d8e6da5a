package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

// crashDirEnv makes TestCrashChild run a server instead of skipping.
const crashDirEnv = "DISCOVERYD_CRASH_CHILD_DIR"

// TestCrashChild is the child process of TestMain_CrashSIGKILL: it serves
// on a random port, writes the address to <dir>/addr, and runs until it is
// killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestMain_CrashSIGKILL")
	}
	m := NewMain()
	m.Config.Listen, m.Config.DataDir, m.Config.AdminToken, m.Config.LogLevel = "127.0.0.1:0", dir, testAdminToken, "error"
	m.Config.RateLimit = 0
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-m.Loaded()
	if err := writeFileAtomic(filepath.Join(dir, "addr"), []byte(m.Addr()), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Minute) // the parent kills us long before
	t.Fatal("child was not killed")
}

// TestMain_CrashSIGKILL kills discoveryd with SIGKILL while clients write,
// then checks that every write answered 2xx is in the database and that
// bbolt's consistency check passes.
func TestMain_CrashSIGKILL(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	child.Env = append(os.Environ(), crashDirEnv+"="+dir)
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
		}
	}()
	var addr []byte
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(dir, "addr")); err == nil {
			addr = b
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child did not start within 60 s")
		}
	}
	c := call{tb: t, base: "http://" + string(addr)}
	_, key := newMerchant(c, "Crash Test")
	storeID := c.must(201, "POST", "/v1/stores", key, map[string]any{"name": "base", "lat": 1, "lng": 1, "category": "x"}).Str(t, "id")
	agent := c.must(201, "POST", "/v1/beacons", key, map[string]any{"store_id": storeID}).Str(t, "agent_token")

	// Writers record what the server acknowledged. A request cut by the
	// kill is simply not acknowledged.
	var (
		mu        sync.Mutex
		acked     = map[string]string{} // store id -> name
		ackedEvts []string
		wg        sync.WaitGroup
		stop      = make(chan struct{})
	)
	hc := &http.Client{Timeout: 5 * time.Second}
	post := func(path, token, body string) (int, []byte) {
		req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			return 0, nil
		}
		defer res.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := res.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return res.StatusCode, []byte(b.String())
	}
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-%d", w, i)
				st, body := post("/v1/stores", key, fmt.Sprintf(`{"name":%q,"lat":%g,"lng":2,"category":"x"}`, name, float64(i%80)))
				var created struct{ ID string }
				if st == 201 && json.Unmarshal(body, &created) == nil {
					mu.Lock()
					acked[created.ID] = name
					mu.Unlock()
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			ids := []string{uuid.NewString(), uuid.NewString()}
			body := fmt.Sprintf(`{"events":[{"id":%q,"type":"exit","at":%q},{"id":%q,"type":"exit","at":%q}]}`,
				ids[0], time.Now().UTC().Format(time.RFC3339Nano), ids[1], time.Now().UTC().Format(time.RFC3339Nano))
			if st, _ := post("/v1/agent/events", agent, body); st == 200 {
				mu.Lock()
				ackedEvts = append(ackedEvts, ids...)
				mu.Unlock()
			}
		}
	}()
	// Let the writers run, then kill -9 mid-stream.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 150 {
			break
		}
	}
	if err := child.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	killed = true
	child.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 || len(ackedEvts) == 0 {
		t.Fatalf("acknowledged %d stores and %d events before the kill; want some of each", len(acked), len(ackedEvts))
	}
	t.Logf("killed after %d acknowledged stores and %d events", len(acked), len(ackedEvts))

	// The database file as the kill left it.
	db, err := store.Open(filepath.Join(dir, DBFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Check(context.Background()); err != nil {
		t.Errorf("bbolt check after SIGKILL: %v", err)
	}
	for id, name := range acked {
		n, err := nearby.ParseID(nearby.KindStore, "id", id)
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.GetStore(context.Background(), 0, n)
		if err != nil {
			t.Errorf("acknowledged store %s: %v", id, err)
		} else if s.Name != name {
			t.Errorf("store %s name = %q, want %q", id, s.Name, name)
		}
	}
	db.Close()

	// A restarted server has them all in its index, and knows every
	// acknowledged event (re-sending is a duplicate).
	m := MustRunMain(t, dir)
	if got := m.Index.Len(); got < len(acked)+1 {
		t.Errorf("index after restart has %d stores, want at least %d", got, len(acked)+1)
	}
	c = clientOf(t, m)
	for i := 0; i < len(ackedEvts); i += 500 {
		batch := ackedEvts[i:min(i+500, len(ackedEvts))]
		var evs []string
		for _, id := range batch {
			evs = append(evs, fmt.Sprintf(`{"id":%q,"type":"exit","at":%q}`, id, time.Now().UTC().Format(time.RFC3339)))
		}
		r := c.must(200, "POST", "/v1/agent/events", agent, `{"events":[`+strings.Join(evs, ",")+`]}`).JSON(t)
		if r["duplicates"] != float64(len(batch)) {
			t.Errorf("re-sent %d acknowledged events: %v, want all duplicates", len(batch), r)
		}
	}
}
