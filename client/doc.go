// Package client is a Go client of Nearby's HTTP API (../shared/API.md).
//
// The beacon agent uses the agent routes (AgentConfig, Heartbeat,
// PostEvents); tests and tools use the merchant and statistics routes. A
// Client holds one bearer token: admin, merchant API key or agent token.
//
// Every non-2xx answer is returned as an *Error carrying the HTTP status,
// the server's problem+json details and its Retry-After, so that callers can
// tell a retryable failure (network, 408, 429, 5xx) from a permanent one.
package client
