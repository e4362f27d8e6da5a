package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
)

func storeID(s *nearby.Store) uint64 { return s.ID }

// writeCtx is the request's context for a write, carrying the request id
// into the service's logs. Only writes pay for it: the phone routes never
// log from the service.
func writeCtx(c echo.Context) context.Context {
	return discovery.WithRequestID(c.Request().Context(), requestID(c))
}

// handleCreateStore is POST /v1/stores.
func (s *Server) handleCreateStore(c echo.Context) error {
	var in storeInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	st := &nearby.Store{MerchantID: merchantOf(c)}
	if err := in.apply(st); err != nil {
		return err
	}
	if err := s.stores.CreateStore(writeCtx(c), st); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, storeView(st))
}

// handleListStores is GET /v1/stores.
func (s *Server) handleListStores(c echo.Context) error {
	after, limit, err := pageParams(c, nearby.KindStore)
	if err != nil {
		return err
	}
	ss, err := s.stores.ListStores(c.Request().Context(), merchantOf(c), after, limit+1)
	if err != nil {
		return err
	}
	return listResponse(c, nearby.KindStore, ss, limit, storeID, storeView)
}

// handleGetStore is GET /v1/stores/{id}.
func (s *Server) handleGetStore(c echo.Context) error {
	id, err := pathID(c, nearby.KindStore)
	if err != nil {
		return err
	}
	st, err := s.stores.GetStore(c.Request().Context(), merchantOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, storeView(st))
}

// handleUpdateStore is PUT /v1/stores/{id}: a full replacement of the
// client fields.
func (s *Server) handleUpdateStore(c echo.Context) error {
	id, err := pathID(c, nearby.KindStore)
	if err != nil {
		return err
	}
	var in storeInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	st, err := s.stores.UpdateStore(writeCtx(c), merchantOf(c), id, in.apply)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, storeView(st))
}

// handleDeleteStore is DELETE /v1/stores/{id}. It is refused while a
// beacon references the store.
func (s *Server) handleDeleteStore(c echo.Context) error {
	id, err := pathID(c, nearby.KindStore)
	if err != nil {
		return err
	}
	if err := s.stores.DeleteStore(writeCtx(c), merchantOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
