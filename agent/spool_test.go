package agent_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func TestSpool_Append(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		sp := MustOpenSpool(t, nil)
		evs := testEvents(10, t0)
		if dropped, err := sp.Append(evs[:4]...); err != nil || dropped != 0 {
			t.Fatalf("Append: dropped %d, err %v", dropped, err)
		}
		if _, err := sp.Append(evs[4:]...); err != nil {
			t.Fatal(err)
		}
		recs, err := sp.Peek(100)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(recs), 10; got != want {
			t.Fatalf("Peek: got %d records, want %d", got, want)
		}
		for i, r := range recs {
			if r.Event.ID != evs[i].ID || !r.Event.At.Equal(evs[i].At) || r.Err != nil {
				t.Errorf("record %d: got %+v, want event %s", i, r, evs[i].ID)
			}
			if i > 0 && r.Seq <= recs[i-1].Seq {
				t.Errorf("record %d: seq %d not after %d", i, r.Seq, recs[i-1].Seq)
			}
		}
		st, err := sp.Stats()
		if err != nil {
			t.Fatal(err)
		}
		want := map[nearby.EventType]int64{nearby.EventShake: 3, nearby.EventEnter: 3, nearby.EventExit: 2, nearby.EventDwell: 2}
		for typ, n := range want {
			if got := st.Generated[typ]; got != n {
				t.Errorf("Generated[%s]: got %d, want %d", typ, got, n)
			}
		}
		if st.Depth != 10 || st.Dropped != 0 || st.GeneratedTotal() != 10 {
			t.Errorf("Stats: got %+v, want depth 10, dropped 0, total 10", st)
		}
	})
	t.Run("FullDropsOldest", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spool.db")
		sp, err := agent.OpenSpool(path, &agent.SpoolOptions{MaxEvents: 5})
		if err != nil {
			t.Fatal(err)
		}
		evs := testEvents(8, t0)
		if d, err := sp.Append(evs[:4]...); err != nil || d != 0 {
			t.Fatalf("Append 4: dropped %d, err %v", d, err)
		}
		if d, err := sp.Append(evs[4:]...); err != nil || d != 3 {
			t.Fatalf("Append 4 more: got dropped %d (err %v), want 3", d, err)
		}
		recs, _ := sp.Peek(100)
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.Event.ID)
		}
		if got, want := len(ids), 5; got != want || ids[0] != evs[3].ID || ids[4] != evs[7].ID {
			t.Fatalf("after drop: got %d events %v, want the newest 5 (%s..%s)", got, ids, evs[3].ID, evs[7].ID)
		}
		if err := sp.Close(); err != nil {
			t.Fatal(err)
		}
		// The drop count is durable: the heartbeat reports it after a restart.
		sp, err = agent.OpenSpool(path, &agent.SpoolOptions{MaxEvents: 5})
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		if d, err := sp.Append(testEvents(1, t0.Add(time.Hour))...); err != nil || d != 1 {
			t.Fatalf("Append after reopen: dropped %d, err %v, want 1", d, err)
		}
		st, err := sp.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Dropped != 4 || st.Depth != 5 || st.GeneratedTotal() != 9 {
			t.Errorf("Stats after reopen: got %+v, want dropped 4, depth 5, total 9", st)
		}
	})
}

func TestSpool_Ack(t *testing.T) {
	sp := MustOpenSpool(t, nil)
	if _, err := sp.Append(testEvents(6, t0)...); err != nil {
		t.Fatal(err)
	}
	recs, _ := sp.Peek(3)
	seqs := []uint64{recs[0].Seq, recs[1].Seq, recs[2].Seq, 999} // 999: already gone
	removed, err := sp.Ack(seqs, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if removed != 3 {
		t.Errorf("Ack: got removed %d, want 3", removed)
	}
	rest, _ := sp.Peek(100)
	if got, want := len(rest), 3; got != want || rest[0].Seq != recs[2].Seq+1 {
		t.Errorf("after Ack: got %d left starting at %d, want %d starting at %d", got, rest[0].Seq, want, recs[2].Seq+1)
	}
	st, _ := sp.Stats()
	if st.Accepted != 1 || st.Duplicates != 1 || st.Rejected != 1 || st.Depth != 3 {
		t.Errorf("Stats: got %+v, want accepted, duplicates, rejected 1 and depth 3", st)
	}
}

func TestSpool_Config(t *testing.T) {
	sp := MustOpenSpool(t, nil)
	if _, err := sp.Config(); !errors.Is(err, agent.ErrNoConfig) {
		t.Fatalf("Config on a new spool: got %v, want ErrNoConfig", err)
	}
	want := nearby.AgentConfig{BeaconID: "bcn_1", UUID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Major: 1, Minor: 2, TxPower: -59, IntervalMS: 100}
	if err := sp.SaveConfig(&want); err != nil {
		t.Fatal(err)
	}
	got, err := sp.Config()
	if err != nil || *got != want {
		t.Errorf("Config: got %+v (%v), want %+v", got, err, want)
	}
}

func TestOpenSpool(t *testing.T) {
	t.Run("ErrLocked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spool.db")
		sp, err := agent.OpenSpool(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		// A second agent on the same spool must fail, not share it.
		if sp2, err := agent.OpenSpool(path, &agent.SpoolOptions{Timeout: 50 * time.Millisecond}); err == nil {
			sp2.Close()
			t.Fatal("second OpenSpool: got nil error, want a lock timeout")
		}
	})
}

// TestSpool_SIGKILL appends events in a child process, printing each
// committed id, and kills it with SIGKILL at an arbitrary moment: every event
// the child reported committed must be in the spool afterwards.
func TestSpool_SIGKILL(t *testing.T) {
	if path := os.Getenv("AGENT_SPOOL_CRASH_CHILD"); path != "" {
		spoolChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "spool.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpool_SIGKILL$")
	cmd.Env = append(os.Environ(), "AGENT_SPOOL_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "committed ")); err == nil {
			committed = n
			if n >= 40 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if committed < 40 {
		t.Fatalf("child committed only %d events before exiting", committed)
	}

	sp, err := agent.OpenSpool(path, nil)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer sp.Close()
	recs, err := sp.Peek(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := sp.Stats()
	if len(recs) < committed || st.Depth != int64(len(recs)) || st.GeneratedTotal() != int64(len(recs)) {
		t.Fatalf("after SIGKILL: %d events, depth %d, generated %d; want all equal and >= %d committed",
			len(recs), st.Depth, st.GeneratedTotal(), committed)
	}
	for i, r := range recs {
		if r.Err != nil || r.Event.ID != fmt.Sprintf("00000000-0000-4000-8000-%012x", i+1) {
			t.Fatalf("record %d: got %+v", i, r)
		}
	}
}

func spoolChild(path string) {
	sp, err := agent.OpenSpool(path, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		if _, err := sp.Append(testEvents(i+1, t0)[i]); err != nil {
			fmt.Println("append:", err)
			os.Exit(1)
		}
		fmt.Printf("committed %d\n", i+1)
	}
}
