package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// keyInput is the body of issuing a key or an agent token (optional: no
// body means no expiry).
type keyInput struct {
	ExpiresAt *time.Time `json:"expires_at" jsonschema_description:"When the key stops working (RFC 3339, in the future); absent: never."`
}

// keyJSON is a key as listed: never its secret nor its hash.
type keyJSON struct {
	ID         string     `json:"id" jsonschema:"pattern=^key_[0-9a-f]+$" jsonschema_description:"Key id: key_ and hex digits."`
	CreatedAt  time.Time  `json:"created_at" jsonschema_description:"When the key was issued."`
	ExpiresAt  *time.Time `json:"expires_at,omitempty" jsonschema_description:"When the key stops working; absent: never."`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" jsonschema_description:"When the key was last used, to within an hour; absent: never used."`
}

// newKeyJSON is an issued key with its bearer token, shown only here.
type newKeyJSON struct {
	keyJSON
	APIKey     string `json:"api_key,omitempty" jsonschema:"pattern=^mk_" jsonschema_description:"Bearer API key of the merchant (issued merchant keys); shown only in this response."`
	AgentToken string `json:"agent_token,omitempty" jsonschema:"pattern=^at_" jsonschema_description:"Bearer token of the beacon's agent (issued agent tokens); shown only in this response."`
}

// merchantInfoJSON is a merchant as the admin lists it.
type merchantInfoJSON struct {
	ID        string    `json:"id" jsonschema:"pattern=^mer_[0-9a-f]+$" jsonschema_description:"Merchant id: mer_ and hex digits."`
	Name      string    `json:"name" jsonschema_description:"The merchant's name."`
	CreatedAt time.Time `json:"created_at" jsonschema_description:"When the merchant was created."`
	Keys      []keyJSON `json:"keys" jsonschema_description:"The merchant's API keys (ids and times only, never the secret)."`
}

func keyView(k *nearby.Key) keyJSON {
	return keyJSON{ID: nearby.FormatID(nearby.KindKey, k.ID), CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt}
}

func keysView(keys []nearby.Key) []keyJSON {
	out := make([]keyJSON, len(keys))
	for i := range keys {
		out[i] = keyView(&keys[i])
	}
	return out
}

func merchantID(m *nearby.Merchant) uint64 { return m.ID }

func merchantInfoView(m *nearby.Merchant) merchantInfoJSON {
	return merchantInfoJSON{ID: nearby.FormatID(nearby.KindMerchant, m.ID), Name: m.Name, CreatedAt: m.CreatedAt, Keys: keysView(m.Keys)}
}

// handleListMerchants is GET /v1/merchants (admin).
func (s *Server) handleListMerchants(c echo.Context) error {
	after, limit, err := pageParams(c, nearby.KindMerchant)
	if err != nil {
		return err
	}
	ms, err := s.keys.ListMerchants(c.Request().Context(), after, limit+1)
	if err != nil {
		return err
	}
	return listResponse(c, nearby.KindMerchant, ms, limit, merchantID, merchantInfoView)
}

// newKey reads the optional body of an issue and returns the key to
// store and its secret.
func (s *Server) newKey(c echo.Context) (*nearby.Key, string, error) {
	var in keyInput
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
			return nil, "", err
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return nil, "", nearby.Invalid("expires_at", "must be in the future")
	}
	if in.ExpiresAt != nil {
		t := in.ExpiresAt.UTC()
		in.ExpiresAt = &t
	}
	secret := NewSecret()
	return &nearby.Key{Hash: HashSecret(secret), ExpiresAt: in.ExpiresAt}, secret, nil
}

// keyMerchant is the merchant of a /v1/merchants/{id}/keys route: any for
// the admin, only itself for a merchant (another's is not found).
func keyMerchant(c echo.Context) (uint64, error) {
	id, err := pathID(c, nearby.KindMerchant)
	if err != nil {
		return 0, err
	}
	if !isAdmin(c) && merchantOf(c) != id {
		return 0, nearby.Errorf(nearby.ENOTFOUND, "merchant not found")
	}
	return id, nil
}

// handleIssueMerchantKey is POST /v1/merchants/{id}/keys: a new API key,
// shown once; the merchant's other keys keep working.
func (s *Server) handleIssueMerchantKey(c echo.Context) error {
	id, err := keyMerchant(c)
	if err != nil {
		return err
	}
	k, secret, err := s.newKey(c)
	if err != nil {
		return err
	}
	if err := s.keys.IssueMerchantKey(writeCtx(c), id, k); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newKeyJSON{keyJSON: keyView(k), APIKey: newToken(merchantKeyPrefix, id, secret)})
}

// handleRevokeMerchantKey is DELETE /v1/merchants/{id}/keys/{key_id}: the
// key is refused from the next request on.
func (s *Server) handleRevokeMerchantKey(c echo.Context) error {
	id, err := keyMerchant(c)
	if err != nil {
		return err
	}
	keyID, err := nearby.ParseID(nearby.KindKey, "key_id", c.Param("key_id"))
	if err != nil {
		return err
	}
	if err := s.keys.RevokeMerchantKey(writeCtx(c), id, keyID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleIssueAgentToken is POST /v1/beacons/{id}/tokens: a new agent
// token for one of the merchant's beacons, shown once.
func (s *Server) handleIssueAgentToken(c echo.Context) error {
	id, err := pathID(c, nearby.KindBeacon)
	if err != nil {
		return err
	}
	k, secret, err := s.newKey(c)
	if err != nil {
		return err
	}
	if err := s.keys.IssueAgentToken(writeCtx(c), merchantOf(c), id, k); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newKeyJSON{keyJSON: keyView(k), AgentToken: newToken(agentTokenPrefix, id, secret)})
}

// handleRevokeAgentToken is DELETE /v1/beacons/{id}/tokens/{token_id}.
func (s *Server) handleRevokeAgentToken(c echo.Context) error {
	id, err := pathID(c, nearby.KindBeacon)
	if err != nil {
		return err
	}
	keyID, err := nearby.ParseID(nearby.KindKey, "token_id", c.Param("token_id"))
	if err != nil {
		return err
	}
	if err := s.keys.RevokeAgentToken(writeCtx(c), merchantOf(c), id, keyID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
