package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

func storeID(s *nearby.Store) uint64 { return s.ID }

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
	if err := s.reg.CreateStore(c.Request().Context(), st); err != nil {
		return err
	}
	if err := s.cat.PutStore(st); err != nil {
		return nearby.Internal(err)
	}
	return c.JSON(http.StatusCreated, storeView(st))
}

// handleListStores is GET /v1/stores.
func (s *Server) handleListStores(c echo.Context) error {
	after, limit, err := pageParams(c, nearby.KindStore)
	if err != nil {
		return err
	}
	ss, err := s.reg.ListStores(c.Request().Context(), merchantOf(c), after, limit+1)
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
	st, err := s.reg.GetStore(c.Request().Context(), merchantOf(c), id)
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
	ctx := c.Request().Context()
	st, err := s.reg.GetStore(ctx, merchantOf(c), id)
	if err != nil {
		return err
	}
	if err := in.apply(st); err != nil {
		return err
	}
	if err := s.reg.UpdateStore(ctx, st); err != nil {
		return err
	}
	if err := s.cat.PutStore(st); err != nil {
		return nearby.Internal(err)
	}
	return c.JSON(http.StatusOK, storeView(st))
}

// handleDeleteStore is DELETE /v1/stores/{id}. The registry refuses while a
// beacon references the store and drops the store from the merchant's
// programs; the catalog is told about those programs too.
func (s *Server) handleDeleteStore(c echo.Context) error {
	id, err := pathID(c, nearby.KindStore)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	mid := merchantOf(c)
	if err := s.reg.DeleteStore(ctx, mid, id); err != nil {
		return err
	}
	s.cat.DeleteStore(id)
	if err := s.refreshPrograms(c, mid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// refreshPrograms reloads the merchant's programs into the catalog after a
// store deletion changed their store lists.
func (s *Server) refreshPrograms(c echo.Context, merchantID uint64) error {
	ctx := c.Request().Context()
	var after uint64
	for {
		pgs, err := s.reg.ListPrograms(ctx, merchantID, after, nearby.MaxLimit)
		if err != nil {
			return err
		}
		for _, p := range pgs {
			s.cat.PutProgram(p)
			after = p.ID
		}
		if len(pgs) < nearby.MaxLimit {
			return nil
		}
	}
}
