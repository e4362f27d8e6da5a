package nearby

import (
	"encoding/json"
	"net/url"
	"slices"
	"time"
)

// KindWebhook is the id prefix of webhook endpoints.
const KindWebhook = "wh"

// The events a merchant's back end can be told of, by webhook or stream.
const (
	StreamShake  = "shake"   // a phone's shake of one of the merchant's beacons or stores
	StreamEnter  = "enter"   // agent events, as uploaded
	StreamExit   = "exit"    //
	StreamDwell  = "dwell"   //
	StreamAlert  = "alert"   // an alert opened or resolved
	StreamQRScan = "qr_scan" // a QR code scan (issue 16)
)

// StreamEvents lists the event types of webhooks and the stream.
var StreamEvents = []string{StreamShake, StreamEnter, StreamExit, StreamDwell, StreamAlert, StreamQRScan}

// MaxWebhooks bounds a merchant's endpoints.
const MaxWebhooks = 20

// Webhook is a merchant's endpoint that deliveries are POSTed to, signed
// with Secret (Standard Webhooks). Cursor is the sequence number of the
// last stream event delivered (or skipped as not subscribed); the rest is
// the retry state of the next one.
type Webhook struct {
	ID         uint64
	MerchantID uint64
	URL        string
	Events     []string
	Secret     []byte
	CreatedAt  time.Time
	Disabled   bool
	Delivery   WebhookDelivery
}

// WebhookDelivery is where an endpoint's deliveries stand.
type WebhookDelivery struct {
	Cursor       uint64
	Attempts     int        // failed attempts at the event after Cursor
	NextAt       time.Time  `json:",omitzero"` // not before: the backoff
	FailingSince *time.Time `json:",omitempty"`
	LastError    string     `json:",omitempty"`
}

// Wants reports whether w is subscribed to events of typ.
func (w *Webhook) Wants(typ string) bool { return slices.Contains(w.Events, typ) }

// Validate checks an endpoint's client-supplied fields.
func (w *Webhook) Validate() error {
	var p Problems
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(w.URL) > MaxURLLen {
		p.Addf("url", "must be an http(s) URL of at most %d bytes", MaxURLLen)
	}
	if len(w.Events) == 0 {
		p.Addf("events", "must name at least one of %v", StreamEvents)
	}
	for _, e := range w.Events {
		if !slices.Contains(StreamEvents, e) {
			p.Addf("events", "must be among %v", StreamEvents)
			break
		}
	}
	return p.Err()
}

// StreamEvent is one entry of a merchant's event stream: what webhooks
// deliver and GET /v1/events/stream serves. Seq orders all merchants'
// events; Data is the event's JSON as delivered.
type StreamEvent struct {
	Seq        uint64
	MerchantID uint64
	Type       string
	At         time.Time
	Data       json.RawMessage
}
