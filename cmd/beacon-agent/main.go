// Command beacon-agent runs on a store's Raspberry Pi: it advertises the
// store's iBeacon identity, notices phones nearby and reports what it saw to
// discoveryd, buffering on disk while offline.
//
//	beacon-agent [flags]                 run the agent
//	beacon-agent --version               print the build and exit
//	beacon-agent encode --uuid U ...     print an iBeacon advertising payload
//	beacon-agent decode HEX              decode advertising bytes as JSON
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/nearby-dev/nearby/buildinfo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "encode":
			return runEncode(args[1:], stdout, stderr)
		case "decode":
			return runDecode(args[1:], stdout, stderr)
		}
	}
	return runAgent(ctx, args, stdout, stderr)
}

// build is the agent's build for --version: a version set at link time
// (main.version, the one heartbeats report) wins over the module's.
func build() buildinfo.Info {
	b := buildinfo.Read()
	if version != "dev" {
		b.Version = version
	}
	return b
}
