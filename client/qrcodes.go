package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/nearby-dev/nearby"
)

// QRTarget is what a QR code opens: a store, a program (optionally at one
// of its stores) or a campaign.
type QRTarget struct {
	StoreID   string `json:"store_id,omitempty"`
	ProgramID string `json:"program_id,omitempty"`
	Campaign  string `json:"campaign,omitempty"`
}

// QRCodeInput is a QR code to create.
type QRCodeInput struct {
	Target QRTarget `json:"target"`
	Label  string   `json:"label,omitempty"`
}

// QRCode is a merchant's QR code; URL is what it encodes.
type QRCode struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	Target    QRTarget  `json:"target"`
	Label     string    `json:"label,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// QRScan is what a scanned code opens; Open is its deep link.
type QRScan struct {
	Code     string        `json:"code"`
	Store    *StoreBrief   `json:"store,omitempty"`
	Program  *ProgramBrief `json:"program,omitempty"`
	Campaign string        `json:"campaign,omitempty"`
	Open     string        `json:"open"`
}

// QRStats is a code's scans per day.
type QRStats struct {
	ID   string         `json:"id"`
	From time.Time      `json:"from"`
	To   time.Time      `json:"to"`
	Days []nearby.QRDay `json:"days"`
}

// CreateQRCode creates a QR code (POST /v1/qrcodes).
func (c *Client) CreateQRCode(ctx context.Context, in *QRCodeInput) (*QRCode, error) {
	var q QRCode
	if err := c.Do(ctx, http.MethodPost, "/v1/qrcodes", nil, in, &q); err != nil {
		return nil, err
	}
	return &q, nil
}

// GetQRCode reads one of the merchant's QR codes (GET /v1/qrcodes/{id}).
func (c *Client) GetQRCode(ctx context.Context, id string) (*QRCode, error) {
	var q QRCode
	if err := c.Do(ctx, http.MethodGet, "/v1/qrcodes/"+escape(id), nil, nil, &q); err != nil {
		return nil, err
	}
	return &q, nil
}

// ListQRCodes reads one page of the merchant's QR codes (GET /v1/qrcodes).
func (c *Client) ListQRCodes(ctx context.Context, opts *ListOptions) (*Page[QRCode], error) {
	return list[QRCode](ctx, c, "/v1/qrcodes", opts)
}

// QRCodes iterates over all of the merchant's QR codes.
func (c *Client) QRCodes(ctx context.Context) iter.Seq2[QRCode, error] {
	return listAll[QRCode](ctx, c, "/v1/qrcodes")
}

// DeleteQRCode deletes one of the merchant's QR codes; its URL then
// answers 404 (DELETE /v1/qrcodes/{id}).
func (c *Client) DeleteQRCode(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/qrcodes/"+escape(id), nil, nil, nil)
}

// QRCodePNG renders a QR code as a PNG image (GET /v1/qrcodes/{id}.png).
func (c *Client) QRCodePNG(ctx context.Context, id string) ([]byte, error) {
	return c.send(ctx, http.MethodGet, "/v1/qrcodes/"+escape(id)+".png", nil, "", nil, "image/png")
}

// QRCodeSVG renders a QR code as an SVG image (GET /v1/qrcodes/{id}.svg).
func (c *Client) QRCodeSVG(ctx context.Context, id string) ([]byte, error) {
	return c.send(ctx, http.MethodGet, "/v1/qrcodes/"+escape(id)+".svg", nil, "", nil, "image/svg+xml")
}

// ScanQR is what a phone app does with a scanned code: GET /q/{code} as
// JSON (public), which counts the scan.
func (c *Client) ScanQR(ctx context.Context, code string) (*QRScan, error) {
	b, err := c.send(ctx, http.MethodGet, "/q/"+escape(code), nil, "", nil, "application/json")
	if err != nil {
		return nil, err
	}
	var s QRScan
	if err := c.decode(b, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// QRCodeStats reads a code's scans per day from..to (zero: the server's
// default, the last 30 days of its store's local today).
func (c *Client) QRCodeStats(ctx context.Context, id string, from, to time.Time) (*QRStats, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", from.Format(time.DateOnly))
	}
	if !to.IsZero() {
		q.Set("to", to.Format(time.DateOnly))
	}
	var s QRStats
	if err := c.Do(ctx, http.MethodGet, "/v1/stats/qrcodes/"+escape(id), q, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
