package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
)

// qrTargetJSON is a code's target, in requests and answers.
type qrTargetJSON struct {
	StoreID   string `json:"store_id,omitempty" jsonschema:"pattern=^st_[0-9a-f]+$" jsonschema_description:"A store of the merchant's."`
	ProgramID string `json:"program_id,omitempty" jsonschema:"pattern=^pg_[0-9a-f]+$" jsonschema_description:"A mini-program of the merchant's; with store_id, one present there."`
	Campaign  string `json:"campaign,omitempty" jsonschema:"maxLength=64" jsonschema_description:"A campaign name, for attribution."`
}

// qrInput is the body of POST /v1/qrcodes.
type qrInput struct {
	Target *qrTargetJSON `json:"target" jsonschema:"required" jsonschema_description:"What the code opens: a store, a mini-program (optionally at a store) or a campaign."`
	Label  string        `json:"label,omitempty" jsonschema:"maxLength=200" jsonschema_description:"The merchant's name for the code."`
}

// qrJSON is a code as the merchant routes answer it.
type qrJSON struct {
	ID        string       `json:"id" jsonschema:"pattern=^qr_[0-9a-f]+$" jsonschema_description:"QR code id."`
	Code      string       `json:"code" jsonschema:"minLength=10,maxLength=10" jsonschema_description:"The short code of the public URL."`
	URL       string       `json:"url" jsonschema:"format=uri" jsonschema_description:"The public URL the code encodes: /q/{code} on this server."`
	Target    qrTargetJSON `json:"target" jsonschema_description:"What the code opens."`
	Label     string       `json:"label,omitempty" jsonschema_description:"The merchant's name for the code."`
	CreatedAt time.Time    `json:"created_at" jsonschema_description:"Creation time."`
}

// qrScanJSON is the JSON answer of the public short URL.
type qrScanJSON struct {
	Code     string        `json:"code" jsonschema_description:"The short code scanned."`
	Store    *storeBrief   `json:"store,omitempty" jsonschema_description:"The target's store."`
	Program  *programBrief `json:"program,omitempty" jsonschema_description:"The target's mini-program."`
	Campaign string        `json:"campaign,omitempty" jsonschema_description:"The target's campaign."`
	Open     string        `json:"open" jsonschema_description:"Deep link that opens the target (where a browser is redirected)."`
}

// qrStatsJSON is a code's scans per day.
type qrStatsJSON struct {
	ID   string         `json:"id" jsonschema:"pattern=^qr_[0-9a-f]+$" jsonschema_description:"The QR code."`
	From time.Time      `json:"from" jsonschema_description:"Start of the range."`
	To   time.Time      `json:"to" jsonschema_description:"End of the range."`
	Days []nearby.QRDay `json:"days" jsonschema_description:"One entry a day, oldest first, in the target store's time zone (UTC without one)."`
}

func qrID(q *nearby.QRCode) uint64 { return q.ID }

func (s *Server) qrView(c echo.Context) func(*nearby.QRCode) qrJSON {
	base := c.Scheme() + "://" + c.Request().Host + "/q/"
	return func(q *nearby.QRCode) qrJSON {
		v := qrJSON{ID: nearby.FormatID(nearby.KindQRCode, q.ID), Code: q.Code, URL: base + q.Code, Label: q.Label,
			CreatedAt: q.CreatedAt, Target: qrTargetJSON{Campaign: q.Target.Campaign}}
		if q.Target.StoreID != 0 {
			v.Target.StoreID = nearby.FormatID(nearby.KindStore, q.Target.StoreID)
		}
		if q.Target.ProgramID != 0 {
			v.Target.ProgramID = nearby.FormatID(nearby.KindProgram, q.Target.ProgramID)
		}
		return v
	}
}

// handleCreateQRCode is POST /v1/qrcodes.
func (s *Server) handleCreateQRCode(c echo.Context) error {
	var in qrInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	var p nearby.Problems
	q := &nearby.QRCode{MerchantID: merchantOf(c), Label: in.Label}
	if in.Target == nil {
		p.Addf("target", "is required")
	} else {
		q.Target.Campaign = in.Target.Campaign
		if v := in.Target.StoreID; v != "" {
			id, err := nearby.ParseID(nearby.KindStore, "target.store_id", v)
			p.Merge("", err)
			q.Target.StoreID = id
		}
		if v := in.Target.ProgramID; v != "" {
			id, err := nearby.ParseID(nearby.KindProgram, "target.program_id", v)
			p.Merge("", err)
			q.Target.ProgramID = id
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := s.qrcodes.CreateQRCode(writeCtx(c), q); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.qrView(c)(q))
}

// handleListQRCodes is GET /v1/qrcodes.
func (s *Server) handleListQRCodes(c echo.Context) error {
	after, limit, err := pageParams(c, nearby.KindQRCode)
	if err != nil {
		return err
	}
	qs, err := s.qrcodes.ListQRCodes(c.Request().Context(), merchantOf(c), after, limit+1)
	if err != nil {
		return err
	}
	return listResponse(c, nearby.KindQRCode, qs, limit, qrID, s.qrView(c))
}

// handleGetQRCode is GET /v1/qrcodes/{id}, and {id}.png and {id}.svg,
// which the router cannot tell apart (a parameter runs to the next slash).
func (s *Server) handleGetQRCode(c echo.Context) error {
	raw := c.Param("id")
	base, kind := raw, ""
	if b, ok := strings.CutSuffix(raw, ".png"); ok {
		base, kind = b, "png"
	} else if b, ok := strings.CutSuffix(raw, ".svg"); ok {
		base, kind = b, "svg"
	}
	id, err := nearby.ParseID(nearby.KindQRCode, "id", base)
	if err != nil {
		return err
	}
	q, err := s.qrcodes.GetQRCode(c.Request().Context(), merchantOf(c), id)
	if err != nil {
		return err
	}
	v := s.qrView(c)(q)
	switch kind {
	case "png":
		b, err := qrPNG(v.URL)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "image/png", b)
	case "svg":
		b, err := qrSVG(v.URL)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "image/svg+xml", b)
	}
	return c.JSON(http.StatusOK, v)
}

// handleDeleteQRCode is DELETE /v1/qrcodes/{id}.
func (s *Server) handleDeleteQRCode(c echo.Context) error {
	id, err := pathID(c, nearby.KindQRCode)
	if err != nil {
		return err
	}
	if err := s.qrcodes.DeleteQRCode(writeCtx(c), merchantOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleQRStats is GET /v1/stats/qrcodes/{id}.
func (s *Server) handleQRStats(c echo.Context) error {
	id, err := pathID(c, nearby.KindQRCode)
	if err != nil {
		return err
	}
	loc, err := s.qrcodes.QRZone(c.Request().Context(), merchantOf(c), id)
	if err != nil {
		return err
	}
	from, to, err := s.statsRange(c, loc)
	if err != nil {
		return err
	}
	days, err := s.qrcodes.QRStats(c.Request().Context(), merchantOf(c), id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, qrStatsJSON{ID: nearby.FormatID(nearby.KindQRCode, id), From: from, To: to, Days: days})
}

// handleScanQR is GET /q/{code}, the public URL a code encodes. It counts
// the scan (the visitor known only by a digest of address and user agent,
// sketched for the unique count) and answers the target: JSON for an app
// that asks for it, else a redirect to the deep link that opens it.
func (s *Server) handleScanQR(c echo.Context) error {
	code := c.Param("code")
	if len(code) != nearby.QRCodeLen {
		return nearby.Errorf(nearby.ENOTFOUND, "qr code not found")
	}
	sum := sha256.Sum256([]byte(c.RealIP() + "\x00" + c.Request().UserAgent()))
	got, err := s.qrcodes.ScanQRCode(c.Request().Context(), code, hex.EncodeToString(sum[:16]))
	if err != nil {
		return err
	}
	v := qrScanJSON{Code: code, Store: storeBriefOf(got.Store), Program: programBriefOf(got.Program), Campaign: got.Code.Target.Campaign,
		Open: deepLink(got)}
	if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON) {
		return c.JSON(http.StatusOK, v)
	}
	return c.Redirect(http.StatusFound, v.Open)
}

// deepLink is the link that opens a scanned target in the phone app:
// nearby://open with the program's app id and the store, campaign and code
// as parameters.
func deepLink(got *discovery.QRScanned) string {
	q := url.Values{"qr": {got.Code.Code}}
	if got.Program != nil {
		q.Set("app_id", got.Program.AppID)
		q.Set("program_id", nearby.FormatID(nearby.KindProgram, got.Program.ID))
	}
	if got.Store != nil {
		q.Set("store_id", nearby.FormatID(nearby.KindStore, got.Store.ID))
	}
	if c := got.Code.Target.Campaign; c != "" {
		q.Set("campaign", c)
	}
	return "nearby://open?" + q.Encode()
}
