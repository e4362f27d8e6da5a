package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

type merchantInput struct {
	Name *string `json:"name" jsonschema:"required,minLength=1" jsonschema_description:"The merchant's name."`
}

type merchantJSON struct {
	ID        string    `json:"id" jsonschema:"pattern=^mer_[0-9a-f]+$" jsonschema_description:"Merchant id: mer_ and hex digits."`
	Name      string    `json:"name" jsonschema_description:"The merchant's name."`
	APIKey    string    `json:"api_key" jsonschema:"pattern=^mk_" jsonschema_description:"Bearer API key of the merchant; shown only in this response."`
	KeyID     string    `json:"key_id" jsonschema:"pattern=^key_[0-9a-f]+$" jsonschema_description:"Id of the API key, to revoke it (DELETE /v1/merchants/{id}/keys/{key_id})."`
	CreatedAt time.Time `json:"created_at" jsonschema_description:"When the merchant was created."`
}

// handleCreateMerchant is POST /v1/merchants (admin). The API key is shown
// once; only the hash of its secret is stored.
func (s *Server) handleCreateMerchant(c echo.Context) error {
	var in merchantInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return nearby.Invalid("name", "is required")
	}
	secret := NewSecret()
	m := &nearby.Merchant{Name: *in.Name, APIKeyHash: HashSecret(secret)}
	if err := s.merchants.CreateMerchant(writeCtx(c), m); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, merchantJSON{
		ID: nearby.FormatID(nearby.KindMerchant, m.ID), Name: m.Name,
		APIKey: newToken(merchantKeyPrefix, m.ID, secret), KeyID: firstKeyID(m.Keys), CreatedAt: m.CreatedAt,
	})
}

// firstKeyID is the public id of a new record's first key.
func firstKeyID(keys []nearby.Key) string {
	if len(keys) == 0 {
		return ""
	}
	return nearby.FormatID(nearby.KindKey, keys[0].ID)
}
