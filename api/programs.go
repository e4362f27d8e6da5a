package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

func programID(p *nearby.Program) uint64 { return p.ID }

// handleCreateProgram is POST /v1/programs.
func (s *Server) handleCreateProgram(c echo.Context) error {
	var in programInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	pg := &nearby.Program{MerchantID: merchantOf(c)}
	if err := in.apply(pg); err != nil {
		return err
	}
	ctx := c.Request().Context()
	err := s.inOrder(ctx, func() error { return s.reg.CreateProgram(ctx, pg) }, func() { s.cat.PutProgram(pg) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, programView(pg))
}

// handleListPrograms is GET /v1/programs.
func (s *Server) handleListPrograms(c echo.Context) error {
	after, limit, err := pageParams(c, nearby.KindProgram)
	if err != nil {
		return err
	}
	pgs, err := s.reg.ListPrograms(c.Request().Context(), merchantOf(c), after, limit+1)
	if err != nil {
		return err
	}
	return listResponse(c, nearby.KindProgram, pgs, limit, programID, programView)
}

// handleGetProgram is GET /v1/programs/{id}.
func (s *Server) handleGetProgram(c echo.Context) error {
	id, err := pathID(c, nearby.KindProgram)
	if err != nil {
		return err
	}
	pg, err := s.reg.GetProgram(c.Request().Context(), merchantOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, programView(pg))
}

// handleUpdateProgram is PUT /v1/programs/{id}.
func (s *Server) handleUpdateProgram(c echo.Context) error {
	id, err := pathID(c, nearby.KindProgram)
	if err != nil {
		return err
	}
	var in programInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg, err := s.reg.GetProgram(ctx, merchantOf(c), id)
	if err != nil {
		return err
	}
	if err := in.apply(pg); err != nil {
		return err
	}
	err = s.inOrder(ctx, func() error { return s.reg.UpdateProgram(ctx, pg) }, func() { s.cat.PutProgram(pg) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, programView(pg))
}

// handleDeleteProgram is DELETE /v1/programs/{id}.
func (s *Server) handleDeleteProgram(c echo.Context) error {
	id, err := pathID(c, nearby.KindProgram)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = s.inOrder(ctx, func() error { return s.reg.DeleteProgram(ctx, merchantOf(c), id) }, func() { s.cat.DeleteProgram(id) })
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
