package store_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
)

func TestDB_QRCodes(t *testing.T) {
	// k = 2: a day of two distinct visitors is shown, a day of one is not.
	ctx := context.Background()
	db := MustOpenDBAt(t, filepath.Join(t.TempDir(), "nearby.db"), &store.Options{MinCount: 2})
	m, other := mustMerchant(t, db, "Mine"), mustMerchant(t, db, "Theirs")
	st, theirs := mustStore(t, db, m.ID, "mine", ""), mustStore(t, db, other.ID, "theirs", "")
	lone := mustStore(t, db, m.ID, "lone", "")
	p := &nearby.Program{MerchantID: m.ID, AppID: "wx", Name: "p", Category: "coffee", StoreIDs: []uint64{st.ID}}
	if err := db.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		target nearby.QRTarget
		code   string
		field  string
	}{
		{nearby.ENOTFOUND, nearby.QRTarget{StoreID: theirs.ID}, nearby.ENOTFOUND, "target.store_id"},
		{nearby.ENOTFOUND, nearby.QRTarget{StoreID: 999}, nearby.ENOTFOUND, "target.store_id"},
		{nearby.ENOTFOUND, nearby.QRTarget{ProgramID: 999}, nearby.ENOTFOUND, "target.program_id"},
		{nearby.EINVALID, nearby.QRTarget{ProgramID: p.ID, StoreID: lone.ID}, nearby.EINVALID, "target.store_id"},
	} {
		err := db.CreateQRCode(ctx, &nearby.QRCode{MerchantID: m.ID, Code: "c" + tc.field, Target: tc.target})
		wantCode(t, err, tc.code, tc.field)
	}
	q := &nearby.QRCode{MerchantID: m.ID, Code: "abcdefghij", Target: nearby.QRTarget{ProgramID: p.ID, StoreID: st.ID, Campaign: "xmas"}, Label: "door"}
	if err := db.CreateQRCode(ctx, q); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.CreateQRCode(ctx, &nearby.QRCode{MerchantID: m.ID, Code: q.Code, Target: nearby.QRTarget{Campaign: "x"}}), nearby.ECONFLICT, "code")
	if got, err := db.QRCodeByCode(ctx, "abcdefghij"); err != nil || got.ID != q.ID || got.Target != q.Target {
		t.Fatalf("QRCodeByCode = %+v, %v", got, err)
	}
	if _, err := db.GetQRCode(ctx, other.ID, q.ID); nearby.ErrorCode(err) != nearby.ENOTFOUND {
		t.Errorf("another merchant's code: %v", err)
	}
	for i, v := range []string{"a", "b", "a", "a"} {
		date := "2026-11-23"
		if i == 3 {
			date = "2026-11-24"
		}
		if err := db.RecordQRScan(ctx, &nearby.QRScan{CodeID: q.ID, Date: date, Visitor: v, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	days, err := db.QRStats(ctx, m.ID, q.ID, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	n := func(v int64) *int64 { return &v }
	want := []nearby.QRDay{{Date: "2026-11-22", ScansPV: n(0), ScansUV: n(0)}, {Date: "2026-11-23", ScansPV: n(3), ScansUV: n(2)},
		{Date: "2026-11-24", Suppressed: true}}
	if !reflect.DeepEqual(days, want) {
		g, _ := json.Marshal(days)
		w, _ := json.Marshal(want)
		t.Errorf("QRStats = %s, want %s", g, w)
	}
	if list, _ := db.ListQRCodes(ctx, m.ID, 0, 0); len(list) != 1 || list[0].ID != q.ID {
		t.Errorf("ListQRCodes = %+v", list)
	}
	if err := db.DeleteQRCode(ctx, m.ID, q.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.QRCodeByCode(ctx, q.Code); nearby.ErrorCode(err) != nearby.ENOTFOUND {
		t.Errorf("deleted code by code: %v", err)
	}
	wantCode(t, db.RecordQRScan(ctx, &nearby.QRScan{CodeID: q.ID, Date: "2026-11-23", Visitor: "a"}), nearby.ENOTFOUND, "")
}
