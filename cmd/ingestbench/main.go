// Command ingestbench measures how many agent events per second discoveryd
// accepts durably over HTTP, with 1, 10 and 100 concurrent agents each
// posting batches of 100 through the Go client, next to the raw bbolt write
// rate with the same batching and concurrency, measured in the same run on
// the same disk.
//
//	go build -o /tmp/discoveryd ./cmd/discoveryd
//	go run ./cmd/ingestbench --discoveryd /tmp/discoveryd
//	go run ./cmd/ingestbench --server http://127.0.0.1:8080 --admin-token ADMIN
//
// It prints a Markdown table of medians over --runs runs.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nearby-dev/nearby/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	server, adminToken, discoveryd, dir string
	agents                              []int
	batch, runs                         int
	duration                            time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ingestbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var agents string
	fs.StringVar(&o.server, "server", "", "discoveryd base URL (with --admin-token); empty: start --discoveryd")
	fs.StringVar(&o.adminToken, "admin-token", os.Getenv("DISCOVERYD_ADMIN_TOKEN"), "admin token of --server")
	fs.StringVar(&o.discoveryd, "discoveryd", "", "path of a discoveryd binary to start on loopback with a fresh data dir")
	fs.StringVar(&o.dir, "dir", "", "directory for the data (default: a temporary directory); the raw bbolt file goes there too")
	fs.StringVar(&agents, "agents", "1,10,100", "concurrency levels: agents posting at once")
	fs.IntVar(&o.batch, "batch", 100, "events per request")
	fs.IntVar(&o.runs, "runs", 3, "runs per measurement; the median is reported")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of one run")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, s := range strings.Split(agents, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "ingestbench: bad --agents %q\n", agents)
			return 2
		}
		o.agents = append(o.agents, n)
	}
	if (o.server == "") == (o.discoveryd == "") || o.batch <= 0 || o.runs <= 0 || o.duration <= 0 {
		fmt.Fprintln(stderr, "ingestbench: give exactly one of --server or --discoveryd, and positive --batch, --runs, --duration")
		return 2
	}
	if err := bench(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "ingestbench: %v\n", err)
		return 1
	}
	return 0
}

func bench(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.dir == "" {
		d, err := os.MkdirTemp("", "ingestbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		o.dir = d
	}
	if o.discoveryd != "" {
		stopDaemon, base, token, err := startDaemon(ctx, o.discoveryd, filepath.Join(o.dir, "data"), stderr)
		if err != nil {
			return err
		}
		defer stopDaemon()
		o.server, o.adminToken = base, token
	}
	tokens, err := setup(ctx, o.server, o.adminToken, slices.Max(o.agents))
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "| agents | batch | HTTP accepted ev/s | bbolt Update ev/s | bbolt Batch ev/s | HTTP / Update | HTTP / Batch |\n")
	fmt.Fprintf(stdout, "|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range o.agents {
		var httpRates, updRates, batRates []float64
		for r := range o.runs {
			res, err := postLoad(ctx, o.server, tokens[:n], o.batch, o.duration)
			if err != nil {
				return err
			}
			if res.duplicates != 0 || res.rejected != 0 {
				return fmt.Errorf("%d agents: %d duplicates, %d rejected; want fresh events all accepted", n, res.duplicates, res.rejected)
			}
			httpRates = append(httpRates, res.rate())
			upd, err := boltLoad(ctx, filepath.Join(o.dir, fmt.Sprintf("raw-%d-%d-update.db", n, r)), n, o.batch, o.duration, false)
			if err != nil {
				return err
			}
			updRates = append(updRates, upd.rate())
			bat, err := boltLoad(ctx, filepath.Join(o.dir, fmt.Sprintf("raw-%d-%d-batch.db", n, r)), n, o.batch, o.duration, true)
			if err != nil {
				return err
			}
			batRates = append(batRates, bat.rate())
			fmt.Fprintf(stderr, "agents=%d run=%d http=%.0f ev/s (%d requests) bolt-update=%.0f ev/s bolt-batch=%.0f ev/s\n",
				n, r+1, res.rate(), res.requests, upd.rate(), bat.rate())
		}
		h, u, b := median(httpRates), median(updRates), median(batRates)
		fmt.Fprintf(stdout, "| %d | %d | %.0f | %.0f | %.0f | %.2f | %.2f |\n", n, o.batch, h, u, b, h/u, h/b)
	}
	return nil
}

// setup creates a merchant, a store and n beacons, and returns the
// beacons' agent tokens.
func setup(ctx context.Context, server, adminToken string, n int) ([]string, error) {
	admin := client.New(server, adminToken, nil)
	m, err := admin.CreateMerchant(ctx, "ingestbench")
	if err != nil {
		return nil, err
	}
	merchant := admin.WithToken(m.APIKey)
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "ingestbench", Lat: 51.5136, Lng: -0.1365, Category: "bench"})
	if err != nil {
		return nil, err
	}
	tokens := make([]string, n)
	for i := range tokens {
		b, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Label: fmt.Sprintf("agent %d", i)})
		if err != nil {
			return nil, err
		}
		tokens[i] = b.AgentToken
	}
	return tokens, nil
}

// startDaemon runs discoveryd on a free loopback port with a fresh data dir
// and a random admin token, and waits until it is ready.
func startDaemon(ctx context.Context, bin, dataDir string, stderr io.Writer) (stop func(), base, token string, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", "", err
	}
	addr := l.Addr().String()
	l.Close()
	var tok [16]byte
	rand.Read(tok[:])
	token = hex.EncodeToString(tok[:])
	cmd := exec.Command(bin, "--listen", addr, "--data-dir", dataDir, "--rate-limit", "0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "DISCOVERYD_ADMIN_TOKEN="+token)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		return nil, "", "", err
	}
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	base = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, base, token, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return nil, "", "", errors.Join(errors.New("discoveryd not ready"), err, ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
