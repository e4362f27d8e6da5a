package agent_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/ble"
)

// fakeRadio is a radio whose sightings the test sends.
type fakeRadio struct {
	mu    sync.Mutex
	adv   []ble.IBeacon
	stops int
	on    bool
	ch    chan ble.Sighting
}

func newFakeRadio() *fakeRadio { return &fakeRadio{ch: make(chan ble.Sighting)} }

func (r *fakeRadio) Advertise(ctx context.Context, b ble.IBeacon) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.adv, r.on = append(r.adv, b), true
	return nil
}

func (r *fakeRadio) StopAdvertising(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stops++
	r.on = false
	return nil
}

func (r *fakeRadio) Sightings() <-chan ble.Sighting { return r.ch }
func (r *fakeRadio) Close() error                   { return nil }

func (r *fakeRadio) state() (adv []ble.IBeacon, stops int, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ble.IBeacon(nil), r.adv...), r.stops, r.on
}

var _ agent.Radio = (*fakeRadio)(nil)

var testConfig = nearby.AgentConfig{BeaconID: "bcn_1", UUID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Major: 1, Minor: 2, TxPower: -59, IntervalMS: 100}

func TestAgent_Run(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDaemon()
		cfg := testConfig
		d.setConfig(&cfg, nil)
		radio := newFakeRadio()
		sp := MustOpenSpool(t, nil)
		temp := filepath.Join(t.TempDir(), "temp")
		os.WriteFile(temp, []byte("48312\n"), 0o600)
		a := agent.New(radio, d, sp, &agent.Options{Version: "test", HeartbeatEvery: time.Minute,
			ConfigEvery: 5 * time.Minute, TemperaturePath: temp, TickEvery: time.Second})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- a.Run(ctx) }()
		synctest.Wait()

		adv, _, on := radio.state()
		if len(adv) != 1 || !on || adv[0].Major != 1 || adv[0].Minor != 2 || adv[0].MeasuredPower != -59 || adv[0].UUID.String() != cfg.UUID {
			t.Fatalf("advertised %+v (on %v), want the config's identity", adv, on)
		}

		// A phone close by for 20 s shakes once; 20 s of silence later its
		// visit ends by the wall-clock tick.
		for i := range 20 {
			radio.ch <- ble.Sighting{DeviceID: "p1", RSSI: -50, At: time.Now(), Shake: i == 10}
			time.Sleep(time.Second)
		}
		time.Sleep(20 * time.Second)
		synctest.Wait()
		want := map[nearby.EventType]int64{nearby.EventEnter: 1, nearby.EventShake: 1, nearby.EventExit: 1, nearby.EventDwell: 1}
		if got := d.counts(); !equalCounts(got, want) {
			t.Errorf("daemon has %v, want %v", got, want)
		}

		// The merchant changes the beacon's minor: re-advertised within
		// one refresh period.
		cfg.Minor = 3
		d.setConfig(&cfg, nil)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		adv, stops, on := radio.state()
		if len(adv) != 2 || adv[1].Minor != 3 || stops != 1 || !on {
			t.Errorf("after a config change: advertised %+v, %d stops, on %v; want minor 3 after one stop", adv, stops, on)
		}

		// Deactivated: advertising stops.
		cfg.Status = nearby.BeaconInactive
		d.setConfig(&cfg, nil)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if _, _, on := radio.state(); on {
			t.Errorf("inactive beacon still advertising")
		}

		beats := d.heartbeats()
		if len(beats) < 10 {
			t.Fatalf("got %d heartbeats in 11 minutes, want one a minute", len(beats))
		}
		last := beats[len(beats)-1]
		if last.Version != "test" || last.UptimeS < 600 || last.TemperatureC == nil || *last.TemperatureC != 48.312 ||
			last.SpoolDepth == nil || *last.SpoolDepth != 0 || last.Dropped == nil || *last.Dropped != 0 {
			t.Errorf("last heartbeat: got %+v", last)
		}

		// A phone still inside at shutdown gets its exit and dwell, and
		// everything is uploaded before Run returns.
		for range 5 {
			radio.ch <- ble.Sighting{DeviceID: "p2", RSSI: -50, At: time.Now()}
			time.Sleep(time.Second)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want = map[nearby.EventType]int64{nearby.EventEnter: 2, nearby.EventShake: 1, nearby.EventExit: 2, nearby.EventDwell: 2}
		if got := d.counts(); !equalCounts(got, want) {
			t.Errorf("daemon has %v after shutdown, want %v", got, want)
		}
		sum, err := a.Summary()
		if err != nil {
			t.Fatal(err)
		}
		if !equalCounts(sum.Generated, want) || sum.Total != 7 || sum.SpoolDepth != 0 || sum.Accepted != 7 || !equalCounts(sum.ThisRun, want) {
			t.Errorf("summary: got %+v, want generated %v all accepted", sum, want)
		}
	})
}

// TestAgent_Offline starts with the daemon unreachable: the agent uses the
// config cached by an earlier run, spools what it sees, and uploads it once
// the daemon is back.
func TestAgent_Offline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDaemon()
		d.setConfig(nil, errNetwork)
		d.Before = func(int, []nearby.Event) error { return errNetwork }
		sp := MustOpenSpool(t, nil)
		cfg := testConfig
		if err := sp.SaveConfig(&cfg); err != nil {
			t.Fatal(err)
		}
		radio := newFakeRadio()
		a := agent.New(radio, d, sp, &agent.Options{Backoff: agent.Backoff{Base: time.Second, Max: 30 * time.Second}})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- a.Run(ctx) }()
		synctest.Wait()
		if adv, _, on := radio.state(); len(adv) != 1 || !on {
			t.Fatalf("offline start: advertised %+v, want the cached identity", adv)
		}
		for i := range 10 {
			radio.ch <- ble.Sighting{DeviceID: "p1", RSSI: -50, At: time.Now(), Shake: i == 5}
			time.Sleep(time.Second)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if st := mustStats(t, sp); st.Depth != 4 || d.len() != 0 {
			t.Fatalf("after an hour offline: spool %+v, daemon %d events; want 4 spooled, none sent", st, d.len())
		}
		d.mu.Lock()
		d.Before = nil
		d.mu.Unlock()
		time.Sleep(time.Minute) // at most one backoff period
		synctest.Wait()
		if st := mustStats(t, sp); st.Depth != 0 || d.len() != 4 {
			t.Errorf("after the daemon is back: spool %+v, daemon %d events; want all 4 sent", st, d.len())
		}
		cancel()
		<-done
	})
}

func equalCounts(got, want map[nearby.EventType]int64) bool {
	for _, typ := range nearby.EventTypes {
		if got[typ] != want[typ] {
			return false
		}
	}
	return true
}

// TestAgent_SpoolFull: offline with a small spool, the oldest events are
// dropped, counted durably and reported in heartbeats; the newest are
// delivered once the daemon is back.
func TestAgent_SpoolFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newFakeDaemon()
		cfg := testConfig
		d.setConfig(&cfg, nil)
		d.Before = func(int, []nearby.Event) error { return errNetwork }
		sp := MustOpenSpool(t, &agent.SpoolOptions{MaxEvents: 5})
		radio := newFakeRadio()
		a := agent.New(radio, d, sp, &agent.Options{HeartbeatEvery: time.Minute, Backoff: agent.Backoff{Max: 10 * time.Second}})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- a.Run(ctx) }()
		// Three visits of 5 s, a minute apart: enter, exit and dwell each.
		for v := range 3 {
			for range 5 {
				radio.ch <- ble.Sighting{DeviceID: fmt.Sprintf("p%d", v), RSSI: -50, At: time.Now()}
				time.Sleep(time.Second)
			}
			time.Sleep(time.Minute)
		}
		synctest.Wait()
		beats := d.heartbeats()
		last := beats[len(beats)-1]
		if last.Dropped == nil || *last.Dropped != 4 || last.SpoolDepth == nil || *last.SpoolDepth != 5 {
			t.Errorf("heartbeat: dropped %v, depth %v; want 4 dropped of 9, 5 kept", ptrStr(last.Dropped), ptrStr(last.SpoolDepth))
		}
		d.mu.Lock()
		d.Before = nil
		d.mu.Unlock()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		sum, err := a.Summary()
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total != 9 || sum.Dropped != 4 || sum.Accepted != 5 || sum.SpoolDepth != 0 || d.len() != 5 {
			t.Errorf("summary %+v, daemon %d events; want 9 generated, 4 dropped, 5 delivered", sum, d.len())
		}
		// The oldest went: what is left is the end of the second visit and
		// the whole third.
		want := map[nearby.EventType]int64{nearby.EventEnter: 1, nearby.EventExit: 2, nearby.EventDwell: 2}
		if got := d.counts(); !equalCounts(got, want) {
			t.Errorf("delivered %v, want the newest events %v", got, want)
		}
	})
}

func ptrStr(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}
