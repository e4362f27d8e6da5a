// Package webhook speaks the Standard Webhooks convention
// (https://www.standardwebhooks.com) on the sending side: it signs a
// delivery, posts it with a bounded time, and says how long to wait before
// the next attempt. Verify is the receiving side, for tests and for
// merchants' back ends written in Go.
//
// A delivery is a POST of a JSON body with three headers:
//
//	webhook-id:        the message id (the same on every retry: receivers deduplicate by it)
//	webhook-timestamp: Unix seconds when this attempt was signed
//	webhook-signature: "v1," + base64(HMAC-SHA256(secret, id + "." + timestamp + "." + body))
//
// The secret is shown to the merchant once, as "whsec_" + base64(secret).
package webhook
