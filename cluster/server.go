package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// serverNameFile keeps the embedded server's name in Dir.
const serverNameFile = "server-name"

// startServer starts the embedded NATS server: JetStream on, every write
// fsynced (SyncAlways: JetStream's default syncs every two minutes, which
// could lose acknowledged writes on a power cut), routes to the peers. The
// daemon connects in-process; the client port is on loopback only, on a
// port the OS picks (nats-server starts routing only after its client
// listener is up, so DontListen would leave the node alone).
func startServer(c *Config) (*server.Server, error) {
	host, portStr, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen port %q: %w", portStr, err)
	}
	if port == 0 {
		port = server.RANDOM_PORT // 0 would mean "no cluster" to nats-server
	}
	if host == "" {
		host = "0.0.0.0"
	}
	name := c.ServerName
	if name == "" {
		if name, err = stableName(c.Dir); err != nil {
			return nil, err
		}
	}
	routes := make([]string, 0, len(c.Peers))
	for _, p := range c.Peers {
		routes = append(routes, "nats-route://"+p)
	}
	opts := &server.Options{
		ServerName: name,
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		NoSigs:     true,
		MaxPayload: DefaultMaxPayload,
		JetStream:  true,
		StoreDir:   filepath.Join(c.Dir, "jetstream"),
		SyncAlways: true,
		Cluster:    server.ClusterOpts{Name: c.Name, Host: host, Port: port, Advertise: c.Advertise},
		Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("cluster: nats server: %w", err)
	}
	srv.SetLoggerV2(natsLogger{c.Logger.With(slog.String("part", "nats"))}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("cluster: nats server %s not ready (cluster listen %s)", name, c.Listen)
	}
	return srv, nil
}

// stableName returns the server name kept in dir, making one at the first
// start: JetStream's Raft groups know a peer by its name, so a restarted
// node must come back under the same one.
func stableName(dir string) (string, error) {
	path := filepath.Join(dir, serverNameFile)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cluster: %w", err)
	}
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("cluster: server name: %w", err)
	}
	host, _ := os.Hostname()
	name := "discoveryd-" + hex.EncodeToString(r[:])
	if host != "" {
		name = strings.Map(func(r rune) rune {
			if r == ' ' || r == '.' || r == '*' || r == '>' {
				return '-'
			}
			return r
		}, host) + "-" + hex.EncodeToString(r[:])
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(name+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("cluster: write server name: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("cluster: write server name: %w", err)
	}
	return name, nil
}

// natsLogger sends the embedded server's log lines to slog.
type natsLogger struct{ l *slog.Logger }

// Noticef logs at info, except the start-up banner's lines (indented or
// drawn), which go to debug.
func (n natsLogger) Noticef(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	if msg == "" || strings.ContainsAny(msg[:1], " -_|\\") {
		n.l.Debug(msg)
		return
	}
	n.l.Info(msg)
}
func (n natsLogger) Warnf(format string, v ...any)  { n.l.Warn(fmt.Sprintf(format, v...)) }
func (n natsLogger) Fatalf(format string, v ...any) { n.l.Error(fmt.Sprintf(format, v...)) }
func (n natsLogger) Errorf(format string, v ...any) { n.l.Error(fmt.Sprintf(format, v...)) }
func (n natsLogger) Debugf(format string, v ...any) { n.l.Debug(fmt.Sprintf(format, v...)) }
func (n natsLogger) Tracef(string, ...any)          {}
