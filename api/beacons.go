package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

func beaconID(b *nearby.Beacon) uint64 { return b.ID }

// handleCreateBeacon is POST /v1/beacons. discoveryd allocates the identity
// unless the merchant brings one; the agent token is shown once.
func (s *Server) handleCreateBeacon(c echo.Context) error {
	var in beaconInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	b := &nearby.Beacon{MerchantID: merchantOf(c)}
	if err := in.apply(b); err != nil {
		return err
	}
	secret := NewSecret()
	b.AgentTokenHash = HashSecret(secret)
	if err := s.beacons.CreateBeacon(writeCtx(c), b); err != nil {
		return err
	}
	v := beaconView(b)
	v.AgentToken = newToken(agentTokenPrefix, b.ID, secret)
	return c.JSON(http.StatusCreated, v)
}

// handleListBeacons is GET /v1/beacons.
func (s *Server) handleListBeacons(c echo.Context) error {
	after, limit, err := pageParams(c, nearby.KindBeacon)
	if err != nil {
		return err
	}
	bs, err := s.beacons.ListBeacons(c.Request().Context(), merchantOf(c), after, limit+1)
	if err != nil {
		return err
	}
	return listResponse(c, nearby.KindBeacon, bs, limit, beaconID, beaconView)
}

// handleGetBeacon is GET /v1/beacons/{id}, with the last heartbeat.
func (s *Server) handleGetBeacon(c echo.Context) error {
	id, err := pathID(c, nearby.KindBeacon)
	if err != nil {
		return err
	}
	b, err := s.beacons.GetBeacon(c.Request().Context(), merchantOf(c), id)
	if err != nil {
		return err
	}
	v := beaconView(b)
	if v.Alerts, err = s.beaconAlerts(c.Request().Context(), b); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// handleUpdateBeacon is PUT /v1/beacons/{id}. An omitted identity is kept.
func (s *Server) handleUpdateBeacon(c echo.Context) error {
	id, err := pathID(c, nearby.KindBeacon)
	if err != nil {
		return err
	}
	var in beaconInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	b, err := s.beacons.UpdateBeacon(writeCtx(c), merchantOf(c), id, in.apply)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, beaconView(b))
}

// handleDeleteBeacon is DELETE /v1/beacons/{id}.
func (s *Server) handleDeleteBeacon(c echo.Context) error {
	id, err := pathID(c, nearby.KindBeacon)
	if err != nil {
		return err
	}
	if err := s.beacons.DeleteBeacon(writeCtx(c), merchantOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
