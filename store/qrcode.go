package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/axiomhq/hyperloglog"
	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// notFoundField is ENOTFOUND naming the input that named the record.
func notFoundField(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &nearby.Error{Code: nearby.ENOTFOUND, Message: field + " " + msg,
		Fields: []nearby.FieldError{{Field: field, Message: msg}}}
}

// CreateQRCode stores q for q.MerchantID and sets ID and CreatedAt. The
// target's store and program must be the merchant's (ENOTFOUND naming
// target.store_id or target.program_id), the program present at the store
// when both are given (EINVALID), and q.Code unused (ECONFLICT "code").
func (db *DB) CreateQRCode(ctx context.Context, q *nearby.QRCode) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	rec := *q
	err := db.update(ctx, func(tx *bolt.Tx) error {
		if !merchantExists(tx, q.MerchantID) {
			return nearby.Invalid("merchant_id", "is not a merchant")
		}
		if err := checkQRTarget(tx, q.MerchantID, q.Target); err != nil {
			return err
		}
		codes := tx.Bucket(bucketQRByCode)
		if q.Code == "" || codes.Get([]byte(q.Code)) != nil {
			return conflict("code", "is taken")
		}
		b := tx.Bucket(bucketQRCodes)
		id, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("store: qr code sequence: %w", err)
		}
		rec.ID, rec.CreatedAt = id, db.stamp(ctx)
		if err := putJSON(b, id, &rec); err != nil {
			return err
		}
		if err := codes.Put([]byte(rec.Code), u64(id)); err != nil {
			return fmt.Errorf("store: put qr code index: %w", err)
		}
		if err := tx.Bucket(bucketMerchantQRCodes).Put(pair(rec.MerchantID, id), nil); err != nil {
			return fmt.Errorf("store: put qr code index: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	q.ID, q.CreatedAt = rec.ID, rec.CreatedAt
	return nil
}

func checkQRTarget(tx *bolt.Tx, merchantID uint64, t nearby.QRTarget) error {
	if t.StoreID != 0 {
		if v := tx.Bucket(bucketStores).Get(u64(t.StoreID)); v == nil || storeMerchant(v) != merchantID {
			return notFoundField("target.store_id", "is not one of your stores")
		}
	}
	if t.ProgramID != 0 {
		if _, err := programRecord(tx, merchantID, t.ProgramID); err != nil {
			return notFoundField("target.program_id", "is not one of your mini-programs")
		}
		if t.StoreID != 0 && tx.Bucket(bucketProgramStores).Get(pair(t.ProgramID, t.StoreID)) == nil {
			return nearby.Invalid("target.store_id", "is not a store of the mini-program")
		}
	}
	return nil
}

// GetQRCode returns code id of merchantID (0: any merchant).
func (db *DB) GetQRCode(ctx context.Context, merchantID, id uint64) (*nearby.QRCode, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var q *nearby.QRCode
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		q, err = getQRCode(tx, merchantID, id)
		return err
	})
	return q, err
}

func getQRCode(tx *bolt.Tx, merchantID, id uint64) (*nearby.QRCode, error) {
	v := tx.Bucket(bucketQRCodes).Get(u64(id))
	if v == nil {
		return nil, notFound("qr code")
	}
	var q nearby.QRCode
	if err := decodeJSON(v, &q); err != nil {
		return nil, err
	}
	if merchantID != 0 && q.MerchantID != merchantID {
		return nil, notFound("qr code")
	}
	return &q, nil
}

// QRCodeByCode returns the code whose short code is code, of any merchant.
func (db *DB) QRCodeByCode(ctx context.Context, code string) (*nearby.QRCode, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var q *nearby.QRCode
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketQRByCode).Get([]byte(code))
		if len(v) != 8 {
			return notFound("qr code")
		}
		var err error
		q, err = getQRCode(tx, 0, binary.BigEndian.Uint64(v))
		return err
	})
	return q, err
}

// ListQRCodes returns up to limit (<= 0: all) codes of merchantID with ids
// greater than afterID, ascending.
func (db *DB) ListQRCodes(ctx context.Context, merchantID, afterID uint64, limit int) ([]*nearby.QRCode, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	var out []*nearby.QRCode
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, id := range listIDs(tx.Bucket(bucketMerchantQRCodes), tx.Bucket(bucketQRCodes), merchantID, afterID, limit) {
			q, err := getQRCode(tx, 0, id)
			if err != nil {
				return err
			}
			out = append(out, q)
		}
		return nil
	})
	return out, err
}

// DeleteQRCode deletes code id of merchantID (0: any); its short code then
// answers 404. Its statistics go with it.
func (db *DB) DeleteQRCode(ctx context.Context, merchantID, id uint64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		q, err := getQRCode(tx, merchantID, id)
		if err != nil {
			return err
		}
		for _, del := range []struct {
			b *bolt.Bucket
			k []byte
		}{
			{tx.Bucket(bucketQRByCode), []byte(q.Code)},
			{tx.Bucket(bucketMerchantQRCodes), pair(q.MerchantID, id)},
			{tx.Bucket(bucketQRCodes), u64(id)},
		} {
			if err := del.b.Delete(del.k); err != nil {
				return fmt.Errorf("store: delete qr code: %w", err)
			}
		}
		c := tx.Bucket(bucketQRStats).Cursor()
		for k, _ := c.Seek(u64(id)); len(k) == 12 && binary.BigEndian.Uint64(k) == id; k, _ = c.Seek(u64(id)) {
			if err := c.Delete(); err != nil {
				return fmt.Errorf("store: delete qr code stats: %w", err)
			}
		}
		return nil
	})
}

// qrDay is a code's scans of one date: a count and a HyperLogLog sketch of
// the visitors (no visitor key is kept).
type qrDay struct {
	pv int64
	uv *hyperloglog.Sketch
}

const qrDayV1 = 1

func (d *qrDay) encode() ([]byte, error) {
	b := binary.AppendVarint([]byte{qrDayV1}, d.pv)
	enc, err := d.uv.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("store: encode sketch: %w", err)
	}
	return append(b, enc...), nil
}

func decodeQRDay(v []byte) (*qrDay, error) {
	if len(v) < 2 || v[0] != qrDayV1 {
		return nil, errCorrupt
	}
	pv, n := binary.Varint(v[1:])
	if n <= 0 {
		return nil, errCorrupt
	}
	d := &qrDay{pv: pv, uv: hyperloglog.New14()}
	if err := d.uv.UnmarshalBinary(v[1+n:]); err != nil {
		return nil, fmt.Errorf("store: decode sketch: %w", err)
	}
	return d, nil
}

// RecordQRScan counts one scan of code s.CodeID on s.Date; ENOTFOUND when
// the code is gone.
func (db *DB) RecordQRScan(ctx context.Context, s *nearby.QRScan) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	date, err := time.Parse(time.DateOnly, s.Date)
	if err != nil {
		return nearby.Invalid("date", "must be YYYY-MM-DD")
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketQRCodes).Get(u64(s.CodeID)) == nil {
			return notFound("qr code")
		}
		b := tx.Bucket(bucketQRStats)
		k := dayKey(s.CodeID, dayNum(date))
		d := &qrDay{uv: hyperloglog.New14()}
		if v := b.Get(k); v != nil {
			if d, err = decodeQRDay(v); err != nil {
				return err
			}
		}
		d.pv++
		d.uv.Insert([]byte(s.Visitor))
		v, err := d.encode()
		if err != nil {
			return err
		}
		if err := b.Put(k, v); err != nil {
			return fmt.Errorf("store: put qr day: %w", err)
		}
		if s.StoreID == 0 {
			return nil
		}
		// The store's statistics count its codes' scans too (qr_scans),
		// with their own sketch for the minimum count.
		sb := tx.Bucket(bucketStoreQRScans)
		sk := dayKey(s.StoreID, dayNum(date))
		sd := &qrDay{uv: hyperloglog.New14()}
		if v := sb.Get(sk); v != nil {
			if sd, err = decodeQRDay(v); err != nil {
				return err
			}
		}
		sd.pv++
		sd.uv.Insert([]byte(s.Visitor))
		if v, err = sd.encode(); err != nil {
			return err
		}
		return sb.Put(sk, v)
	})
}

// publishQR is a day's scans as published: shown only when at least k
// distinct visitors stand behind them (or there were none).
func publishQR(d *qrDay, k int64) (pv, uv *int64, suppressed bool) {
	if d == nil || d.pv == 0 {
		var zero, zero2 int64
		return &zero, &zero2, false
	}
	n := int64(d.uv.Estimate())
	if n < k {
		return nil, nil, true
	}
	return &d.pv, &n, false
}

// addStoreQRScans sets QRScans of each day of a store's statistics, or
// marks the day suppressed when fewer than the minimum count of distinct
// visitors scanned.
func (db *DB) addStoreQRScans(tx *bolt.Tx, storeID uint64, days []nearby.DayStats) error {
	b := tx.Bucket(bucketStoreQRScans)
	for i := range days {
		d, err := time.Parse(time.DateOnly, days[i].Date)
		if err != nil {
			return fmt.Errorf("store: day %q: %w", days[i].Date, err)
		}
		v := b.Get(dayKey(storeID, dayNum(d)))
		if v == nil {
			continue
		}
		rec, err := decodeQRDay(v)
		if err != nil {
			return err
		}
		pv, _, suppressed := publishQR(rec, db.minCount)
		days[i].QRScans = pv
		days[i].Suppressed = days[i].Suppressed || suppressed
	}
	return nil
}

// QRStats returns code id's scans per local date from..to (dates of their
// own zones), a record for each date, oldest first.
func (db *DB) QRStats(ctx context.Context, merchantID, id uint64, from, to time.Time) ([]nearby.QRDay, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	first, last := dayNum(from), dayNum(to)
	out := []nearby.QRDay{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if _, err := getQRCode(tx, merchantID, id); err != nil {
			return err
		}
		n0, n1 := dayNoon(first), dayNoon(last)
		if n := int(n1.Sub(n0).Hours()/24) + 1; n > MaxStatsDays {
			return nearby.Invalid("to", "must be at most %d days after from", MaxStatsDays-1)
		}
		b := tx.Bucket(bucketQRStats)
		for d := n0; !d.After(n1); d = d.AddDate(0, 0, 1) {
			n := dayNum(d)
			row := nearby.QRDay{Date: dayString(n)}
			var rec *qrDay
			if v := b.Get(dayKey(id, n)); v != nil {
				var err error
				if rec, err = decodeQRDay(v); err != nil {
					return err
				}
			}
			row.ScansPV, row.ScansUV, row.Suppressed = publishQR(rec, db.minCount)
			out = append(out, row)
		}
		return nil
	})
	return out, err
}
