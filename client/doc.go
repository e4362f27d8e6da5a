// Package client is a Go client of Nearby's HTTP API (the contract is the
// project's API.md; the server is package api).
//
// A Client holds one bearer token: the admin token (CreateMerchant), a
// merchant API key (stores, programs, beacons, imports, shakes, statistics),
// an agent token (AgentConfig, Heartbeat, PostEvents) or none (the phone
// routes Nearby, Resolve and Shake, and the operational ones). WithToken
// switches token. Every route has a typed method; Do and DoRaw remain for
// routes newer than this package.
//
// Lists are read a page at a time (ListStores, ListPrograms, ListBeacons,
// Nearby) or with iterators that follow the cursors (Stores, Programs,
// Beacons, NearbyAll):
//
//	for s, err := range c.Stores(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(s.ID, s.Name)
//	}
//
// Every non-2xx answer is an *Error carrying the HTTP status, the fields of
// the server's problem+json (type, title, detail, errors, request_id), its
// Retry-After and the domain error code, so that callers use the domain's
// vocabulary: nearby.ErrorCode(err) == nearby.ENOTFOUND. Retryable tells a
// transient failure (408, 429, 5xx) from a refusal.
//
// The package is light on purpose: it is in the beacon agent's import graph,
// which must build for a Raspberry Pi without cgo, so it imports only the
// root package and the standard library.
package client
