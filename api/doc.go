// Package api is discoveryd's HTTP layer: an echo server with the routes of
// the public contract (../shared/API.md), their auth, validation and
// problem+json errors, Prometheus metrics and the generated /openapi.json.
//
// # Design
//
// Routes are one table (routes.go) from which both the echo router and the
// OpenAPI document are built, so the two cannot drift apart. Handlers return
// errors; a single HTTPErrorHandler (error.go) maps *nearby.Error codes and
// echo's own errors to RFC 9457 problem+json and logs internal details with
// the request id only.
//
// Handlers are thin: decode and check the request, call the application,
// encode the answer. The application is package discovery; api declares
// one small interface per noun (Merchants, Stores, Programs, Beacons,
// Phones, Agents, Stats, Status in deps.go), which *discovery.Service
// satisfies (ServiceDeps), and imports neither the store nor bbolt. Every
// write handler answers 2xx only after the service has committed the write
// and updated the in-memory catalog, so phone queries see it.
//
// # Serving
//
// Server.Handler is an http.Handler for any http.Server. discoveryd also
// wraps its listener with httpconn.Listener and sets the server's
// ConnContext to httpconn.ConnContext. The phone hot path, GET /v1/nearby,
// then sends each answer in one write instead of net/http's two
// (httpconn.WriteOnce). On one processor, its ranking also takes turns,
// least recently served connection first (httpconn.Conn.TakeTurn). Without
// the wrapper, the handlers answer the same, only slower at the tail
// (BENCHMARKS.md).
//
// # Caveats
//
// Merchant API keys and agent tokens carry their owner's id so the record can
// be found without a scan; only a SHA-256 hash of the token is stored, and it
// is compared in constant time.
package api
