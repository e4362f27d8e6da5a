package discovery

import (
	"context"
	"fmt"

	"github.com/nearby-dev/nearby"
)

// A program is present at any number of its merchant's stores; adding or
// removing one is a command of its own, so a chain of 25,000 stores never
// travels (or is rewritten) whole to change one.
const (
	// OpLinkStores adds stores to program ID of MerchantID: Program
	// carries the ids (StoreIDs) and the selection (Selection) to add.
	OpLinkStores Op = "program.link_stores"
	// OpUnlinkStore removes store StoreID from program ID of MerchantID.
	OpUnlinkStore Op = "program.unlink_store"
)

// ChainWriter commits changes to the stores of one program.
type ChainWriter interface {
	// LinkStores links the stores ids names and sel selects and returns
	// those that were not linked yet.
	LinkStores(ctx context.Context, merchantID, programID uint64, ids []uint64, sel *nearby.StoreSelection) ([]uint64, error)
	UnlinkStore(ctx context.Context, merchantID, programID, storeID uint64) error
}

// LinkStores adds to one of the merchant's programs the stores ids names
// and sel selects (nil: none), and returns how many it did not list yet.
func (s *Service) LinkStores(ctx context.Context, merchantID, programID uint64, ids []uint64, sel *nearby.StoreSelection) (int, error) {
	var p nearby.Problems
	if len(ids) > nearby.MaxProgramStores {
		p.Addf("store_ids", "must have at most %d entries", nearby.MaxProgramStores)
	}
	if sel != nil {
		sel.Check(&p, "store_selection")
	}
	if len(ids) == 0 && sel == nil {
		p.Addf("store_ids", "is required without store_selection")
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	out, err := s.submit(ctx, &Command{Op: OpLinkStores, MerchantID: merchantID, ID: programID,
		Program: &nearby.Program{ID: programID, MerchantID: merchantID, StoreIDs: ids, Selection: sel}})
	if err != nil {
		return 0, err
	}
	return len(out.Program.StoreIDs), nil
}

// UnlinkStore removes one store from one of the merchant's programs.
func (s *Service) UnlinkStore(ctx context.Context, merchantID, programID, storeID uint64) error {
	_, err := s.submit(ctx, &Command{Op: OpUnlinkStore, MerchantID: merchantID, ID: programID, StoreID: storeID})
	return err
}

// commitChain commits a link or unlink command; ok is false for other ops.
func (s *Service) commitChain(ctx context.Context, cmd *Command) (out Outcome, ok bool, err error) {
	switch cmd.Op {
	case OpLinkStores:
		if cmd.Program == nil {
			return out, true, nearby.Internal(fmt.Errorf("discovery: %s without its stores", cmd.Op))
		}
		added, err := s.reg.LinkStores(ctx, cmd.MerchantID, cmd.ID, cmd.Program.StoreIDs, cmd.Program.Selection)
		out.Program = &nearby.Program{ID: cmd.ID, MerchantID: cmd.MerchantID, StoreIDs: added}
		return out, true, err
	case OpUnlinkStore:
		return out, true, s.reg.UnlinkStore(ctx, cmd.MerchantID, cmd.ID, cmd.StoreID)
	}
	return out, false, nil
}

// updateChain applies a committed link or unlink command to the catalog.
func (s *Service) updateChain(cmd *Command, out *Outcome) {
	switch cmd.Op {
	case OpLinkStores:
		s.cat.LinkStores(cmd.ID, out.Program.StoreIDs)
	case OpUnlinkStore:
		s.cat.UnlinkStore(cmd.ID, cmd.StoreID)
	}
}
