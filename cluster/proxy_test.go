package cluster_test

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// proxy forwards TCP connections from its own loopback port to target
// until cut: then it closes every connection it carries and refuses new
// ones (a network partition of the link), until healed.
type proxy struct {
	l      net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
}

func newProxy(tb testing.TB, target string) *proxy {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{l: l, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	tb.Cleanup(func() { l.Close(); p.setCut(true) })
	return p
}

func (p *proxy) addr() string { return p.l.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *proxy) forward(c net.Conn) {
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.mu.Unlock()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) { io.Copy(dst, src); done <- struct{}{} }
	go pipe(up, c)
	go pipe(c, up)
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// setCut cuts (true) or heals (false) the link.
func (p *proxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
	}
}

// blackhole is a loopback port that closes every connection: a node
// advertises it, so that gossip never routes around the proxies.
func blackhole(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	tb.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

// proxiedCluster is a cluster of n nodes whose every route goes through a
// proxy per ordered pair of nodes: links[i][j] carries i's connections to j.
func proxiedCluster(tb testing.TB, n int, writeTimeout time.Duration) ([]*tnode, [][]*proxy) {
	tb.Helper()
	ports := freePorts(tb, n)
	links := make([][]*proxy, n)
	nodes := make([]*tnode, n)
	for i := range n {
		links[i] = make([]*proxy, n)
		var peers []string
		for j := range n {
			if j != i {
				links[i][j] = newProxy(tb, "127.0.0.1:"+strconv.Itoa(ports[j]))
				peers = append(peers, links[i][j].addr())
			}
		}
		nodes[i] = &tnode{tb: tb, name: string(rune('A' + i)), dir: tb.TempDir(), port: ports[i], peers: peers,
			advertise: blackhole(tb), writeTimeout: writeTimeout}
	}
	return runCluster(tb, nodes), links
}

// isolate cuts (or heals) every link to and from node i.
func isolate(links [][]*proxy, i int, cut bool) {
	for j := range links {
		if j != i {
			links[i][j].setCut(cut)
			links[j][i].setCut(cut)
		}
	}
}
