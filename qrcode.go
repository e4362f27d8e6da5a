package nearby

import "time"

// KindQRCode is the id prefix of QR codes ("qr_1a").
const KindQRCode = "qr"

// Limits on QR code fields.
const (
	MaxCampaignLen = 64
	QRCodeLen      = 10 // characters of a QRCode.Code
)

// QRTarget is what a QR code opens: a store, a program (optionally at one
// of its stores) or a campaign, which may name either as well.
type QRTarget struct {
	StoreID   uint64 `json:"store_id,omitempty"`
	ProgramID uint64 `json:"program_id,omitempty"`
	Campaign  string `json:"campaign,omitempty"`
}

// QRCode is a merchant's printed code: scanning it opens the public short
// URL /q/{Code}, which answers the target and counts the scan.
type QRCode struct {
	ID         uint64
	MerchantID uint64
	Code       string // random, URL-safe, unique
	Target     QRTarget
	Label      string
	CreatedAt  time.Time
}

// QRScan is one scan of a code, counted on Date (YYYY-MM-DD, the local
// date of the target's store, else UTC) for a visitor known only by an
// opaque key (sketched for the unique count, never stored).
type QRScan struct {
	CodeID  uint64
	StoreID uint64 // the target's store, 0 for none
	At      time.Time
	Date    string
	Visitor string
}

// QRDay is one day's scans of a code.
type QRDay struct {
	Date string `json:"date"`
	// ScansPV and ScansUV are nil (and Suppressed true) when fewer
	// distinct visitors than the minimum count scanned that day.
	ScansPV    *int64 `json:"scans_pv"`
	ScansUV    *int64 `json:"scans_uv"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// Validate checks a code's client-supplied fields: a target, a campaign
// and a label within their limits.
func (q *QRCode) Validate() error {
	var p Problems
	t := q.Target
	if t.StoreID == 0 && t.ProgramID == 0 && t.Campaign == "" {
		p.Addf("target", "must name a store_id, a program_id or a campaign")
	}
	if len(t.Campaign) > MaxCampaignLen {
		p.Addf("target.campaign", "must be at most %d bytes", MaxCampaignLen)
	}
	checkName(&p, "label", q.Label, false)
	return p.Err()
}
