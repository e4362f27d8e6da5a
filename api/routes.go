package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// route is one entry of the table that registers echo routes and generates
// the OpenAPI document, so the two always agree.
type route struct {
	Method  string
	Path    string // echo syntax: /v1/stores/:id
	Handler echo.HandlerFunc
	Auth    authKind
	Public  bool // rate limited per client IP
	Ops     bool // served before the index is loaded
	Tag     string
	Summary string
	Query   []param  // query parameters
	Request string   // schema name of the JSON body; "" for none
	Media   []string // request media types other than JSON
	Status  int      // success status
	Reply   string   // schema name of the success body; "" for none
}

// param is a documented query parameter.
type param struct {
	Name, Type, Desc string
	Required         bool
}

var (
	pageQuery  = []param{{"limit", "integer", "Page size, 1 to 100 (default 20).", false}, {"cursor", "string", "Opaque cursor from next_cursor.", false}}
	rangeQuery = []param{{"from", "string", "First day, YYYY-MM-DD or RFC 3339 (default 30 days ago).", false}, {"to", "string", "Last day, YYYY-MM-DD or RFC 3339 (default now).", false}}
)

func (s *Server) routeTable() []route {
	nearbyQuery := []param{
		{"lat", "number", "Latitude, -90 to 90.", true}, {"lng", "number", "Longitude, -180 to 180.", true},
		{"radius_m", "number", "Search radius in metres (default 5000, max 50000).", false},
		{"limit", "integer", "Results per page, 1 to 100 (default 20).", false},
		{"cursor", "string", "Opaque cursor from next_cursor.", false},
		{"category", "string", "Only programs of this category.", false},
		{"age", "integer", "Phone user's age, for targeting.", false},
		{"gender", "string", "female, male or other.", false}, {"os", "string", "ios, android or harmonyos.", false},
		{"open_now", "boolean", "Only stores open now.", false}, {"explain", "boolean", "Add the per-factor score breakdown.", false},
	}
	importQuery := []param{
		{"format", "string", "csv or geojson (default from Content-Type).", false},
		{"columns", "string", "CSV column mapping, e.g. lat=Latitude,lng=Longitude,name=Store Name,timezone= (empty ignores a column).", false},
		{"category", "string", "Category for CSV rows without one.", false},
	}
	heatQuery := append([]param{
		{"res", "integer", "H3 resolution 0 to 15 (default 7).", false},
		{"min_lat", "number", "South edge.", true}, {"min_lng", "number", "West edge (greater than max_lng crosses the antimeridian).", true},
		{"max_lat", "number", "North edge.", true}, {"max_lng", "number", "East edge.", true},
		{"boundary", "boolean", "Add each cell's polygon as boundary: [[lat, lng], ...].", false},
	}, rangeQuery...)
	const (
		ops = "operations"
		mer = "merchants"
		sto = "stores"
		prg = "programs"
		bcn = "beacons"
		phn = "phones"
		agt = "agents"
		sts = "statistics"
	)
	return []route{
		{Method: http.MethodGet, Path: "/healthz", Handler: s.handleHealthz, Ops: true, Tag: ops, Summary: "Process is up", Status: 200, Reply: "Status"},
		{Method: http.MethodGet, Path: "/readyz", Handler: s.handleReadyz, Ops: true, Tag: ops, Summary: "Storage open and index loaded (503 until then)", Status: 200, Reply: "Status"},
		{Method: http.MethodGet, Path: "/metrics", Handler: s.handleMetrics(), Ops: true, Tag: ops, Summary: "Prometheus metrics", Status: 200, Reply: "text"},
		{Method: http.MethodGet, Path: "/openapi.json", Handler: s.handleOpenAPI, Ops: true, Tag: ops, Summary: "This OpenAPI 3.1 document", Status: 200, Reply: "object"},

		{Method: http.MethodPost, Path: "/v1/merchants", Handler: s.handleCreateMerchant, Auth: authAdmin, Tag: mer, Summary: "Create a merchant; the API key is shown once", Request: "MerchantInput", Status: 201, Reply: "Merchant"},

		{Method: http.MethodPost, Path: "/v1/stores", Handler: s.handleCreateStore, Auth: authMerchant, Tag: sto, Summary: "Create a store", Request: "StoreInput", Status: 201, Reply: "Store"},
		{Method: http.MethodGet, Path: "/v1/stores", Handler: s.handleListStores, Auth: authMerchant, Tag: sto, Summary: "List the merchant's stores", Query: pageQuery, Status: 200, Reply: "StoreList"},
		{Method: http.MethodPost, Path: "/v1/stores/import", Handler: s.handleImport, Auth: authMerchant, Tag: sto, Summary: "Import stores from CSV or GeoJSON (streamed)", Query: importQuery, Media: []string{"text/csv", "application/geo+json"}, Status: 200, Reply: "ImportResult"},
		{Method: http.MethodGet, Path: "/v1/stores/:id", Handler: s.handleGetStore, Auth: authMerchant, Tag: sto, Summary: "Get a store", Status: 200, Reply: "Store"},
		{Method: http.MethodPut, Path: "/v1/stores/:id", Handler: s.handleUpdateStore, Auth: authMerchant, Tag: sto, Summary: "Replace a store", Request: "StoreInput", Status: 200, Reply: "Store"},
		{Method: http.MethodDelete, Path: "/v1/stores/:id", Handler: s.handleDeleteStore, Auth: authMerchant, Tag: sto, Summary: "Delete a store (409 while a beacon uses it)", Status: 204},

		{Method: http.MethodPost, Path: "/v1/programs", Handler: s.handleCreateProgram, Auth: authMerchant, Tag: prg, Summary: "Create a mini-program", Request: "ProgramInput", Status: 201, Reply: "Program"},
		{Method: http.MethodGet, Path: "/v1/programs", Handler: s.handleListPrograms, Auth: authMerchant, Tag: prg, Summary: "List the merchant's mini-programs", Query: pageQuery, Status: 200, Reply: "ProgramList"},
		{Method: http.MethodGet, Path: "/v1/programs/:id", Handler: s.handleGetProgram, Auth: authMerchant, Tag: prg, Summary: "Get a mini-program", Status: 200, Reply: "Program"},
		{Method: http.MethodPut, Path: "/v1/programs/:id", Handler: s.handleUpdateProgram, Auth: authMerchant, Tag: prg, Summary: "Replace a mini-program", Request: "ProgramInput", Status: 200, Reply: "Program"},
		{Method: http.MethodDelete, Path: "/v1/programs/:id", Handler: s.handleDeleteProgram, Auth: authMerchant, Tag: prg, Summary: "Delete a mini-program", Status: 204},

		{Method: http.MethodPost, Path: "/v1/beacons", Handler: s.handleCreateBeacon, Auth: authMerchant, Tag: bcn, Summary: "Create a beacon; the agent token is shown once", Request: "BeaconInput", Status: 201, Reply: "Beacon"},
		{Method: http.MethodGet, Path: "/v1/beacons", Handler: s.handleListBeacons, Auth: authMerchant, Tag: bcn, Summary: "List the merchant's beacons", Query: pageQuery, Status: 200, Reply: "BeaconList"},
		{Method: http.MethodGet, Path: "/v1/beacons/:id", Handler: s.handleGetBeacon, Auth: authMerchant, Tag: bcn, Summary: "Get a beacon with its last heartbeat", Status: 200, Reply: "Beacon"},
		{Method: http.MethodPut, Path: "/v1/beacons/:id", Handler: s.handleUpdateBeacon, Auth: authMerchant, Tag: bcn, Summary: "Replace a beacon (an omitted identity is kept)", Request: "BeaconInput", Status: 200, Reply: "Beacon"},
		{Method: http.MethodDelete, Path: "/v1/beacons/:id", Handler: s.handleDeleteBeacon, Auth: authMerchant, Tag: bcn, Summary: "Delete a beacon", Status: 204},

		{Method: http.MethodGet, Path: "/v1/nearby", Handler: s.handleNearby, Public: true, Tag: phn, Summary: "Mini-programs near a location, ranked", Query: nearbyQuery, Status: 200, Reply: "NearbyPage"},
		{Method: http.MethodPost, Path: "/v1/beacons/resolve", Handler: s.handleResolve, Public: true, Tag: phn, Summary: "Resolve seen beacons to stores and pages", Request: "ResolveInput", Status: 200, Reply: "ResolveResult"},
		{Method: http.MethodPost, Path: "/v1/shake", Handler: s.handleShake, Public: true, Tag: phn, Summary: "Shake: choose the nearest beacon (or the best nearby program) and record it", Request: "ShakeInput", Status: 200, Reply: "ShakeResult"},
		{Method: http.MethodGet, Path: "/v1/shakes/:ticket", Handler: s.handleGetShake, Auth: authMerchant, Tag: phn, Summary: "A shake of one of the merchant's beacons", Status: 200, Reply: "ShakeRecord"},

		{Method: http.MethodGet, Path: "/v1/agent/config", Handler: s.handleAgentConfig, Auth: authAgent, Tag: agt, Summary: "The identity the agent advertises", Status: 200, Reply: "AgentConfig"},
		{Method: http.MethodPost, Path: "/v1/agent/heartbeat", Handler: s.handleAgentHeartbeat, Auth: authAgent, Tag: agt, Summary: "Report the agent's state", Request: "HeartbeatInput", Status: 204},
		{Method: http.MethodPost, Path: "/v1/agent/events", Handler: s.handleAgentEvents, Auth: authAgent, Tag: agt, Summary: "Upload a batch of events (idempotent by event id)", Request: "EventsInput", Status: 200, Reply: "EventsResult"},

		{Method: http.MethodGet, Path: "/v1/stats/beacons/:id", Handler: s.handleBeaconStats, Auth: authMerchant, Tag: sts, Summary: "Per-day statistics of a beacon", Query: rangeQuery, Status: 200, Reply: "Stats"},
		{Method: http.MethodGet, Path: "/v1/stats/stores/:id", Handler: s.handleStoreStats, Auth: authMerchant, Tag: sts, Summary: "Per-day statistics of a store", Query: rangeQuery, Status: 200, Reply: "Stats"},
		{Method: http.MethodGet, Path: "/v1/stats/heatmap", Handler: s.handleHeatmap, Auth: authMerchant, Tag: sts, Summary: "Event counts of the merchant's stores per H3 cell", Query: heatQuery, Status: 200, Reply: "Heatmap"},
	}
}

type statusJSON struct {
	Status string `json:"status"`
	Stores int    `json:"stores"`
}

func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, statusJSON{Status: "ok", Stores: s.status.IndexLen()})
}

func (s *Server) handleReadyz(c echo.Context) error {
	if !s.ready.Load() {
		c.Response().Header().Set("Retry-After", "1")
		return c.JSON(http.StatusServiceUnavailable, statusJSON{Status: "loading", Stores: s.status.IndexLen()})
	}
	return c.JSON(http.StatusOK, statusJSON{Status: "ready", Stores: s.status.IndexLen()})
}

func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openapi)
}
