package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

// crashBatch is the number of stores the crash child writes per CreateStores.
const crashBatch = 50

// TestCrash_AllOrNothing kills a process with SIGKILL while it imports
// stores in batches and records events, then reopens the file: it must be
// consistent (bbolt check), hold only whole batches, every batch the child
// reported as committed, and a merchant index entry for every store.
func TestCrash_AllOrNothing(t *testing.T) {
	if path := os.Getenv("NEARBY_STORE_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("store: crash test spawns a process")
	}
	path := filepath.Join(t.TempDir(), "nearby.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash_AllOrNothing$")
	cmd.Env = append(os.Environ(), "NEARBY_STORE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child prints "merchant <id>" and then the number of committed
	// batches after each commit; kill it after a few.
	sc := bufio.NewScanner(out)
	var merchant uint64
	committed := 0
	for sc.Scan() {
		var n int
		if _, err := fmt.Sscanf(sc.Text(), "merchant %d", &merchant); err == nil {
			continue
		}
		if n, err = strconv.Atoi(sc.Text()); err == nil {
			committed = n
		}
		if committed >= 5 {
			break
		}
	}
	time.Sleep(7 * time.Millisecond) // land somewhere inside a later transaction
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if committed < 5 {
		t.Fatalf("child committed %d batches before it stopped talking, want 5", committed)
	}

	db := MustOpenDBAt(t, path, nil) // its cleanup runs the bbolt check
	ctx := context.Background()
	all, err := db.ListStores(ctx, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := db.ListStores(ctx, merchant, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("child reported %d batches, the file holds %d stores", committed, len(all))
	if len(all)%crashBatch != 0 {
		t.Errorf("%d stores: a batch of %d was half written", len(all), crashBatch)
	}
	if len(all) < committed*crashBatch {
		t.Errorf("%d stores, but %d batches were reported committed", len(all), committed)
	}
	if len(mine) != len(all) {
		t.Errorf("merchant index lists %d stores, the stores bucket %d", len(mine), len(all))
	}
}

// crashChild writes batches until it is killed.
func crashChild(path string) {
	ctx := context.Background()
	db, err := store.Open(path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	m := &nearby.Merchant{Name: "crash"}
	if err := db.CreateMerchant(ctx, m); err != nil {
		os.Exit(2)
	}
	fmt.Printf("merchant %d\n", m.ID)
	for n := 1; ; n++ {
		ss := make([]*nearby.Store, crashBatch)
		for i := range ss {
			ss[i] = &nearby.Store{MerchantID: m.ID, Name: fmt.Sprint("s", n, "-", i), Lat: 1, Lng: 2, Category: "coffee",
				Address: "a somewhat longer address so that batches span pages"}
		}
		if err := db.CreateStores(ctx, ss); err != nil {
			os.Exit(2)
		}
		fmt.Println(n)
	}
}
