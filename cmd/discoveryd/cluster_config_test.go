package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseConfig_Cluster(t *testing.T) {
	noEnv := func(string) string { return "" }
	t.Run("SingleNode", func(t *testing.T) {
		c, err := ParseConfig(nil, noEnv, &strings.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		if cc := c.clusterConfig(); cc != nil {
			t.Errorf("clusterConfig = %+v without cluster flags, want nil (no NATS)", cc)
		}
	})
	t.Run("FlagsOverEnv", func(t *testing.T) {
		env := map[string]string{"DISCOVERYD_CLUSTER_NAME": "env", "DISCOVERYD_CLUSTER_PEERS": "a:1, b:2 ,"}
		c, err := ParseConfig([]string{"--cluster-name", "city", "--cluster-listen", "127.0.0.1:0", "--data-dir", "/d"},
			func(k string) string { return env[k] }, &strings.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		cc := c.clusterConfig()
		if cc == nil || cc.Name != "city" || cc.Listen != "127.0.0.1:0" || !reflect.DeepEqual(cc.Peers, []string{"a:1", "b:2"}) || cc.Dir != "/d/nats" {
			t.Errorf("clusterConfig = %+v, want city on 127.0.0.1:0, peers a:1 b:2, dir /d/nats", cc)
		}
	})
	t.Run("NATSURL", func(t *testing.T) {
		c, err := ParseConfig(nil, func(k string) string {
			if k == "DISCOVERYD_NATS_URL" {
				return "nats://n1:4222"
			}
			return ""
		}, &strings.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		if cc := c.clusterConfig(); cc == nil || cc.URL != "nats://n1:4222" {
			t.Errorf("clusterConfig = %+v, want the NATS URL", cc)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrNameWithoutListen", []string{"--cluster-name", "city"}, "--cluster-listen"},
		{"ErrPeersWithoutName", []string{"--cluster-peers", "a:1"}, "--cluster-name"},
		{"ErrBadPeer", []string{"--cluster-name", "city", "--cluster-listen", ":6222", "--cluster-peers", "nohost"}, "nohost"},
		{"ErrBadName", []string{"--cluster-name", "a.b", "--cluster-listen", ":6222"}, "a.b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(tt.args, noEnv, &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
	t.Run("Help", func(t *testing.T) {
		var out strings.Builder
		ParseConfig([]string{"--help"}, noEnv, &out)
		for _, want := range []string{"--cluster-name", "DISCOVERYD_CLUSTER_NAME", "--cluster-listen", "DISCOVERYD_CLUSTER_LISTEN",
			"--cluster-peers", "DISCOVERYD_CLUSTER_PEERS", "--nats-url", "DISCOVERYD_NATS_URL"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("--help lacks %q", want)
			}
		}
	})
}
