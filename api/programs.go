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
	if err := s.programs.CreateProgram(writeCtx(c), pg); err != nil {
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
	pgs, err := s.programs.ListPrograms(c.Request().Context(), merchantOf(c), after, limit+1)
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
	pg, err := s.programs.GetProgram(c.Request().Context(), merchantOf(c), id)
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
	pg, err := s.programs.UpdateProgram(writeCtx(c), merchantOf(c), id, in.apply)
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
	if err := s.programs.DeleteProgram(writeCtx(c), merchantOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
