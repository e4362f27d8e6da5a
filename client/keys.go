package client

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// Key is a merchant API key or an agent token as listed: its id and
// times, never its secret. LastUsedAt is precise to about an hour.
type Key struct {
	ID         string     `json:"id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// NewKey is an issued key: APIKey (a merchant key) or AgentToken (an agent
// token) is its bearer token, shown only in this answer.
type NewKey struct {
	Key
	APIKey     string `json:"api_key,omitempty"`
	AgentToken string `json:"agent_token,omitempty"`
}

// MerchantInfo is a merchant as the admin lists it, with its keys.
type MerchantInfo struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Keys      []Key     `json:"keys"`
}

// ListMerchants reads one page of the merchants (GET /v1/merchants, admin
// token).
func (c *Client) ListMerchants(ctx context.Context, opts *ListOptions) (*Page[MerchantInfo], error) {
	return list[MerchantInfo](ctx, c, "/v1/merchants", opts)
}

// Merchants iterates over all merchants, a page at a time (admin token).
func (c *Client) Merchants(ctx context.Context) iter.Seq2[MerchantInfo, error] {
	return listAll[MerchantInfo](ctx, c, "/v1/merchants")
}

type keyInput struct {
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// IssueMerchantKey issues another API key of merchant merchantID (POST
// /v1/merchants/{id}/keys, the admin token or that merchant's key). The
// merchant's other keys keep working until revoked; expiresAt (nil:
// never) must be in the future.
func (c *Client) IssueMerchantKey(ctx context.Context, merchantID string, expiresAt *time.Time) (*NewKey, error) {
	return call[NewKey](ctx, c, http.MethodPost, "/v1/merchants/"+escape(merchantID)+"/keys", keyInput{ExpiresAt: expiresAt})
}

// RevokeMerchantKey revokes one of the merchant's API keys at once (DELETE
// /v1/merchants/{id}/keys/{key_id}).
func (c *Client) RevokeMerchantKey(ctx context.Context, merchantID, keyID string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/merchants/"+escape(merchantID)+"/keys/"+escape(keyID), nil, nil, nil)
}

// IssueAgentToken issues another agent token of one of the merchant's
// beacons (POST /v1/beacons/{id}/tokens), as IssueMerchantKey.
func (c *Client) IssueAgentToken(ctx context.Context, beaconID string, expiresAt *time.Time) (*NewKey, error) {
	return call[NewKey](ctx, c, http.MethodPost, "/v1/beacons/"+escape(beaconID)+"/tokens", keyInput{ExpiresAt: expiresAt})
}

// RevokeAgentToken revokes one of the beacon's agent tokens at once
// (DELETE /v1/beacons/{id}/tokens/{token_id}).
func (c *Client) RevokeAgentToken(ctx context.Context, beaconID, tokenID string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/beacons/"+escape(beaconID)+"/tokens/"+escape(tokenID), nil, nil, nil)
}
