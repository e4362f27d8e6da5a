package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// Server.writeOrder is held from a store, program or beacon write's registry
// commit until the catalog has applied it, so the catalog sees the writes
// in commit order: without it two PUTs, or a PUT and a DELETE, of one
// record could commit in one order and reach the catalog in the other,
// leaving it stale until the next start.
//
// One lock rather than a lock per id: bbolt admits one write transaction
// at a time (its commit and fsync included), so a finer lock would buy no
// write concurrency; one lock also covers creates, whose id is allocated
// inside the transaction, and a store delete, which changes programs too.
//
// inOrder runs commit, a registry write, and then, if it succeeded, apply,
// its catalog update, holding writeOrder; it gives up waiting when the
// request is cancelled. The response is written after inOrder returns, so
// a slow client never holds the lock.
func (s *Server) inOrder(ctx context.Context, commit func() error, apply func()) error {
	select {
	case s.writeOrder <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("api: waiting to write: %w", ctx.Err())
	}
	defer func() { <-s.writeOrder }()
	if err := commit(); err != nil {
		return err
	}
	apply()
	return nil
}

// catalogFailed logs a catalog update that failed after its registry
// commit. The request still succeeds: the write is durable, an error
// would make the client retry it (a create would then duplicate), and the
// catalog is rebuilt from the registry at the next start.
func (s *Server) catalogFailed(ctx context.Context, rid, kind string, id uint64, err error) {
	s.logger.LogAttrs(ctx, slog.LevelError, "catalog update failed after commit",
		slog.String(slogRequestID, rid), slog.String("id", nearby.FormatID(kind, id)),
		slog.Any(slogError, err))
}

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
	// in.apply validated the store (Store.Validate checks lat/lng as
	// strictly as the geo index), so PutStore below cannot refuse it.
	if err := s.saveStore(c, st, s.reg.CreateStore); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, storeView(st))
}

// saveStore commits st with write, then puts it into the catalog, both in
// commit order (inOrder).
func (s *Server) saveStore(c echo.Context, st *nearby.Store, write func(context.Context, *nearby.Store) error) error {
	ctx := c.Request().Context()
	return s.inOrder(ctx, func() error { return write(ctx, st) }, func() {
		if err := s.cat.PutStore(st); err != nil {
			s.catalogFailed(ctx, requestID(c), nearby.KindStore, st.ID, err)
		}
	})
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
	if err := s.saveStore(c, st, s.reg.UpdateStore); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, storeView(st))
}

// handleDeleteStore is DELETE /v1/stores/{id}. The registry refuses while a
// beacon references the store and drops the store from the programs listing
// it; the catalog is told about exactly those programs.
func (s *Server) handleDeleteStore(c echo.Context) error {
	id, err := pathID(c, nearby.KindStore)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	mid := merchantOf(c)
	var changed []*nearby.Program
	err = s.inOrder(ctx, func() (err error) {
		changed, err = s.reg.DeleteStoreChanged(ctx, mid, id)
		return err
	}, func() {
		s.cat.DeleteStore(id)
		for _, p := range changed {
			s.cat.PutProgram(p)
		}
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
