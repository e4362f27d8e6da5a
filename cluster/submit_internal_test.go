package cluster

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
)

func TestEventsMsgID(t *testing.T) {
	batch := func(beacon uint64, ids ...string) *discovery.Command {
		cmd := &discovery.Command{Op: discovery.OpRecordEvents, ID: beacon}
		for _, id := range ids {
			cmd.Events = append(cmd.Events, nearby.Event{ID: id})
		}
		return cmd
	}
	base := eventsMsgID(batch(1, "a", "b"))
	if got := eventsMsgID(batch(1, "a", "b")); got != base {
		t.Errorf("the same batch resubmitted: %s, want %s (stored once)", got, base)
	}
	for _, tt := range []struct {
		name string
		cmd  *discovery.Command
	}{
		{"OtherBeacon", batch(2, "a", "b")},
		{"OtherEvents", batch(1, "a", "c")},
		{"Joined", batch(1, "ab")},
		{"Fewer", batch(1, "a")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := eventsMsgID(tt.cmd); got == base {
				t.Errorf("id %s equals the other batch's", got)
			}
		})
	}
}

func TestDecided(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nearby.Errorf(nearby.ENOTFOUND, "store not found"), true},
		{fmt.Errorf("wrapped: %w", nearby.Invalid("merchant_id", "is not a merchant")), true},
		{nearby.Errorf(nearby.ECONFLICT, "id has beacons"), true},
		{errors.New("store: put store: disk full"), false},
		{fmt.Errorf("discovery: waiting to write: %w", context.Canceled), false},
		{&nearby.Error{Code: nearby.EUNAVAILABLE}, false},
	} {
		if got := decided(tt.err); got != tt.want {
			t.Errorf("decided(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"Embedded", Config{Name: "city", Listen: "127.0.0.1:0", Peers: []string{"a:1"}, Dir: "/d"}, true},
		{"URL", Config{URL: "nats://n:4222"}, true},
		{"ErrNoName", Config{Listen: ":1", Dir: "/d"}, false},
		{"ErrBadName", Config{Name: "a b", Listen: ":1", Dir: "/d"}, false},
		{"ErrBadListen", Config{Name: "c", Listen: "nowhere", Dir: "/d"}, false},
		{"ErrBadPeer", Config{Name: "c", Listen: ":1", Peers: []string{"x"}, Dir: "/d"}, false},
		{"ErrNoDir", Config{Name: "c", Listen: ":1"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
