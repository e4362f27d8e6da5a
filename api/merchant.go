package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

type merchantInput struct {
	Name *string `json:"name"`
}

type merchantJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	APIKey    string    `json:"api_key"`
	CreatedAt time.Time `json:"created_at"`
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
		APIKey: newToken(merchantKeyPrefix, m.ID, secret), CreatedAt: m.CreatedAt,
	})
}
