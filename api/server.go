package api

import (
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Config.
const (
	DefaultMaxBodyBytes   = 1 << 20 // 1 MiB for JSON bodies
	DefaultMaxImportBytes = 4 << 30 // 4 GiB for a streamed import file
	DefaultImportBatch    = 5000    // stores per import transaction
	DefaultMaxEventBatch  = 1000    // events per agent upload
	DefaultRateLimit      = 100     // public requests per second per client IP
	DefaultRateBurst      = 200
	DefaultAgentInterval  = 1000 // advertising interval handed to agents, ms
	DefaultStatsMaxDays   = 366
	DefaultStatsDays      = 30
	DefaultMaxHeatmap     = 100000 // stores in one heatmap box
	DefaultMaxFailedRows  = 10000  // import rows reported one by one
)

// Config holds the server's tunables. Start from DefaultConfig.
type Config struct {
	AdminToken     string  // required: the admin bearer token
	MaxBodyBytes   int64   // JSON request bodies; larger is 413
	MaxImportBytes int64   // streamed import bodies
	ImportBatch    int     // stores committed per import transaction
	MaxEventBatch  int     // events per agent upload; more is 413
	RateLimit      float64 // public requests/s per client IP; 0 disables
	RateBurst      int
	AgentInterval  int // ms, returned by GET /v1/agent/config
	StatsMaxDays   int // longest from..to range of the statistics routes
	MaxHeatmap     int // most stores one heatmap request may cover
	MaxFailedRows  int // import failures listed one by one; the rest are counted
	// TrustForwardedFor takes the client IP (for the rate limit and the
	// logs) from X-Forwarded-For when the request comes from a private or
	// loopback address, i.e. from a reverse proxy in front of discoveryd.
	TrustForwardedFor bool
}

// DefaultConfig returns the default tunables (AdminToken still empty).
func DefaultConfig() Config {
	return Config{
		MaxBodyBytes:   DefaultMaxBodyBytes,
		MaxImportBytes: DefaultMaxImportBytes,
		ImportBatch:    DefaultImportBatch,
		MaxEventBatch:  DefaultMaxEventBatch,
		RateLimit:      DefaultRateLimit,
		RateBurst:      DefaultRateBurst,
		AgentInterval:  DefaultAgentInterval,
		StatsMaxDays:   DefaultStatsMaxDays,
		MaxHeatmap:     DefaultMaxHeatmap,
		MaxFailedRows:  DefaultMaxFailedRows,
	}
}

// Deps are the server's collaborators. Every interface is required
// (*discovery.Service satisfies them all); the rest have defaults.
type Deps struct {
	Merchants Merchants
	Stores    Stores
	Programs  Programs
	Beacons   Beacons
	Phones    Phones
	Agents    Agents
	Stats     Stats
	Status    Status
	Keys      Keys
	Alerts    Alerts   // nil: none
	Webhooks  Webhooks // nil: none
	Streams   Streams  // nil: none
	// ProgramStores changes the stores of one program.
	ProgramStores ProgramStores
	QRCodes       QRCodes
	Logger        *slog.Logger     // nil: discard
	Now           func() time.Time // nil: time.Now
	// Collectors are exported on /metrics beside the server's own (e.g.
	// the store's database statistics).
	Collectors []prometheus.Collector
}

// missing names the first required dependency that is nil.
func (d *Deps) missing() string {
	for _, dep := range []struct {
		name string
		nil  bool
	}{{"Merchants", d.Merchants == nil}, {"Stores", d.Stores == nil}, {"Programs", d.Programs == nil},
		{"Beacons", d.Beacons == nil}, {"Phones", d.Phones == nil}, {"Agents", d.Agents == nil},
		{"Stats", d.Stats == nil}, {"Status", d.Status == nil}, {"Keys", d.Keys == nil},
		{"ProgramStores", d.ProgramStores == nil}, {"QRCodes", d.QRCodes == nil}} {
		if dep.nil {
			return dep.name
		}
	}
	return ""
}

// Server is the HTTP API. Create it with New; it answers 503 on every route
// but the operational ones until SetReady(true).
type Server struct {
	cfg       Config
	merchants Merchants
	stores    Stores
	programs  Programs
	beacons   Beacons
	phones    Phones
	agents    Agents
	stats     Stats
	status    Status
	keys      Keys
	alerts    Alerts
	webhooks  Webhooks
	streams   Streams
	chains    ProgramStores
	qrcodes   QRCodes
	logger    *slog.Logger
	now       func() time.Time
	adminHash [sha256.Size]byte
	ready     atomic.Bool
	echo      *echo.Echo
	metrics   *metrics
	limiter   *ipLimiter
	routes    []route
	// quietRoutes are the public route templates, logged at debug level.
	quietRoutes map[string]bool
	openapi     []byte
	ridPrefix   string // with the separator: "xxxxxxxx-"
	ridSeq      atomic.Uint64
	// briefs: the catalog renders with Briefs, so the results' briefs are
	// this API's JSON and handleNearby copies them (see Briefs).
	briefs bool
}

// New builds the server and registers every route.
func New(cfg Config, deps Deps) (*Server, error) {
	switch {
	case cfg.AdminToken == "":
		return nil, errors.New("api: Config.AdminToken is required")
	case deps.missing() != "":
		return nil, errors.New("api: Deps." + deps.missing() + " is required")
	}
	cfg.fillDefaults()
	s := &Server{
		cfg:       cfg,
		merchants: deps.Merchants,
		stores:    deps.Stores,
		programs:  deps.Programs,
		beacons:   deps.Beacons,
		phones:    deps.Phones,
		agents:    deps.Agents,
		stats:     deps.Stats,
		status:    deps.Status,
		keys:      deps.Keys,
		chains:    deps.ProgramStores,
		qrcodes:   deps.QRCodes,
		logger:    deps.Logger,
		now:       deps.Now,
		adminHash: sha256.Sum256([]byte(cfg.AdminToken)),
		ridPrefix: NewSecret()[:8] + "-",
		briefs:    rendersBriefs(deps.Phones),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.alerts = deps.Alerts; s.alerts == nil {
		s.alerts = noAlerts{}
	}
	if s.webhooks = deps.Webhooks; s.webhooks == nil {
		s.webhooks = noWebhooks{}
	}
	if s.streams = deps.Streams; s.streams == nil {
		s.streams = noWebhooks{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.RateLimit > 0 {
		s.limiter = newIPLimiter(cfg.RateLimit, max(cfg.RateBurst, 1), s.now)
	}
	s.metrics = newMetrics(s, deps.Collectors)

	s.echo = s.newEcho()
	doc, err := s.buildOpenAPI()
	if err != nil {
		s.Close()
		return nil, err
	}
	s.openapi = doc
	return s, nil
}

// fillDefaults replaces zero or negative tunables by their defaults.
func (cfg *Config) fillDefaults() {
	def := DefaultConfig()
	fill := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	fill(&cfg.ImportBatch, def.ImportBatch)
	fill(&cfg.MaxEventBatch, def.MaxEventBatch)
	fill(&cfg.AgentInterval, def.AgentInterval)
	fill(&cfg.StatsMaxDays, def.StatsMaxDays)
	fill(&cfg.MaxHeatmap, def.MaxHeatmap)
	fill(&cfg.MaxFailedRows, def.MaxFailedRows)
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = def.MaxBodyBytes
	}
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = def.MaxImportBytes
	}
}

// newEcho returns the echo instance with the middleware and every route
// of the table, each behind readiness, the rate limit and its auth.
func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPDirect()
	if s.cfg.TrustForwardedFor {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Use(s.observe, s.recover)
	s.routes = s.routeTable()
	s.quietRoutes = map[string]bool{}
	for _, rt := range s.routes {
		if rt.DocOnly {
			continue
		}
		if rt.Public {
			s.quietRoutes[rt.Path] = true
		}
		var mw []echo.MiddlewareFunc
		if !rt.Ops {
			mw = append(mw, s.requireReady)
		}
		if rt.Public && s.limiter != nil {
			mw = append(mw, s.rateLimit)
		}
		if rt.Auth != authNone {
			mw = append(mw, s.requireAuth(rt.Auth))
		}
		e.Add(rt.Method, rt.Path, knownQuery(rt), mw...)
	}
	return e
}

// Handler returns the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo returns the underlying echo instance (for tests and route listing).
func (s *Server) Echo() *echo.Echo { return s.echo }

// SetReady marks storage open and the index loaded (or not).
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

// Ready reports whether SetReady(true) was called.
func (s *Server) Ready() bool { return s.ready.Load() }

// Close stops background work. It does not close the registry.
func (s *Server) Close() error {
	if s.limiter != nil {
		s.limiter.close()
	}
	return nil
}

var _ http.Handler = (*echo.Echo)(nil)
