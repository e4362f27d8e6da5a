package api

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// route is one entry of the table that registers echo routes and generates
// the OpenAPI document, so the two always agree.
type route struct {
	Method   string
	Path     string // echo syntax: /v1/stores/:id
	Handler  echo.HandlerFunc
	Auth     authKind
	Public   bool // rate limited per client IP
	Ops      bool // served before the index is loaded
	Tag      string
	OpID     string // operationId
	Summary  string
	Query    []param  // query parameters
	Request  string   // schema name of the JSON body; "" for none
	Media    []string // request media types other than JSON
	Status   int      // success status
	Reply    string   // schema name of the success body; "" for none
	Conflict string   // when the route answers 409; "" for never
	// DocOnly routes are documented but served by another entry's
	// handler: echo cannot route /v1/qrcodes/:id.png apart from :id.
	DocOnly bool
	// Redirect, when set, documents a 302 answer; NotFound a 404 of a
	// route without a path parameter (a record its body names).
	Redirect, NotFound string
}

// param is a documented query parameter; Schema is the JSON Schema of its
// value.
type param struct {
	Name, Desc string
	Required   bool
	Schema     obj
}

var (
	pageQuery  = []param{qInt("limit", "Page size.", 1, nearby.MaxLimit, nearby.DefaultLimit), qStr("cursor", "Opaque cursor from next_cursor of the previous page.")}
	rangeQuery = []param{
		qDay("from", "First day, YYYY-MM-DD or RFC 3339 (default 30 days before the last day, from midnight in the store's zone)."),
		qDay("to", "Last day, YYYY-MM-DD or RFC 3339 (default now: today in the store's zone, the beacon's store's for a beacon, UTC for the heatmap)."),
	}
)

// The query parameters of the phone, import and heatmap routes.
var (
	nearbyQuery = []param{
		qNum("lat", "Latitude of the phone (WGS84 degrees).", -90, 90).required(),
		qNum("lng", "Longitude of the phone (WGS84 degrees).", -180, 180).required(),
		qRadius("radius_m", "Search radius in metres."),
		qInt("limit", "Results per page.", 1, nearby.MaxLimit, nearby.DefaultLimit),
		qStr("cursor", "Opaque cursor from next_cursor of the previous page."),
		qStr("category", "Only mini-programs of this category."),
		qInt("age", "Phone user's age, for targeting.", 0, nearby.MaxAge, nil),
		qEnum("gender", "Phone user's gender, for targeting.", nearby.Genders),
		qEnum("os", "Phone's operating system, for targeting.", nearby.OSes),
		qBool("open_now", "Only stores open now."),
		qBool("explain", "Add the per-factor score breakdown."),
		qStr("app_id", "Only mini-programs of this app id."),
		qStr("merchant_id", "Only this merchant's mini-programs (mer_...)."),
		qStr("q", "Name search: the mini-program's name, or its store's name or tags; case- and accent-insensitive word prefixes, Chinese and Japanese by character bigrams. How well it matched adds to the score (explain: relevance)."),
	}
	importQuery = []param{
		qEnum("format", "File format (default from the Content-Type).", []string{"csv", "geojson"}),
		qStr("columns", "CSV column mapping, e.g. lat=Latitude,lng=Longitude,name=Store Name,timezone= (empty ignores a column)."),
		qStr("category", "Category for rows without one."),
	}
	heatQuery = append([]param{
		qInt("res", "H3 resolution.", 0, 15, 7),
		qNum("min_lat", "South edge (WGS84 degrees).", -90, 90).required(),
		qNum("min_lng", "West edge (WGS84 degrees); greater than max_lng crosses the antimeridian.", -180, 180).required(),
		qNum("max_lat", "North edge (WGS84 degrees).", -90, 90).required(),
		qNum("max_lng", "East edge (WGS84 degrees).", -180, 180).required(),
		qBool("boundary", "Add each cell's polygon as boundary: [[lat, lng], ...]."),
	}, rangeQuery...)
)

// The route table's tags.
const (
	tagOps        = "operations"
	tagMerchants  = "merchants"
	tagStores     = "stores"
	tagPrograms   = "programs"
	tagBeacons    = "beacons"
	tagPhones     = "phones"
	tagAgents     = "agents"
	tagStatistics = "statistics"
	tagAlerts     = "alerts"
	tagWebhooks   = "webhooks"
	tagQRCodes    = "qrcodes"
)

// routeTable is every route of the API.
func (s *Server) routeTable() []route {
	return slices.Concat(s.registryRoutes(), s.activityRoutes())
}

// registryRoutes are the operational routes and the merchants' registry.
func (s *Server) registryRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: "/healthz", Handler: s.handleHealthz, Ops: true, Tag: tagOps, OpID: "getHealth", Summary: "Process is up", Status: 200, Reply: "Status"},
		{Method: http.MethodGet, Path: "/readyz", Handler: s.handleReadyz, Ops: true, Tag: tagOps, OpID: "getReadiness", Summary: "Storage open and index loaded (503 until then)", Status: 200, Reply: "Status"},
		{Method: http.MethodGet, Path: "/metrics", Handler: s.handleMetrics(), Ops: true, Tag: tagOps, OpID: "getMetrics", Summary: "Prometheus metrics", Status: 200, Reply: "text"},
		{Method: http.MethodGet, Path: "/openapi.json", Handler: s.handleOpenAPI, Ops: true, Tag: tagOps, OpID: "getOpenAPI", Summary: "This OpenAPI 3.1 document", Status: 200, Reply: "object"},

		{Method: http.MethodPost, Path: "/v1/merchants", Handler: s.handleCreateMerchant, Auth: authAdmin, Tag: tagMerchants, OpID: "createMerchant", Summary: "Create a merchant; the API key is shown once", Request: "MerchantInput", Status: 201, Reply: "Merchant"},
		{Method: http.MethodGet, Path: "/v1/merchants", Handler: s.handleListMerchants, Auth: authAdmin, Tag: tagMerchants, OpID: "listMerchants", Summary: "List the merchants with their key ids and times (never a secret)", Query: pageQuery, Status: 200, Reply: "MerchantList"},
		{Method: http.MethodPost, Path: "/v1/merchants/:id/keys", Handler: s.handleIssueMerchantKey, Auth: authAdminOrMerchant, Tag: tagMerchants, OpID: "issueMerchantKey", Summary: "Issue another API key, shown once; the other keys keep working", Request: "KeyInput", Status: 201, Reply: "NewKey", Conflict: "The merchant already holds the most active keys allowed."},
		{Method: http.MethodDelete, Path: "/v1/merchants/:id/keys/:key_id", Handler: s.handleRevokeMerchantKey, Auth: authAdminOrMerchant, Tag: tagMerchants, OpID: "revokeMerchantKey", Summary: "Revoke an API key at once", Status: 204},

		{Method: http.MethodPost, Path: "/v1/stores", Handler: s.handleCreateStore, Auth: authMerchant, Tag: tagStores, OpID: "createStore", Summary: "Create a store", Request: "StoreInput", Status: 201, Reply: "Store"},
		{Method: http.MethodGet, Path: "/v1/stores", Handler: s.handleListStores, Auth: authMerchant, Tag: tagStores, OpID: "listStores", Summary: "List the merchant's stores", Query: pageQuery, Status: 200, Reply: "StoreList"},
		{Method: http.MethodPost, Path: "/v1/stores/import", Handler: s.handleImport, Auth: authMerchant, Tag: tagStores, OpID: "importStores", Summary: "Import stores from CSV or GeoJSON (streamed)", Query: importQuery, Media: []string{"text/csv", "application/geo+json"}, Status: 200, Reply: "ImportResult"},
		{Method: http.MethodGet, Path: "/v1/stores/:id", Handler: s.handleGetStore, Auth: authMerchant, Tag: tagStores, OpID: "getStore", Summary: "Get a store", Status: 200, Reply: "Store"},
		{Method: http.MethodPut, Path: "/v1/stores/:id", Handler: s.handleUpdateStore, Auth: authMerchant, Tag: tagStores, OpID: "updateStore", Summary: "Replace a store", Request: "StoreInput", Status: 200, Reply: "Store"},
		{Method: http.MethodDelete, Path: "/v1/stores/:id", Handler: s.handleDeleteStore, Auth: authMerchant, Tag: tagStores, OpID: "deleteStore", Summary: "Delete a store (409 while a beacon uses it)", Status: 204, Conflict: "A beacon is installed at the store."},

		{Method: http.MethodPost, Path: "/v1/programs", Handler: s.handleCreateProgram, Auth: authMerchant, Tag: tagPrograms, OpID: "createProgram", Summary: "Create a mini-program", Request: "ProgramInput", Status: 201, Reply: "Program"},
		{Method: http.MethodGet, Path: "/v1/programs", Handler: s.handleListPrograms, Auth: authMerchant, Tag: tagPrograms, OpID: "listPrograms", Summary: "List the merchant's mini-programs", Query: pageQuery, Status: 200, Reply: "ProgramList"},
		{Method: http.MethodGet, Path: "/v1/programs/:id", Handler: s.handleGetProgram, Auth: authMerchant, Tag: tagPrograms, OpID: "getProgram", Summary: "Get a mini-program", Status: 200, Reply: "Program"},
		{Method: http.MethodPut, Path: "/v1/programs/:id", Handler: s.handleUpdateProgram, Auth: authMerchant, Tag: tagPrograms, OpID: "updateProgram", Summary: "Replace a mini-program", Request: "ProgramInput", Status: 200, Reply: "Program"},
		{Method: http.MethodPost, Path: "/v1/programs/:id/stores", Handler: s.handleLinkStores, Auth: authMerchant, Tag: tagPrograms, OpID: "linkProgramStores", Summary: "Add stores to a mini-program, by id or by selection (chains of any size)", Request: "ProgramStoresInput", Status: 200, Reply: "ProgramStoresResult"},
		{Method: http.MethodDelete, Path: "/v1/programs/:id/stores/:store_id", Handler: s.handleUnlinkStore, Auth: authMerchant, Tag: tagPrograms, OpID: "unlinkProgramStore", Summary: "Remove one store from a mini-program", Status: 204},
		{Method: http.MethodDelete, Path: "/v1/programs/:id", Handler: s.handleDeleteProgram, Auth: authMerchant, Tag: tagPrograms, OpID: "deleteProgram", Summary: "Delete a mini-program (409 while a beacon's page shows it)", Status: 204, Conflict: "A beacon's page shows the mini-program."},

		{Method: http.MethodPost, Path: "/v1/beacons", Handler: s.handleCreateBeacon, Auth: authMerchant, Tag: tagBeacons, OpID: "createBeacon", Summary: "Create a beacon; the agent token is shown once", Request: "BeaconInput", Status: 201, Reply: "Beacon", Conflict: "Another beacon has the identity (uuid, major, minor)."},
		{Method: http.MethodGet, Path: "/v1/beacons", Handler: s.handleListBeacons, Auth: authMerchant, Tag: tagBeacons, OpID: "listBeacons", Summary: "List the merchant's beacons", Query: pageQuery, Status: 200, Reply: "BeaconList"},
		{Method: http.MethodGet, Path: "/v1/beacons/:id", Handler: s.handleGetBeacon, Auth: authMerchant, Tag: tagBeacons, OpID: "getBeacon", Summary: "Get a beacon with its last heartbeat", Status: 200, Reply: "Beacon"},
		{Method: http.MethodPut, Path: "/v1/beacons/:id", Handler: s.handleUpdateBeacon, Auth: authMerchant, Tag: tagBeacons, OpID: "updateBeacon", Summary: "Replace a beacon (an omitted identity is kept)", Request: "BeaconInput", Status: 200, Reply: "Beacon", Conflict: "Another beacon has the identity (uuid, major, minor)."},
		{Method: http.MethodDelete, Path: "/v1/beacons/:id", Handler: s.handleDeleteBeacon, Auth: authMerchant, Tag: tagBeacons, OpID: "deleteBeacon", Summary: "Delete a beacon", Status: 204},
		{Method: http.MethodPost, Path: "/v1/beacons/:id/tokens", Handler: s.handleIssueAgentToken, Auth: authMerchant, Tag: tagBeacons, OpID: "issueAgentToken", Summary: "Issue another agent token, shown once; the other tokens keep working", Request: "KeyInput", Status: 201, Reply: "NewKey", Conflict: "The beacon already holds the most active tokens allowed."},
		{Method: http.MethodDelete, Path: "/v1/beacons/:id/tokens/:token_id", Handler: s.handleRevokeAgentToken, Auth: authMerchant, Tag: tagBeacons, OpID: "revokeAgentToken", Summary: "Revoke an agent token at once", Status: 204},
	}
}

// activityRoutes are what phones and agents call, and what merchants read
// of their activity.
func (s *Server) activityRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: "/v1/nearby", Handler: s.handleNearby, Public: true, Tag: tagPhones, OpID: "listNearby", Summary: "Mini-programs near a location, ranked", Query: nearbyQuery, Status: 200, Reply: "NearbyPage"},
		{Method: http.MethodGet, Path: "/v1/stores/nearby", Handler: s.handleStoresNearby, Public: true, Tag: tagPhones, OpID: "listStoresNearby", Summary: "Store locator: stores near a location, nearest first, with the mini-programs present", Query: storesNearbyQuery, Status: 200, Reply: "StoreLocatorPage"},
		{Method: http.MethodPost, Path: "/v1/beacons/resolve", Handler: s.handleResolve, Public: true, Tag: tagPhones, OpID: "resolveBeacons", Summary: "Resolve seen beacons to stores and pages", Request: "ResolveInput", Status: 200, Reply: "ResolveResult"},
		{Method: http.MethodPost, Path: "/v1/shake", Handler: s.handleShake, Public: true, Tag: tagPhones, OpID: "shake", Summary: "Shake: choose the nearest beacon (or the best nearby program) and record it", Request: "ShakeInput", Status: 200, Reply: "ShakeResult"},
		{Method: http.MethodGet, Path: "/v1/shakes/:ticket", Handler: s.handleGetShake, Auth: authMerchant, Tag: tagPhones, OpID: "getShake", Summary: "A shake of one of the merchant's beacons", Status: 200, Reply: "ShakeRecord"},

		{Method: http.MethodPost, Path: "/v1/qrcodes", Handler: s.handleCreateQRCode, Auth: authMerchant, Tag: tagQRCodes, OpID: "createQRCode", Summary: "Create a QR code for a store, a mini-program (optionally at a store) or a campaign", Request: "QRCodeInput", Status: 201, Reply: "QRCode", NotFound: "The target's store or mini-program is not the merchant's (errors names target.store_id or target.program_id)."},
		{Method: http.MethodGet, Path: "/v1/qrcodes", Handler: s.handleListQRCodes, Auth: authMerchant, Tag: tagQRCodes, OpID: "listQRCodes", Summary: "List the merchant's QR codes", Query: pageQuery, Status: 200, Reply: "QRCodeList"},
		{Method: http.MethodGet, Path: "/v1/qrcodes/:id", Handler: s.handleGetQRCode, Auth: authMerchant, Tag: tagQRCodes, OpID: "getQRCode", Summary: "Get a QR code", Status: 200, Reply: "QRCode"},
		{Method: http.MethodGet, Path: "/v1/qrcodes/:id.png", Handler: s.handleGetQRCode, Auth: authMerchant, Tag: tagQRCodes, OpID: "getQRCodePNG", Summary: "The QR code as a PNG image", Status: 200, Reply: "png", DocOnly: true},
		{Method: http.MethodGet, Path: "/v1/qrcodes/:id.svg", Handler: s.handleGetQRCode, Auth: authMerchant, Tag: tagQRCodes, OpID: "getQRCodeSVG", Summary: "The QR code as an SVG image", Status: 200, Reply: "svg", DocOnly: true},
		{Method: http.MethodDelete, Path: "/v1/qrcodes/:id", Handler: s.handleDeleteQRCode, Auth: authMerchant, Tag: tagQRCodes, OpID: "deleteQRCode", Summary: "Delete a QR code (its URL then answers 404)", Status: 204},
		{Method: http.MethodGet, Path: "/q/:code", Handler: s.handleScanQR, Public: true, Tag: tagQRCodes, OpID: "scanQRCode", Summary: "A scanned QR code: counts the scan; JSON with Accept: application/json, else a redirect to the target's deep link", Status: 200, Reply: "QRScanResult", Redirect: "Redirect to the deep link that opens the target (Location)."},

		{Method: http.MethodGet, Path: "/v1/agent/config", Handler: s.handleAgentConfig, Auth: authAgent, Tag: tagAgents, OpID: "getAgentConfig", Summary: "The identity the agent advertises", Status: 200, Reply: "AgentConfig"},
		{Method: http.MethodPost, Path: "/v1/agent/heartbeat", Handler: s.handleAgentHeartbeat, Auth: authAgent, Tag: tagAgents, OpID: "sendHeartbeat", Summary: "Report the agent's state", Request: "HeartbeatInput", Status: 204},
		{Method: http.MethodPost, Path: "/v1/agent/events", Handler: s.handleAgentEvents, Auth: authAgent, Tag: tagAgents, OpID: "uploadEvents", Summary: "Upload a batch of events (idempotent by event id)", Request: "EventsInput", Status: 200, Reply: "EventsResult"},

		{Method: http.MethodGet, Path: "/v1/stats/beacons/:id", Handler: s.handleBeaconStats, Auth: authMerchant, Tag: tagStatistics, OpID: "getBeaconStats", Summary: "Per-day statistics of a beacon", Query: rangeQuery, Status: 200, Reply: "Stats"},
		{Method: http.MethodGet, Path: "/v1/stats/stores/:id", Handler: s.handleStoreStats, Auth: authMerchant, Tag: tagStatistics, OpID: "getStoreStats", Summary: "Per-day statistics of a store", Query: rangeQuery, Status: 200, Reply: "Stats"},
		{Method: http.MethodGet, Path: "/v1/alerts", Handler: s.handleListAlerts, Auth: authMerchant, Tag: tagAlerts, OpID: "listAlerts", Summary: "The merchant's fleet health alerts (silent, battery, temperature, spool drops, clones, webhooks)", Query: alertQuery, Status: 200, Reply: "AlertList"},
		{Method: http.MethodPost, Path: "/v1/webhooks", Handler: s.handleCreateWebhook, Auth: authMerchant, Tag: tagWebhooks, OpID: "createWebhook", Summary: "Register a webhook endpoint; the signing secret is shown once", Request: "WebhookInput", Status: 201, Reply: "Webhook", Conflict: "The merchant has the most endpoints allowed."},
		{Method: http.MethodGet, Path: "/v1/webhooks", Handler: s.handleListWebhooks, Auth: authMerchant, Tag: tagWebhooks, OpID: "listWebhooks", Summary: "The merchant's webhook endpoints", Status: 200, Reply: "WebhookList"},
		{Method: http.MethodDelete, Path: "/v1/webhooks/:id", Handler: s.handleDeleteWebhook, Auth: authMerchant, Tag: tagWebhooks, OpID: "deleteWebhook", Summary: "Delete a webhook endpoint", Status: 204},
		{Method: http.MethodPost, Path: "/v1/webhooks/:id/test", Handler: s.handleTestWebhook, Auth: authMerchant, Tag: tagWebhooks, OpID: "testWebhook", Summary: "Send a signed ping to a webhook endpoint now", Request: "WebhookTestInput", Status: 200, Reply: "WebhookTest"},
		{Method: http.MethodGet, Path: "/v1/events/stream", Handler: s.handleEventStream, Auth: authMerchant, Tag: tagWebhooks, OpID: "streamEvents", Summary: "The merchant's events as Server-Sent Events, resumable with Last-Event-ID", Query: streamQuery, Status: 200, Reply: "event-stream"},
		{Method: http.MethodGet, Path: "/v1/stats/qrcodes/:id", Handler: s.handleQRStats, Auth: authMerchant, Tag: tagStatistics, OpID: "getQRCodeStats", Summary: "Per-day scans of a QR code", Query: rangeQuery, Status: 200, Reply: "QRStats"},
		{Method: http.MethodGet, Path: "/v1/stats/heatmap", Handler: s.handleHeatmap, Auth: authMerchant, Tag: tagStatistics, OpID: "getHeatmap", Summary: "Event counts of the merchant's stores per H3 cell", Query: heatQuery, Status: 200, Reply: "Heatmap"},
	}
}

type statusJSON struct {
	Status string `json:"status" jsonschema_description:"ok (healthz), ready or loading (readyz)."`
	Stores int    `json:"stores" jsonschema:"minimum=0" jsonschema_description:"Stores in the index."`
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
