package api

import (
	"fmt"
	"net/http"

	"github.com/invopop/jsonschema"
	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// programStoresInput is the body of POST /v1/programs/{id}/stores.
type programStoresInput struct {
	StoreIDs       []string               `json:"store_ids,omitempty" jsonschema_description:"Ids (st_...) of the merchant's stores to add."`
	StoreSelection *nearby.StoreSelection `json:"store_selection,omitempty" jsonschema_description:"Stores to add by rule: all of the merchant's, or by category and/or tags."`
}

// programStoresJSON is the answer of POST /v1/programs/{id}/stores.
type programStoresJSON struct {
	ProgramID string `json:"program_id" jsonschema:"pattern=^pg_[0-9a-f]+$" jsonschema_description:"The mini-program."`
	Linked    int    `json:"linked" jsonschema:"minimum=0" jsonschema_description:"Stores added; those already present are not counted."`
}

func (programStoresInput) JSONSchemaExtend(s *jsonschema.Schema) {
	ids := prop(s, "store_ids")
	ids.MaxItems = uptr(nearby.MaxProgramStores)
	ids.Items.Pattern = "^st_[0-9a-f]+$"
	ids.Items.Description = "A store id."
}

// handleLinkStores is POST /v1/programs/{id}/stores: the program becomes
// present at more stores, each link written on its own so that a chain of
// any size grows without rewriting its list.
func (s *Server) handleLinkStores(c echo.Context) error {
	id, err := pathID(c, nearby.KindProgram)
	if err != nil {
		return err
	}
	var in programStoresInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	var p nearby.Problems
	ids := make([]uint64, 0, len(in.StoreIDs))
	for i, v := range in.StoreIDs {
		sid, err := nearby.ParseID(nearby.KindStore, fmt.Sprintf("store_ids[%d]", i), v)
		p.Merge("", err)
		ids = append(ids, sid)
	}
	if err := p.Err(); err != nil {
		return err
	}
	n, err := s.chains.LinkStores(writeCtx(c), merchantOf(c), id, ids, in.StoreSelection)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, programStoresJSON{ProgramID: nearby.FormatID(nearby.KindProgram, id), Linked: n})
}

// handleUnlinkStore is DELETE /v1/programs/{id}/stores/{store_id}.
func (s *Server) handleUnlinkStore(c echo.Context) error {
	id, err := pathID(c, nearby.KindProgram)
	if err != nil {
		return err
	}
	sid, err := nearby.ParseID(nearby.KindStore, "store_id", c.Param("store_id"))
	if err != nil {
		return err
	}
	if err := s.chains.UnlinkStore(writeCtx(c), merchantOf(c), id, sid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
