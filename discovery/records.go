package discovery

import (
	"context"

	"github.com/nearby-dev/nearby"
)

// CreateMerchant validates and creates m; its APIKeyHash is the caller's.
func (s *Service) CreateMerchant(ctx context.Context, m *nearby.Merchant) error {
	if err := m.Validate(); err != nil {
		return err
	}
	_, err := s.submit(ctx, &Command{Op: OpCreateMerchant, Merchant: m})
	return err
}

// GetMerchant returns a merchant (for the key check of merchant routes).
func (s *Service) GetMerchant(ctx context.Context, id uint64) (*nearby.Merchant, error) {
	return s.reg.GetMerchant(ctx, id)
}

// CreateStore creates st, which the caller has validated, and sets its id.
func (s *Service) CreateStore(ctx context.Context, st *nearby.Store) error {
	return s.storeCommand(ctx, OpCreateStore, st)
}

// ImportStores creates a batch of validated stores in one commit.
func (s *Service) ImportStores(ctx context.Context, batch []*nearby.Store) error {
	_, err := s.submit(ctx, &Command{Op: OpImportStores, Stores: batch})
	return err
}

// GetStore returns one of the merchant's stores.
func (s *Service) GetStore(ctx context.Context, merchantID, id uint64) (*nearby.Store, error) {
	return s.reg.GetStore(ctx, merchantID, id)
}

// ListStores returns up to limit of the merchant's stores after afterID.
func (s *Service) ListStores(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Store, error) {
	return s.reg.ListStores(ctx, merchantID, afterID, limit)
}

// UpdateStore replaces one of the merchant's stores by edit's changes to
// the current one (edit validates), and returns it as committed.
func (s *Service) UpdateStore(ctx context.Context, merchantID, id uint64, edit func(*nearby.Store) error) (*nearby.Store, error) {
	st, err := s.reg.GetStore(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	if err := edit(st); err != nil {
		return nil, err
	}
	st.ID, st.MerchantID = id, merchantID
	return st, s.storeCommand(ctx, OpUpdateStore, st)
}

func (s *Service) storeCommand(ctx context.Context, op Op, st *nearby.Store) error {
	_, err := s.submit(ctx, &Command{Op: op, Stores: []*nearby.Store{st}})
	return err
}

// DeleteStore deletes one of the merchant's stores; the registry refuses
// while a beacon uses it and drops it from the programs listing it.
func (s *Service) DeleteStore(ctx context.Context, merchantID, id uint64) error {
	_, err := s.submit(ctx, &Command{Op: OpDeleteStore, MerchantID: merchantID, ID: id})
	return err
}

// CreateProgram creates p, which the caller has validated, and sets its id.
func (s *Service) CreateProgram(ctx context.Context, p *nearby.Program) error {
	_, err := s.submit(ctx, &Command{Op: OpCreateProgram, Program: p})
	return err
}

// GetProgram returns one of the merchant's programs.
func (s *Service) GetProgram(ctx context.Context, merchantID, id uint64) (*nearby.Program, error) {
	return s.reg.GetProgram(ctx, merchantID, id)
}

// ListPrograms returns up to limit of the merchant's programs after afterID.
func (s *Service) ListPrograms(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Program, error) {
	return s.reg.ListPrograms(ctx, merchantID, afterID, limit)
}

// UpdateProgram replaces one of the merchant's programs by edit's changes
// to the current one (edit validates).
func (s *Service) UpdateProgram(ctx context.Context, merchantID, id uint64, edit func(*nearby.Program) error) (*nearby.Program, error) {
	p, err := s.reg.GetProgram(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	if err := edit(p); err != nil {
		return nil, err
	}
	p.ID, p.MerchantID = id, merchantID
	_, err = s.submit(ctx, &Command{Op: OpUpdateProgram, Program: p})
	return p, err
}

// DeleteProgram deletes one of the merchant's programs.
func (s *Service) DeleteProgram(ctx context.Context, merchantID, id uint64) error {
	_, err := s.submit(ctx, &Command{Op: OpDeleteProgram, MerchantID: merchantID, ID: id})
	return err
}

// CreateBeacon creates b, which the caller has validated and given its
// agent token's hash, and sets its id and (unless given) its identity.
func (s *Service) CreateBeacon(ctx context.Context, b *nearby.Beacon) error {
	ensureSecret(b)
	_, err := s.submit(ctx, &Command{Op: OpCreateBeacon, Beacon: b})
	return err
}

// GetBeacon returns one of the merchant's beacons, with its last heartbeat.
func (s *Service) GetBeacon(ctx context.Context, merchantID, id uint64) (*nearby.Beacon, error) {
	return s.reg.GetBeacon(ctx, merchantID, id)
}

// AgentBeacon returns any merchant's beacon, for the agent token check.
func (s *Service) AgentBeacon(ctx context.Context, id uint64) (*nearby.Beacon, error) {
	return s.reg.GetBeacon(ctx, 0, id)
}

// ListBeacons returns up to limit of the merchant's beacons after afterID.
func (s *Service) ListBeacons(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.Beacon, error) {
	return s.reg.ListBeacons(ctx, merchantID, afterID, limit)
}

// UpdateBeacon replaces one of the merchant's beacons by edit's changes to
// the current one (edit validates; an identity it leaves alone is kept).
func (s *Service) UpdateBeacon(ctx context.Context, merchantID, id uint64, edit func(*nearby.Beacon) error) (*nearby.Beacon, error) {
	b, err := s.reg.GetBeacon(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	if err := edit(b); err != nil {
		return nil, err
	}
	b.ID, b.MerchantID = id, merchantID
	ensureSecret(b)
	_, err = s.submit(ctx, &Command{Op: OpUpdateBeacon, Beacon: b})
	return b, err
}

// DeleteBeacon deletes one of the merchant's beacons.
func (s *Service) DeleteBeacon(ctx context.Context, merchantID, id uint64) error {
	_, err := s.submit(ctx, &Command{Op: OpDeleteBeacon, MerchantID: merchantID, ID: id})
	return err
}
