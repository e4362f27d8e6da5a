package main

import (
	"errors"
	"flag"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	t.Run("Defaults", func(t *testing.T) {
		c, err := ParseConfig(nil, env(), &strings.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Listen != ":8080" || c.DataDir != "./data" || c.AdminToken != "" || c.LogLevel != "info" || c.MinCount != 5 {
			t.Errorf("defaults = %+v, want :8080, ./data, no token, info", c)
		}
	})
	t.Run("EnvThenFlags", func(t *testing.T) {
		c, err := ParseConfig([]string{"--listen", "127.0.0.1:9"},
			env("DISCOVERYD_LISTEN", ":1", "DISCOVERYD_DATA_DIR", "/tmp/d", "DISCOVERYD_ADMIN_TOKEN", "tok",
				"DISCOVERYD_RATE_LIMIT", "5.5", "DISCOVERYD_SHUTDOWN_TIMEOUT", "3s"), &strings.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Listen != "127.0.0.1:9" || c.DataDir != "/tmp/d" || c.AdminToken != "tok" || c.RateLimit != 5.5 || c.ShutdownTimeout != 3*time.Second {
			t.Errorf("got %+v: want the flag over the environment over the defaults", c)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		env  func(string) string
	}{
		{"ErrLogLevel", []string{"--log-level", "loud"}, env()},
		{"ErrEnvNumber", nil, env("DISCOVERYD_RATE_BURST", "many")},
		{"ErrArgument", []string{"serve"}, env()},
		{"ErrEmptyListen", []string{"--listen", ""}, env()},
		{"ErrMinCountBelowTwo", []string{"--min-count", "1"}, env()},
		{"ErrEnvMinCountZero", nil, env("DISCOVERYD_MIN_COUNT", "0")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseConfig(tt.args, tt.env, &strings.Builder{}); err == nil {
				t.Error("err = nil, want an error")
			}
		})
	}
	t.Run("Help", func(t *testing.T) {
		var out strings.Builder
		_, err := ParseConfig([]string{"--help"}, env("DISCOVERYD_ADMIN_TOKEN", "s3cret-from-env"), &out)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("err = %v, want flag.ErrHelp", err)
		}
		for _, want := range []string{"--listen", "DISCOVERYD_LISTEN", "--data-dir", "DISCOVERYD_DATA_DIR",
			"--admin-token", "DISCOVERYD_ADMIN_TOKEN", "--log-level", "DISCOVERYD_LOG_LEVEL", "--rate-limit", "import", "--version"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("--help lacks %q", want)
			}
		}
		if strings.Contains(out.String(), "s3cret-from-env") {
			t.Error("--help shows the admin token from the environment")
		}
	})
}

// TestMain_ParseFlagsVersion: --version prints the build on stdout and
// answers even when the environment holds a bad setting.
func TestMain_ParseFlagsVersion(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"OK", []string{"--version"}, nil},
		{"SingleDash", []string{"-version"}, nil},
		{"BadEnv", []string{"--version"}, map[string]string{"DISCOVERYD_RATE_BURST": "many"}},
		{"BadFlagAfter", []string{"--version", "--log-level", "loud"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			m := NewMain()
			m.Stdout, m.Stderr, m.Getenv = &stdout, &stderr, func(k string) string { return tt.env[k] }
			if err := m.ParseFlags(tt.args); !errors.Is(err, ErrVersion) {
				t.Fatalf("err = %v, want ErrVersion", err)
			}
			got := stdout.String()
			if !strings.HasPrefix(got, "discoveryd ") || !strings.Contains(got, " revision ") ||
				!strings.Contains(got, runtime.Version()) || strings.Count(got, "\n") != 1 {
				t.Errorf("stdout = %q, want one line: discoveryd, the revision and %s", got, runtime.Version())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
		})
	}
}
