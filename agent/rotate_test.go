package agent_test

import (
	"context"
	"encoding/hex"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/agent"
	"github.com/nearby-dev/nearby/rotation"
)

// intervalRadio is a fake radio that also takes an advertising interval.
type intervalRadio struct {
	*fakeRadio
	mu        sync.Mutex
	intervals []time.Duration
}

func (r *intervalRadio) SetInterval(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.intervals = append(r.intervals, d)
	return nil
}

func (r *intervalRadio) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.intervals...)
}

// TestAgent_Rotation: a rotating config is advertised with the identity
// of the current window and re-advertised at each window's start.
func TestAgent_Rotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		secret := rotation.NewSecret()
		cfg := testConfig
		cfg.RotationPeriodS, cfg.RotationSecret = 60, hex.EncodeToString(secret)
		d := newFakeDaemon()
		d.setConfig(&cfg, nil)
		radio := newFakeRadio()
		a := agent.New(radio, d, MustOpenSpool(t, nil), &agent.Options{HeartbeatEvery: time.Hour, ConfigEvery: time.Hour})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- a.Run(ctx) }()
		synctest.Wait()

		uuid := nearby.MustParseUUID(cfg.UUID)
		want := func(at time.Time) nearby.Identity {
			id, err := rotation.At(uuid, secret, 60, at)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		start := time.Now()
		for i := range 3 {
			adv, _, _ := radio.state()
			if len(adv) != i+1 {
				t.Fatalf("after %d windows: %d advertisements, want %d", i, len(adv), i+1)
			}
			if got, w := adv[i].Identity(), want(start.Add(time.Duration(i)*time.Minute)); got != w {
				t.Errorf("window %d: advertised %v, want %v", i, got, w)
			}
			if adv[i].Major == 1 && adv[i].Minor == 2 {
				t.Errorf("window %d: the static identity was advertised", i)
			}
			time.Sleep(rotation.Start(rotation.Window(time.Now(), 60)+1, 60).Sub(time.Now()) + time.Millisecond)
			synctest.Wait()
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestAgent_RemoteInterval: the interval of the config reaches the radio
// before it advertises, and a change of it within one config refresh.
func TestAgent_RemoteInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig
		cfg.IntervalMS = 250
		d := newFakeDaemon()
		d.setConfig(&cfg, nil)
		radio := &intervalRadio{fakeRadio: newFakeRadio()}
		a := agent.New(radio, d, MustOpenSpool(t, nil), &agent.Options{HeartbeatEvery: time.Hour, ConfigEvery: time.Minute})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- a.Run(ctx) }()
		synctest.Wait()
		if got := radio.got(); len(got) != 1 || got[0] != 250*time.Millisecond {
			t.Fatalf("intervals %v, want [250ms]", got)
		}
		changed := cfg
		changed.IntervalMS = 1000
		d.setConfig(&changed, nil)
		time.Sleep(time.Minute + time.Second)
		synctest.Wait()
		got := radio.got()
		adv, _, on := radio.state()
		if len(got) != 2 || got[1] != time.Second || len(adv) != 2 || !on {
			t.Errorf("after one refresh: intervals %v, %d advertisements (on %v); want [250ms 1s], 2", got, len(adv), on)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
