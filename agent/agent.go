package agent

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ble"
)

// Server is the daemon as the agent sees it. *client.Client satisfies it.
type Server interface {
	Uploader
	ConfigSource
	Heartbeater
}

// Agent defaults.
const (
	DefaultDrainTimeout = 10 * time.Second
	DefaultTickEvery    = time.Second
)

// Options tunes an agent; nil or zero fields mean the defaults.
type Options struct {
	Version string
	Logger  *slog.Logger

	HeartbeatEvery time.Duration
	ConfigEvery    time.Duration
	AttemptTimeout time.Duration // per request to the daemon
	Backoff        Backoff
	BatchSize      int
	// Grace is how long a phone may go unheard before its visit ends; 0
	// means ble.DefaultLostAfter.
	Grace time.Duration
	// TickEvery is how often visits are expired by the wall clock, for
	// when no sightings arrive. Negative disables it: the simulator expires
	// visits by sighting time alone, so its output depends only on its seed.
	TickEvery time.Duration
	// DrainTimeout bounds the upload of the spool's remainder on shutdown.
	DrainTimeout    time.Duration
	TemperaturePath string
	// NewID returns event ids; nil means random UUIDs.
	NewID func() string
	Now   func() time.Time
}

func (o *Options) withDefaults() Options {
	var d Options
	if o != nil {
		d = *o
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Version == "" {
		d.Version = "dev"
	}
	def := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	def(&d.HeartbeatEvery, DefaultHeartbeatEvery)
	def(&d.ConfigEvery, DefaultConfigEvery)
	def(&d.AttemptTimeout, DefaultAttemptTimeout)
	def(&d.TickEvery, DefaultTickEvery)
	def(&d.DrainTimeout, DefaultDrainTimeout)
	if d.BatchSize <= 0 {
		d.BatchSize = DefaultUploadBatchSize
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}

// Agent is the runtime of a beacon agent: it advertises the beacon's
// identity, turns what the radio sees into events, spools them durably and
// uploads them, and reports heartbeats.
type Agent struct {
	radio   Radio
	server  Server
	spool   *Spool
	sender  *Sender
	tracker *Tracker
	opts    Options
	log     *slog.Logger
	started time.Time
	// instance is random per process: the daemon tells two agents sharing
	// a token from a restarted one by it.
	instance string

	// radioMu serialises what is handed to the radio: a config change and
	// a rotation must not interleave their Stop and Advertise.
	radioMu sync.Mutex
	// rotated wakes the rotation loop when the config changes.
	rotated chan struct{}

	mu          sync.Mutex
	cfg         *nearby.AgentConfig
	advertising bool
	lost        int64 // events that could not be spooled (disk full, I/O error)
	run         map[nearby.EventType]int64
}

// New returns an agent. It does not own radio, server or spool: the caller
// closes them after Run returns.
func New(radio Radio, server Server, spool *Spool, opts *Options) *Agent {
	o := opts.withDefaults()
	a := &Agent{radio: radio, server: server, spool: spool, opts: o, log: o.Logger,
		run: make(map[nearby.EventType]int64), rotated: make(chan struct{}, 1), instance: rand.Text()[:16]}
	a.sender = NewSender(spool, server, o.Logger.With("subsystem", "uploader"))
	a.sender.BatchSize = o.BatchSize
	a.sender.AttemptTimeout = o.AttemptTimeout
	a.sender.Backoff = o.Backoff
	a.tracker = NewTracker(&ble.TrackerOptions{LostAfter: o.Grace})
	a.tracker.NewID = o.NewID
	return a
}

// Sender returns the agent's uploader, for its counters.
func (a *Agent) Sender() *Sender { return a.sender }

// Run works until ctx is done or the radio's sightings end, then ends the
// open visits, stops advertising and drains the spool for up to
// DrainTimeout. Events left in the spool are sent by the next run, so an
// undrained spool is not an error; an unreadable spool is.
func (a *Agent) Run(ctx context.Context) error {
	a.started = a.now()
	if _, err := a.spool.Stats(); err != nil {
		return err
	}
	a.loadCachedConfig(ctx)

	bg, stopBG := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { a.sender.Run(bg) })
	wg.Go(func() { a.configLoop(bg) })
	wg.Go(func() { a.heartbeatLoop(bg) })
	wg.Go(func() { a.rotateLoop(bg) })

	a.watch(ctx)
	a.record(a.tracker.Flush())
	stopBG()
	wg.Wait()

	// ctx may be done: later steps run on their own bounded contexts.
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opts.AttemptTimeout)
	if a.isAdvertising() {
		if err := a.radio.StopAdvertising(stopCtx); err != nil && !errors.Is(err, ble.ErrClosed) {
			a.log.Warn("stop advertising", "err", err)
		}
	}
	cancel()
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opts.DrainTimeout)
	defer cancel()
	if derr := a.sender.Flush(drainCtx); derr != nil {
		depth, _ := a.spool.Depth()
		a.log.Warn("spool not drained before exit; the next run sends the rest", "spool_depth", depth)
	}
	return nil
}

// watch feeds sightings to the tracker until ctx is done or the radio
// closes its channel (a simulated day ended).
func (a *Agent) watch(ctx context.Context) {
	var tick <-chan time.Time
	if a.opts.TickEvery > 0 {
		t := time.NewTicker(a.opts.TickEvery)
		defer t.Stop()
		tick = t.C
	}
	sightings := a.radio.Sightings()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick:
			a.record(a.tracker.Expire(now))
		case s, ok := <-sightings:
			if !ok {
				return
			}
			a.record(a.tracker.Observe(s))
		}
	}
}

// record spools evs in one fsynced transaction: an event exists once it is
// on disk. It never blocks on the network.
func (a *Agent) record(evs []nearby.Event) {
	if len(evs) == 0 {
		return
	}
	dropped, err := a.spool.Append(evs...)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.lost += int64(len(evs))
		a.log.Error("events lost: cannot write the spool", "events", len(evs), "err", err)
		return
	}
	for _, e := range evs {
		a.run[e.Type]++
	}
	if dropped > 0 {
		a.log.Warn("spool full: dropped the oldest events", "dropped", dropped)
	}
	a.sender.Notify()
}

func (a *Agent) isAdvertising() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.advertising
}

func (a *Agent) now() time.Time { return a.opts.Now() }

// Summary is what an agent generated and sent; a simulation prints it on
// exit so a test can compare it with what the daemon recorded.
type Summary struct {
	// Generated counts the events durably spooled over the spool's whole
	// life, by type: a run restarted on the same spool adds to them.
	Generated map[nearby.EventType]int64 `json:"generated"`
	Total     int64                      `json:"total"`
	// ThisRun counts the events this process spooled.
	ThisRun    map[nearby.EventType]int64 `json:"this_run"`
	Lost       int64                      `json:"lost"`        // could not be spooled (this run)
	Dropped    int64                      `json:"dropped"`     // spool full, oldest dropped (all runs)
	SpoolDepth int64                      `json:"spool_depth"` // still waiting for upload
	Accepted   int64                      `json:"accepted"`    // all runs, as acknowledged
	Duplicates int64                      `json:"duplicates"`  // all runs
	Rejected   int64                      `json:"rejected"`    // all runs
}

// Summary reads the spool's counters and this run's.
func (a *Agent) Summary() (Summary, error) {
	st, err := a.spool.Stats()
	if err != nil {
		return Summary{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	run := make(map[nearby.EventType]int64, len(nearby.EventTypes))
	for _, t := range nearby.EventTypes {
		run[t] = a.run[t]
	}
	return Summary{
		Generated: st.Generated, Total: st.GeneratedTotal(), ThisRun: run, Lost: a.lost,
		Dropped: st.Dropped, SpoolDepth: st.Depth,
		Accepted: st.Accepted, Duplicates: st.Duplicates, Rejected: st.Rejected,
	}, nil
}
