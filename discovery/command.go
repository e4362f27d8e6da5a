package discovery

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nearby-dev/nearby"
)

// Op names what a command changes.
type Op string

// The commands' ops. Their values are stable: a replicated log stores them.
const (
	OpCreateMerchant Op = "merchant.create"
	OpCreateStore    Op = "store.create"
	OpImportStores   Op = "store.import" // a batch of new stores
	OpUpdateStore    Op = "store.update"
	OpDeleteStore    Op = "store.delete"
	OpCreateProgram  Op = "program.create"
	OpUpdateProgram  Op = "program.update"
	OpDeleteProgram  Op = "program.delete"
	OpCreateBeacon   Op = "beacon.create"
	OpUpdateBeacon   Op = "beacon.update"
	OpDeleteBeacon   Op = "beacon.delete"
	OpHeartbeat      Op = "beacon.heartbeat"
	OpRecordEvents   Op = "events.record"
	OpRecordShake    Op = "shake.record"
)

// Command is one change to the registry: what to change and all of its
// inputs, so that applying it needs nothing else and any replica applying
// it decides the same (new ids are allocated by the apply). It encodes to
// and from JSON. Only the fields its Op uses are set.
type Command struct {
	Op Op `json:"op"`
	// At is when the command was submitted to a replicated log; replicas
	// stamp CreatedAt, UpdatedAt and retention cut-offs with it, so that
	// they write the same values. Zero (a single node): the registry's
	// own clock.
	At time.Time `json:"at,omitzero"`
	// MerchantID owns the record a delete names; ID is that record (for
	// a heartbeat or an event batch, the beacon).
	MerchantID uint64 `json:"merchant_id,omitempty"`
	ID         uint64 `json:"id,omitempty"`

	Merchant *nearby.Merchant `json:"merchant,omitempty"`
	// Stores holds the store of a create or update, or an import's batch.
	Stores    []*nearby.Store   `json:"stores,omitempty"`
	Program   *nearby.Program   `json:"program,omitempty"`
	Beacon    *nearby.Beacon    `json:"beacon,omitempty"`
	Heartbeat *nearby.Heartbeat `json:"heartbeat,omitempty"`
	// Events are an agent's batch, validated; StoreID is its beacon's
	// store, whose popularity the accepted events raise.
	Events  []nearby.Event  `json:"events,omitempty"`
	StoreID uint64          `json:"store_id,omitempty"`
	Shake   *nearby.Shake   `json:"shake,omitempty"`
	Alert   *nearby.Alert   `json:"alert,omitempty"`
	Webhook *nearby.Webhook `json:"webhook,omitempty"`
	// Key is a key command's key: the hash and expiry of one to issue,
	// the id of one to revoke, the id and time of a use.
	Key *nearby.Key `json:"key,omitempty"`
	// QRCode is the code a create commits; QRScan a scan to count.
	QRCode *nearby.QRCode `json:"qrcode,omitempty"`
	QRScan *nearby.QRScan `json:"qrscan,omitempty"`
}

// Outcome is what applying a command produced: the records as committed
// (with their ids), the programs a store delete changed, and an event
// batch's accepted and duplicate ids.
type Outcome struct {
	Merchant   *nearby.Merchant
	Stores     []*nearby.Store
	Program    *nearby.Program
	Beacon     *nearby.Beacon
	Changed    []*nearby.Program
	Accepted   []string
	Duplicates []string
	Key        *nearby.Key   // an issued key, with its id
	Alert      *nearby.Alert // as committed; nil when a resolve found none open
	Webhook    *nearby.Webhook
}

// orders reports whether cmd changes records the catalog holds, so its
// commit and catalog update must not interleave with another's.
func (op Op) orders() bool {
	switch op {
	case OpCreateMerchant, OpHeartbeat, OpRecordEvents, OpRecordShake,
		OpIssueMerchantKey, OpRevokeMerchantKey, OpTouchMerchantKey, OpIssueAgentToken, OpRevokeAgentToken, OpTouchAgentToken,
		OpRaiseAlert, OpResolveAlert, OpCreateWebhook, OpDeleteWebhook, OpWebhookDelivery,
		OpCreateQRCode, OpDeleteQRCode, OpRecordQRScan: // the catalog holds no codes
		return false
	}
	return true
}

// Apply commits cmd to the registry and then applies it to the catalog.
// Record commands hold one lock from the commit until the catalog has the
// change, so the catalog sees writes in commit order: without it two PUTs,
// or a PUT and a DELETE, of one record could commit in one order and reach
// the catalog in the other, leaving it stale until the next start. One
// lock rather than one per id: bbolt admits one write transaction at a
// time, so a finer lock would buy no write concurrency, and one lock also
// covers creates (whose id is allocated in the transaction) and a store
// delete (which changes programs too). Apply gives up waiting for the lock
// when ctx is done.
//
// Apply mutates the records cmd points to (ids, timestamps), and the
// outcome points to them.
func (s *Service) Apply(ctx context.Context, cmd *Command) (Outcome, error) {
	if cmd.Op.orders() {
		select {
		case s.writeOrder <- struct{}{}:
		case <-ctx.Done():
			return Outcome{}, fmt.Errorf("discovery: waiting to write: %w", ctx.Err())
		}
		defer func() { <-s.writeOrder }()
	}
	out, err := s.commit(ctx, cmd)
	if err != nil {
		return Outcome{}, err
	}
	s.update(ctx, cmd, &out)
	s.notifyStream(cmd)
	if s.observe != nil {
		s.observe(cmd, &out)
	}
	return out, nil
}

// one returns the single store of a create or update command.
func (cmd *Command) one() (*nearby.Store, error) {
	if len(cmd.Stores) != 1 || cmd.Stores[0] == nil {
		return nil, fmt.Errorf("discovery: %s needs exactly one store, has %d", cmd.Op, len(cmd.Stores))
	}
	return cmd.Stores[0], nil
}

// commit writes cmd to the registry.
func (s *Service) commit(ctx context.Context, cmd *Command) (out Outcome, err error) {
	switch cmd.Op {
	case OpCreateMerchant:
		out.Merchant = cmd.Merchant
		return out, s.reg.CreateMerchant(ctx, cmd.Merchant)
	case OpCreateStore, OpUpdateStore:
		st, err := cmd.one()
		if err != nil {
			return out, nearby.Internal(err)
		}
		out.Stores = cmd.Stores
		if cmd.Op == OpCreateStore {
			return out, s.reg.CreateStore(ctx, st)
		}
		return out, s.reg.UpdateStore(ctx, st)
	case OpImportStores:
		out.Stores = cmd.Stores
		return out, s.reg.CreateStores(ctx, cmd.Stores)
	case OpDeleteStore:
		out.Changed, err = s.reg.DeleteStoreChanged(ctx, cmd.MerchantID, cmd.ID)
		return out, err
	case OpCreateProgram:
		out.Program = cmd.Program
		return out, s.reg.CreateProgram(ctx, cmd.Program)
	case OpUpdateProgram:
		out.Program = cmd.Program
		return out, s.reg.UpdateProgram(ctx, cmd.Program)
	case OpDeleteProgram:
		return out, s.reg.DeleteProgram(ctx, cmd.MerchantID, cmd.ID)
	case OpCreateBeacon:
		out.Beacon = cmd.Beacon
		return out, s.reg.CreateBeacon(ctx, cmd.Beacon)
	case OpUpdateBeacon:
		out.Beacon = cmd.Beacon
		return out, s.reg.UpdateBeacon(ctx, cmd.Beacon)
	case OpDeleteBeacon:
		return out, s.reg.DeleteBeacon(ctx, cmd.MerchantID, cmd.ID)
	case OpHeartbeat:
		return out, s.reg.RecordHeartbeat(ctx, cmd.ID, cmd.Heartbeat)
	case OpRecordEvents:
		out.Accepted, out.Duplicates, err = s.reg.RecordEvents(ctx, cmd.ID, cmd.Events)
		return out, err
	case OpRecordShake:
		return out, s.reg.RecordShake(ctx, cmd.Shake)
	case OpRaiseAlert, OpResolveAlert:
		return out, s.commitAlert(ctx, cmd, &out)
	case OpCreateWebhook, OpDeleteWebhook, OpWebhookDelivery:
		return out, s.commitWebhook(ctx, cmd, &out)
	}
	if ok, err := s.commitKey(ctx, cmd, &out); ok {
		return out, err
	}
	if out, ok, err := s.commitChain(ctx, cmd); ok {
		return out, err
	}
	if out, ok, err := s.commitQR(ctx, cmd); ok {
		return out, err
	}
	return out, nearby.Internal(fmt.Errorf("discovery: unknown command op %q", cmd.Op))
}

// update applies a committed command to the catalog. A failure here is
// logged, not returned: the write is durable, an error would make the
// client retry it (a create would then duplicate), and the catalog is
// rebuilt from the registry at the next start.
func (s *Service) update(ctx context.Context, cmd *Command, out *Outcome) {
	switch cmd.Op {
	case OpCreateStore, OpUpdateStore, OpImportStores:
		for _, st := range out.Stores {
			// Store.Validate checks lat/lng as strictly as the geo index,
			// so this cannot fail on a validated store.
			if err := s.cat.PutStore(st); err != nil {
				s.catalogFailed(ctx, nearby.KindStore, st.ID, err)
			}
		}
	case OpDeleteStore:
		for _, p := range out.Changed {
			s.cat.UnlinkStore(p.ID, cmd.ID)
		}
		s.cat.DeleteStore(cmd.ID)
	case OpCreateProgram, OpUpdateProgram:
		s.cat.PutProgram(out.Program)
	case OpDeleteProgram:
		s.cat.DeleteProgram(cmd.ID)
	case OpCreateBeacon, OpUpdateBeacon:
		s.cat.PutBeacon(out.Beacon)
	case OpDeleteBeacon:
		s.cat.DeleteBeacon(cmd.ID)
	case OpRecordEvents:
		byID := make(map[string]*nearby.Event, len(cmd.Events))
		for i := range cmd.Events {
			byID[cmd.Events[i].ID] = &cmd.Events[i]
		}
		for _, id := range out.Accepted {
			if ev := byID[id]; ev != nil {
				s.cat.RecordActivity(cmd.StoreID, ev.Type, ev.At)
			}
		}
	case OpRecordShake:
		if sh := cmd.Shake; sh.StoreID != 0 {
			s.cat.RecordActivity(sh.StoreID, nearby.EventShake, sh.At)
		}
	case OpLinkStores, OpUnlinkStore:
		s.updateChain(cmd, out)
	}
}

// catalogFailed logs a catalog update that failed after its commit.
func (s *Service) catalogFailed(ctx context.Context, kind string, id uint64, err error) {
	s.logger.LogAttrs(ctx, slog.LevelError, "catalog update failed after commit",
		slog.String("request_id", requestIDOf(ctx)), slog.String("id", nearby.FormatID(kind, id)),
		slog.Any("err", err))
}
