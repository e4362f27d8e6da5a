package main

import (
	"bytes"
	"errors"
	"flag"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// File < environment < flags.
		c, err := Load([]string{"--config", "testdata/config/agent.env", "--sim-phones", "9"},
			env(map[string]string{"BEACON_AGENT_TOKEN": "at_1_x", "BEACON_AGENT_HEARTBEAT": "10s", "BEACON_AGENT_SIM_PHONES": "7"}), new(bytes.Buffer))
		if err != nil {
			t.Fatal(err)
		}
		want := DefaultConfig()
		want.Server, want.Token, want.Radio, want.Spool = "https://nearby.example.com", "at_1_x", "sim", "/var/lib/beacon-agent/spool.db"
		want.Heartbeat, want.SimPhones = 10*time.Second, 9
		if c != want {
			t.Errorf("got %+v\nwant %+v", c, want)
		}
	})
	t.Run("ConfigFromEnv", func(t *testing.T) {
		c, err := Load(nil, env(map[string]string{"BEACON_AGENT_CONFIG": "testdata/config/agent.env", "BEACON_AGENT_TOKEN": "t"}), new(bytes.Buffer))
		if err != nil || c.Server != "https://nearby.example.com" || c.Heartbeat != 30*time.Second {
			t.Errorf("got %+v, %v; want the file's settings", c, err)
		}
	})
	t.Run("ErrHelp", func(t *testing.T) {
		var out bytes.Buffer
		if _, err := Load([]string{"-h"}, env(nil), &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "BEACON_AGENT_SERVER") {
			t.Errorf("got %v and usage %q, want ErrHelp and the environment names", err, out.String())
		}
	})
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		fields []string
	}{
		{"ErrMissing", nil, nil, []string{"server", "token"}},
		{"ErrValues", []string{"--server", "ftp://x", "--token", "t", "--radio", "usb", "--batch", "0", "--log-level", "loud"}, nil,
			[]string{"server", "radio", "batch", "log-level"}},
		{"ErrSim", []string{"--server", "http://x", "--token", "t", "--radio", "sim", "--sim-duration", "0s", "--sim-speed", "-1"}, nil,
			[]string{"sim-duration", "sim-speed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, env(tt.env), new(bytes.Buffer))
			var e *nearby.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a validation error", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields: got %v, want %v", got, tt.fields)
			}
		})
	}
	t.Run("ErrBadEnv", func(t *testing.T) {
		_, err := Load([]string{"--server", "http://x", "--token", "t"}, env(map[string]string{"BEACON_AGENT_HEARTBEAT": "often"}), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "BEACON_AGENT_HEARTBEAT") {
			t.Errorf("got %v, want an error naming BEACON_AGENT_HEARTBEAT", err)
		}
	})
}

func TestParseEnvFile(t *testing.T) {
	got, err := parseEnvFile(strings.NewReader("# c\n\nA=1\nexport B = 'two words'\nC=\"x=y\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["A"] != "1" || got["B"] != "two words" || got["C"] != "x=y" {
		t.Errorf("got %v", got)
	}
	if _, err := parseEnvFile(strings.NewReader("A=1\nnot a setting\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("got %v, want an error at line 2", err)
	}
}

func TestRun_Usage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--radio", "usb"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "radio") {
		t.Errorf("got exit %d, stderr %q; want 2 naming radio", code, stderr.String())
	}
}

// TestRun_Version: --version prints the build and exits 0 without a
// config (no server or token needed); a link-time version wins.
func TestRun_Version(t *testing.T) {
	for _, tt := range []struct {
		name, linked, want string
	}{
		{"Module", "dev", "beacon-agent "},
		{"Linked", "v1.4.2", "beacon-agent v1.4.2 revision "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func(v string) { version = v }(version)
			version = tt.linked
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"--version"}, &stdout, &stderr)
			got := stdout.String()
			if code != 0 || !strings.HasPrefix(got, tt.want) || !strings.Contains(got, runtime.Version()) || stderr.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0 and a line starting %q with %s", code, got, stderr.String(), tt.want, runtime.Version())
			}
			if strings.HasPrefix(got, "beacon-agent dev ") {
				t.Errorf("stdout %q shows the unset link-time version", got)
			}
		})
	}
}

// FuzzParseEnvFile: any bytes either fail with a line number or give
// settings whose keys are non-empty and free of '='.
func FuzzParseEnvFile(f *testing.F) {
	f.Add([]byte("A=1\nexport B='x'\n# c\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := parseEnvFile(bytes.NewReader(b))
		if err != nil {
			return
		}
		for k := range vals {
			if k == "" || strings.Contains(k, "=") {
				t.Fatalf("key %q from %q", k, b)
			}
		}
	})
}
