package ble

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// The simulated air across processes: a test driver runs an AirServer on
// loopback with a Sim, and agents in other processes use DialAir as their
// radio. The protocol is JSON lines over TCP, so sightings arrive in order
// and a seed still gives the same stream:
//
//	agent → air: {"op":"hello","x":0,"y":0}         where the agent's beacon is
//	agent → air: {"op":"advertise","ad":"0201..."}  advertising data, hex
//	agent → air: {"op":"stop"}
//	air → agent: {"device":"p1","rssi":-61,"at":"2026-...Z"} (+ "shake":true)
//	air → agent: {"op":"end"}                        the day is over

type airMsg struct {
	Op     string    `json:"op,omitempty"`
	X      float64   `json:"x,omitempty"`
	Y      float64   `json:"y,omitempty"`
	AD     string    `json:"ad,omitempty"`
	Device string    `json:"device,omitempty"`
	RSSI   int       `json:"rssi,omitempty"`
	At     time.Time `json:"at,omitzero"`
	Shake  bool      `json:"shake,omitempty"`
}

const maxAirLine = 4096

// AirServer plays a Sim to every agent that connects, each at the beacon
// position it announces, from the agent's first advertisement on.
type AirServer struct {
	sim *Sim

	mu      sync.Mutex
	adverts map[string]IBeacon // by agent address
	conns   map[net.Conn]bool
	closed  bool
	wg      sync.WaitGroup
}

// NewAirServer returns a server for sim.
func NewAirServer(sim *Sim) *AirServer {
	return &AirServer{sim: sim, adverts: make(map[string]IBeacon), conns: make(map[net.Conn]bool)}
}

// Serve accepts agents on ln until ln is closed or Close is called.
func (a *AirServer) Serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			a.mu.Lock()
			closed := a.closed
			a.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("ble: air: accept: %w", err)
		}
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			c.Close()
			return nil
		}
		a.conns[c] = true
		a.wg.Add(1)
		a.mu.Unlock()
		go a.serve(c)
	}
}

// Close disconnects every agent and waits for their sessions to end.
func (a *AirServer) Close() error {
	a.mu.Lock()
	a.closed = true
	for c := range a.conns {
		c.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
	return nil
}

// Advertised returns what each connected agent advertises, by its address.
func (a *AirServer) Advertised() map[string]IBeacon {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]IBeacon, len(a.adverts))
	for k, v := range a.adverts {
		out[k] = v
	}
	return out
}

func (a *AirServer) serve(c net.Conn) {
	defer a.wg.Done()
	key := c.RemoteAddr().String()
	defer func() {
		c.Close()
		a.mu.Lock()
		delete(a.conns, c)
		delete(a.adverts, key)
		a.mu.Unlock()
	}()
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 0, 512), maxAirLine)
	var hello airMsg
	if !sc.Scan() || json.Unmarshal(sc.Bytes(), &hello) != nil || hello.Op != "hello" {
		return
	}
	start := make(chan struct{})
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		started := false
		for sc.Scan() {
			var m airMsg
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				return
			}
			switch m.Op {
			case "advertise":
				raw, err := hex.DecodeString(m.AD)
				if err != nil {
					return
				}
				b, err := ParseIBeacon(raw)
				if err != nil {
					return // an agent that advertises garbage is dropped
				}
				a.mu.Lock()
				a.adverts[key] = b
				a.mu.Unlock()
				if !started {
					started = true
					close(start)
				}
			case "stop":
				a.mu.Lock()
				delete(a.adverts, key)
				a.mu.Unlock()
			}
		}
	}()
	select {
	case <-start:
	case <-gone:
		return
	}
	w := bufio.NewWriter(c)
	enc := json.NewEncoder(w)
	o := a.sim.opts
	wallStart := time.Now()
	for _, s := range a.sim.Sightings(Point{hello.X, hello.Y}) {
		if o.Speed > 0 {
			if wait := time.Until(wallStart.Add(time.Duration(float64(s.At.Sub(o.Start)) / o.Speed))); wait > 0 {
				if w.Flush() != nil {
					return
				}
				select {
				case <-time.After(wait):
				case <-gone:
					return
				}
			}
		}
		if enc.Encode(airMsg{Device: s.DeviceID, RSSI: s.RSSI, At: s.At, Shake: s.Shake}) != nil {
			return
		}
	}
	if enc.Encode(airMsg{Op: "end"}) != nil || w.Flush() != nil {
		return
	}
	<-gone // keep taking advertisements until the agent leaves
}

// AirRadio is a radio on an AirServer's air.
type AirRadio struct {
	conn     net.Conn
	ch       chan Sighting
	done     chan struct{}
	finished chan struct{}
	wg       sync.WaitGroup

	mu     sync.Mutex
	closed bool
	err    error
}

var _ radio = (*AirRadio)(nil)

// DialAir connects to an AirServer at addr as an agent whose beacon is at
// the given position.
func DialAir(ctx context.Context, addr string, beacon Point) (*AirRadio, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ble: air: %w", err)
	}
	r := &AirRadio{conn: c, ch: make(chan Sighting), done: make(chan struct{}), finished: make(chan struct{})}
	if err := r.send(airMsg{Op: "hello", X: beacon.X, Y: beacon.Y}); err != nil {
		c.Close()
		return nil, err
	}
	r.wg.Add(1)
	go r.read()
	return r, nil
}

func (r *AirRadio) send(m airMsg) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("ble: air: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if _, err := r.conn.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("ble: air: %w", err)
	}
	return nil
}

func (r *AirRadio) read() {
	defer r.wg.Done()
	sc := bufio.NewScanner(r.conn)
	sc.Buffer(make([]byte, 0, 512), maxAirLine)
	for sc.Scan() {
		var m airMsg
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			r.fail(fmt.Errorf("ble: air: bad line: %w", err))
			return
		}
		if m.Op == "end" {
			close(r.finished)
			continue
		}
		select {
		case r.ch <- Sighting{DeviceID: m.Device, RSSI: m.RSSI, At: m.At, Shake: m.Shake}:
		case <-r.done:
			return
		}
	}
	if err := sc.Err(); err != nil {
		r.fail(fmt.Errorf("ble: air: %w", err))
	}
}

func (r *AirRadio) fail(err error) {
	r.mu.Lock()
	if r.err == nil && !r.closed {
		r.err = err
	}
	r.mu.Unlock()
}

// Err returns why the air connection broke, if it did.
func (r *AirRadio) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Advertise sends the identity's advertising data to the air; the first
// advertisement starts the day.
func (r *AirRadio) Advertise(ctx context.Context, b IBeacon) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.send(airMsg{Op: "advertise", AD: hex.EncodeToString(b.AdvertisingData())})
}

// StopAdvertising withdraws the advertisement; sightings go on.
func (r *AirRadio) StopAdvertising(ctx context.Context) error { return r.send(airMsg{Op: "stop"}) }

// Sightings returns the stream; Close closes it.
func (r *AirRadio) Sightings() <-chan Sighting { return r.ch }

// Done is closed when the air says the day is over and every sighting has
// been received.
func (r *AirRadio) Done() <-chan struct{} { return r.finished }

// Close disconnects and closes Sightings.
func (r *AirRadio) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	close(r.done)
	err := r.conn.Close()
	r.mu.Unlock()
	r.wg.Wait()
	close(r.ch)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("ble: air: close: %w", err)
	}
	return nil
}
