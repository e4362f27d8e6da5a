package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/store"
)

// TestMain_CloseDrains: Close waits for a request in flight (a slow
// import) to finish and answer, then closes the database.
func TestMain_CloseDrains(t *testing.T) {
	m := MustRunMain(t, t.TempDir())
	_, key := newMerchant(clientOf(t, m), "Drain")
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+m.Addr()+"/v1/stores/import?format=csv", pr)
	req.Header.Set("Authorization", "Bearer "+key)
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- result{status: res.StatusCode, body: string(b)}
	}()
	fmt.Fprintln(pw, "name,lat,lng,category")
	fmt.Fprintln(pw, "first,1,1,shop")
	time.Sleep(300 * time.Millisecond) // the handler is now reading the body
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a request was in flight", err)
	default:
	}
	fmt.Fprintln(pw, "second,2,2,shop")
	pw.Close()
	r := <-done
	if r.err != nil || r.status != 200 || !strings.Contains(r.body, `"imported":2`) {
		t.Errorf("in-flight import = %d %q (%v), want 200 with 2 imported", r.status, r.body, r.err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	// The database is closed: another process could open it now.
	db, err := store.Open(filepath.Join(m.Config.DataDir, DBFile), &store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	db.Close()
}

// sigtermChildEnv makes TestSigtermChild run the real main().
const sigtermChildEnv = "DISCOVERYD_SIGTERM_CHILD_DIR"

// TestSigtermChild is the child of TestMain_SIGTERM: the real main() with
// no flags but the data dir and a random port.
func TestSigtermChild(t *testing.T) {
	dir := os.Getenv(sigtermChildEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestMain_SIGTERM")
	}
	os.Args = []string{"discoveryd", "--listen", "127.0.0.1:0", "--data-dir", dir}
	main()
}

// TestMain_SIGTERM runs the real binary's main, reads the start-up banner,
// sends SIGTERM and expects a clean exit that releases the database.
func TestMain_SIGTERM(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestSigtermChild$", "-test.count=1")
	child.Env = append(os.Environ(), sigtermChildEnv+"="+dir)
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = io.Discard
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var banner []string
	addr := ""
	for len(banner) < 3 && sc.Scan() {
		line := sc.Text()
		banner = append(banner, line)
		if a, ok := strings.CutPrefix(line, "discoveryd listening on http://"); ok {
			addr = a
		}
	}
	go io.Copy(io.Discard, stdout)
	if addr == "" || !strings.Contains(strings.Join(banner, "\n"), filepath.Join(dir, AdminTokenFile)) {
		t.Fatalf("banner = %q, want the address and the admin token file", banner)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("not ready within 30 s")
		}
	}
	if err := child.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	werr := make(chan error, 1)
	go func() { werr <- child.Wait() }()
	select {
	case err := <-werr:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30 s of SIGTERM")
	}
	db, err := store.Open(filepath.Join(dir, DBFile), &store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("database still locked after exit: %v", err)
	}
	if err := db.Check(context.Background()); err != nil {
		t.Errorf("check: %v", err)
	}
	db.Close()
}
