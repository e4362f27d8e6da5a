package discovery

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
)

// QR codes: a merchant's printed codes whose public short URL answers the
// target and counts the scan.
const (
	OpCreateQRCode Op = "qrcode.create"
	OpDeleteQRCode Op = "qrcode.delete"
	OpRecordQRScan Op = "qrcode.scan"
)

// QRRegistry commits and reads QR codes and their scans.
type QRRegistry interface {
	CreateQRCode(ctx context.Context, q *nearby.QRCode) error
	GetQRCode(ctx context.Context, merchantID, id uint64) (*nearby.QRCode, error)
	QRCodeByCode(ctx context.Context, code string) (*nearby.QRCode, error)
	ListQRCodes(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.QRCode, error)
	DeleteQRCode(ctx context.Context, merchantID, id uint64) error
	RecordQRScan(ctx context.Context, s *nearby.QRScan) error
	QRStats(ctx context.Context, merchantID, id uint64, from, to time.Time) ([]nearby.QRDay, error)
}

// codeAlphabet spells short codes: no 0/O, 1/l/I, so a code read aloud or
// typed from print survives.
const codeAlphabet = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

func newCode() string {
	var b [nearby.QRCodeLen]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b[:])
}

// CreateQRCode validates q and creates it with a fresh random short code
// (drawn before the command, which must apply alike anywhere).
func (s *Service) CreateQRCode(ctx context.Context, q *nearby.QRCode) error {
	if err := q.Validate(); err != nil {
		return err
	}
	var err error
	for range 3 { // 56^10 codes: a collision is a freak, but not an error
		q.Code = newCode()
		if _, err = s.submit(ctx, &Command{Op: OpCreateQRCode, QRCode: q}); nearby.ErrorCode(err) != nearby.ECONFLICT {
			return err
		}
	}
	return err
}

// GetQRCode returns one of the merchant's codes.
func (s *Service) GetQRCode(ctx context.Context, merchantID, id uint64) (*nearby.QRCode, error) {
	return s.reg.GetQRCode(ctx, merchantID, id)
}

// ListQRCodes returns up to limit of the merchant's codes after afterID.
func (s *Service) ListQRCodes(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.QRCode, error) {
	return s.reg.ListQRCodes(ctx, merchantID, afterID, limit)
}

// DeleteQRCode deletes one of the merchant's codes.
func (s *Service) DeleteQRCode(ctx context.Context, merchantID, id uint64) error {
	_, err := s.submit(ctx, &Command{Op: OpDeleteQRCode, MerchantID: merchantID, ID: id})
	return err
}

// QRStats returns a code's scans per day.
func (s *Service) QRStats(ctx context.Context, merchantID, id uint64, from, to time.Time) ([]nearby.QRDay, error) {
	return s.reg.QRStats(ctx, merchantID, id, from, to)
}

// QRZone is the zone a code's days are counted in: its store's, else UTC.
func (s *Service) QRZone(ctx context.Context, merchantID, id uint64) (*time.Location, error) {
	q, err := s.reg.GetQRCode(ctx, merchantID, id)
	if err != nil {
		return nil, err
	}
	return s.qrZone(q), nil
}

func (s *Service) qrZone(q *nearby.QRCode) *time.Location {
	if st, ok := s.cat.Store(q.Target.StoreID); ok {
		return nearby.Zone(st.Timezone)
	}
	return time.UTC
}

// QRScanned is what a scanned code opens.
type QRScanned struct {
	Code    *nearby.QRCode
	Store   *nearby.Store   // nil when the target names none, or it is gone
	Program *nearby.Program // likewise
}

// ScanQRCode answers the public short URL: the code's target, as it is
// now, after counting the scan for visitor (an opaque key) on the target
// store's local date. Like a device id, the key is replaced by the
// merchant's pseudonym of it before the command is built.
func (s *Service) ScanQRCode(ctx context.Context, code, visitor string) (*QRScanned, error) {
	q, err := s.reg.QRCodeByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	out := &QRScanned{Code: q}
	if st, ok := s.cat.Store(q.Target.StoreID); ok {
		out.Store = st
	}
	if q.Target.ProgramID != 0 {
		if p, err := s.reg.GetProgram(ctx, q.MerchantID, q.Target.ProgramID); err == nil {
			out.Program = p
		}
	}
	now := s.now()
	scan := &nearby.QRScan{CodeID: q.ID, StoreID: q.Target.StoreID, At: now,
		Date: now.In(s.qrZone(q)).Format(time.DateOnly), Visitor: s.pseudo.of(q.MerchantID, visitor)}
	if _, err := s.submit(ctx, &Command{Op: OpRecordQRScan, QRScan: scan}); err != nil {
		return nil, err
	}
	return out, nil
}

// commitQR commits a QR code command; ok is false for other ops.
func (s *Service) commitQR(ctx context.Context, cmd *Command) (out Outcome, ok bool, err error) {
	switch cmd.Op {
	case OpCreateQRCode:
		if cmd.QRCode == nil {
			return out, true, nearby.Internal(fmt.Errorf("discovery: %s without its code", cmd.Op))
		}
		return out, true, s.reg.CreateQRCode(ctx, cmd.QRCode)
	case OpDeleteQRCode:
		return out, true, s.reg.DeleteQRCode(ctx, cmd.MerchantID, cmd.ID)
	case OpRecordQRScan:
		if cmd.QRScan == nil {
			return out, true, nearby.Internal(fmt.Errorf("discovery: %s without its scan", cmd.Op))
		}
		return out, true, s.reg.RecordQRScan(ctx, cmd.QRScan)
	}
	return out, false, nil
}
