package discovery

import (
	"context"
	"time"

	"github.com/nearby-dev/nearby"
)

// KeyRegistry commits and reads merchants' API keys and beacon agents'
// tokens. *store.DB satisfies it; key ids are allocated by the registry.
type KeyRegistry interface {
	ListMerchants(ctx context.Context, afterID uint64, limit int) ([]*nearby.Merchant, error)
	AddMerchantKey(ctx context.Context, merchantID uint64, k *nearby.Key) error
	RevokeMerchantKey(ctx context.Context, merchantID, keyID uint64) error
	TouchMerchantKey(ctx context.Context, merchantID, keyID uint64, at time.Time) error
	AddAgentToken(ctx context.Context, merchantID, beaconID uint64, k *nearby.Key) error
	RevokeAgentToken(ctx context.Context, merchantID, beaconID, keyID uint64) error
	TouchAgentToken(ctx context.Context, beaconID, keyID uint64, at time.Time) error
}

// The key commands' ops.
const (
	OpIssueMerchantKey  Op = "merchant.key.issue"
	OpRevokeMerchantKey Op = "merchant.key.revoke"
	OpTouchMerchantKey  Op = "merchant.key.touch"
	OpIssueAgentToken   Op = "beacon.token.issue"
	OpRevokeAgentToken  Op = "beacon.token.revoke"
	OpTouchAgentToken   Op = "beacon.token.touch"
)

// commitKey commits a key command; ok is false for any other op.
func (s *Service) commitKey(ctx context.Context, cmd *Command, out *Outcome) (ok bool, err error) {
	k := cmd.Key
	if k == nil {
		k = &nearby.Key{}
	}
	switch cmd.Op {
	case OpIssueMerchantKey:
		out.Key = k
		return true, s.reg.AddMerchantKey(ctx, cmd.MerchantID, k)
	case OpRevokeMerchantKey:
		return true, s.reg.RevokeMerchantKey(ctx, cmd.MerchantID, k.ID)
	case OpTouchMerchantKey:
		return true, s.reg.TouchMerchantKey(ctx, cmd.MerchantID, k.ID, usedAt(k))
	case OpIssueAgentToken:
		out.Key = k
		return true, s.reg.AddAgentToken(ctx, cmd.MerchantID, cmd.ID, k)
	case OpRevokeAgentToken:
		return true, s.reg.RevokeAgentToken(ctx, cmd.MerchantID, cmd.ID, k.ID)
	case OpTouchAgentToken:
		return true, s.reg.TouchAgentToken(ctx, cmd.ID, k.ID, usedAt(k))
	}
	return false, nil
}

func usedAt(k *nearby.Key) time.Time {
	if k.LastUsedAt == nil {
		return time.Time{}
	}
	return *k.LastUsedAt
}

// ListMerchants returns up to limit merchants after afterID, with their
// keys (hashes included: the caller shows ids and times only).
func (s *Service) ListMerchants(ctx context.Context, afterID uint64, limit int) ([]*nearby.Merchant, error) {
	return s.reg.ListMerchants(ctx, afterID, limit)
}

// IssueMerchantKey adds k (the hash of a new secret, an optional expiry)
// to the merchant's keys and sets its id and creation time. The merchant's
// other keys keep working until they are revoked or expire.
func (s *Service) IssueMerchantKey(ctx context.Context, merchantID uint64, k *nearby.Key) error {
	_, err := s.submit(ctx, &Command{Op: OpIssueMerchantKey, MerchantID: merchantID, Key: k})
	return err
}

// RevokeMerchantKey deletes one of the merchant's keys: it is refused from
// the next request on.
func (s *Service) RevokeMerchantKey(ctx context.Context, merchantID, keyID uint64) error {
	_, err := s.submit(ctx, &Command{Op: OpRevokeMerchantKey, MerchantID: merchantID, Key: &nearby.Key{ID: keyID}})
	return err
}

// MerchantKeyUsed stamps the key's last use, at most once per
// nearby.KeyUseGranularity.
func (s *Service) MerchantKeyUsed(ctx context.Context, merchantID uint64, k *nearby.Key) error {
	now := s.now().UTC()
	if !k.StaleUse(now) {
		return nil
	}
	_, err := s.submit(ctx, &Command{Op: OpTouchMerchantKey, MerchantID: merchantID, Key: &nearby.Key{ID: k.ID, LastUsedAt: &now}})
	return err
}

// IssueAgentToken adds a token to one of the merchant's beacons, as
// IssueMerchantKey.
func (s *Service) IssueAgentToken(ctx context.Context, merchantID, beaconID uint64, k *nearby.Key) error {
	_, err := s.submit(ctx, &Command{Op: OpIssueAgentToken, MerchantID: merchantID, ID: beaconID, Key: k})
	return err
}

// RevokeAgentToken deletes one of the beacon's agent tokens.
func (s *Service) RevokeAgentToken(ctx context.Context, merchantID, beaconID, keyID uint64) error {
	_, err := s.submit(ctx, &Command{Op: OpRevokeAgentToken, MerchantID: merchantID, ID: beaconID, Key: &nearby.Key{ID: keyID}})
	return err
}

// AgentTokenUsed stamps the token's last use, as MerchantKeyUsed.
func (s *Service) AgentTokenUsed(ctx context.Context, beaconID uint64, k *nearby.Key) error {
	now := s.now().UTC()
	if !k.StaleUse(now) {
		return nil
	}
	_, err := s.submit(ctx, &Command{Op: OpTouchAgentToken, ID: beaconID, Key: &nearby.Key{ID: k.ID, LastUsedAt: &now}})
	return err
}
