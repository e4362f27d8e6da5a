package client

import (
	"context"
	"net/http"

	"github.com/nearby-dev/nearby"
)

// ProgramStoresInput names stores to add to a program: by id (at most
// 10,000 a call), by selection, or both.
type ProgramStoresInput struct {
	StoreIDs       []string               `json:"store_ids,omitempty"`
	StoreSelection *nearby.StoreSelection `json:"store_selection,omitempty"`
}

// LinkResult says how many stores a program gained.
type LinkResult struct {
	ProgramID string `json:"program_id"`
	Linked    int    `json:"linked"`
}

// LinkProgramStores adds stores to one of the merchant's programs (POST
// /v1/programs/{id}/stores); stores already present are not counted.
func (c *Client) LinkProgramStores(ctx context.Context, programID string, in *ProgramStoresInput) (*LinkResult, error) {
	var r LinkResult
	if err := c.Do(ctx, http.MethodPost, "/v1/programs/"+escape(programID)+"/stores", nil, in, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// UnlinkProgramStore removes one store from one of the merchant's programs
// (DELETE /v1/programs/{id}/stores/{store_id}).
func (c *Client) UnlinkProgramStore(ctx context.Context, programID, storeID string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/programs/"+escape(programID)+"/stores/"+escape(storeID), nil, nil, nil)
}
