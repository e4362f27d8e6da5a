package api

import (
	"context"
	"net/http"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/webhook"
)

// Webhooks is a merchant's webhook endpoints.
type Webhooks interface {
	// CreateWebhook validates w, generates its secret and creates it.
	CreateWebhook(ctx context.Context, w *nearby.Webhook) error
	ListWebhooks(ctx context.Context, merchantID uint64) ([]*nearby.Webhook, error)
	DeleteWebhook(ctx context.Context, merchantID, id uint64) error
	// TestWebhook sends a signed test event of typ ("": ping) now.
	TestWebhook(ctx context.Context, merchantID, id uint64, typ string) (discovery.WebhookTest, error)
}

var (
	_ Webhooks = (*discovery.Service)(nil)
	_ Streams  = (*discovery.Service)(nil)
)

// noWebhooks is the Webhooks and Streams of a server built without them.
type noWebhooks struct{}

func unsupported() error {
	return nearby.Errorf(nearby.ENOTFOUND, "webhooks and the event stream are not available on this server")
}

func (noWebhooks) CreateWebhook(context.Context, *nearby.Webhook) error { return unsupported() }
func (noWebhooks) ListWebhooks(context.Context, uint64) ([]*nearby.Webhook, error) {
	return nil, unsupported()
}
func (noWebhooks) DeleteWebhook(context.Context, uint64, uint64) error { return unsupported() }
func (noWebhooks) TestWebhook(context.Context, uint64, uint64, string) (discovery.WebhookTest, error) {
	return discovery.WebhookTest{}, unsupported()
}
func (noWebhooks) ReadStream(context.Context, uint64, uint64, int) ([]nearby.StreamEvent, error) {
	return nil, unsupported()
}
func (noWebhooks) StreamHead(context.Context) (uint64, error) { return 0, unsupported() }
func (noWebhooks) StreamChanged() <-chan struct{}             { return nil }

// webhookInput is the body of POST /v1/webhooks.
type webhookInput struct {
	URL    *string   `json:"url" jsonschema:"required,format=uri" jsonschema_description:"The http(s) endpoint deliveries are POSTed to."`
	Events *[]string `json:"events" jsonschema:"required,minItems=1" jsonschema_description:"The events to deliver."`
}

// webhookJSON is an endpoint as the API shows it.
type webhookJSON struct {
	ID        string    `json:"id" jsonschema:"pattern=^wh_[0-9a-f]+$" jsonschema_description:"Endpoint id: wh_ and hex digits."`
	URL       string    `json:"url" jsonschema_description:"Where deliveries are POSTed."`
	Events    []string  `json:"events" jsonschema_description:"The events delivered."`
	Secret    string    `json:"secret,omitempty" jsonschema:"pattern=^whsec_" jsonschema_description:"Signing secret (Standard Webhooks), only in the create response."`
	Disabled  bool      `json:"disabled" jsonschema_description:"Disabled after failing for 24 hours (an alert says so); create a new endpoint to resume."`
	Failing   bool      `json:"failing" jsonschema_description:"The last attempt failed; retries go on with growing delays."`
	LastError string    `json:"last_error,omitempty" jsonschema_description:"Why the last attempt failed."`
	CreatedAt time.Time `json:"created_at" jsonschema_description:"When the endpoint was registered."`
}

type webhookList struct {
	Items []webhookJSON `json:"items" jsonschema_description:"The merchant's endpoints, oldest first."`
}

// webhookTestInput is the body of POST /v1/webhooks/{id}/test.
type webhookTestInput struct {
	Type string `json:"type" jsonschema_description:"The event type the ping carries (default ping); its data is a sample marked test."`
}

type webhookTestJSON struct {
	Delivered bool   `json:"delivered" jsonschema_description:"The endpoint answered 2xx."`
	Status    int    `json:"status,omitempty" jsonschema:"minimum=100,maximum=599" jsonschema_description:"The endpoint's HTTP status, when it answered."`
	Error     string `json:"error,omitempty" jsonschema_description:"Why the ping was not delivered."`
}

func webhookView(w *nearby.Webhook) webhookJSON {
	return webhookJSON{ID: nearby.FormatID(nearby.KindWebhook, w.ID), URL: w.URL, Events: w.Events, Disabled: w.Disabled,
		Failing: w.Delivery.FailingSince != nil, LastError: w.Delivery.LastError, CreatedAt: w.CreatedAt}
}

// handleCreateWebhook is POST /v1/webhooks; the secret is shown once.
func (s *Server) handleCreateWebhook(c echo.Context) error {
	var in webhookInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	var p nearby.Problems
	required(&p, "url", in.URL == nil)
	required(&p, "events", in.Events == nil)
	if err := p.Err(); err != nil {
		return err
	}
	w := &nearby.Webhook{MerchantID: merchantOf(c), URL: *in.URL, Events: *in.Events}
	if err := s.webhooks.CreateWebhook(writeCtx(c), w); err != nil {
		return err
	}
	v := webhookView(w)
	v.Secret = webhook.FormatSecret(w.Secret)
	return c.JSON(http.StatusCreated, v)
}

// handleListWebhooks is GET /v1/webhooks.
func (s *Server) handleListWebhooks(c echo.Context) error {
	ws, err := s.webhooks.ListWebhooks(c.Request().Context(), merchantOf(c))
	if err != nil {
		return err
	}
	out := webhookList{Items: make([]webhookJSON, 0, len(ws))}
	for _, w := range ws {
		out.Items = append(out.Items, webhookView(w))
	}
	return c.JSON(http.StatusOK, out)
}

// handleDeleteWebhook is DELETE /v1/webhooks/{id}.
func (s *Server) handleDeleteWebhook(c echo.Context) error {
	id, err := pathID(c, nearby.KindWebhook)
	if err != nil {
		return err
	}
	if err := s.webhooks.DeleteWebhook(writeCtx(c), merchantOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleTestWebhook is POST /v1/webhooks/{id}/test: a signed "ping" now.
func (s *Server) handleTestWebhook(c echo.Context) error {
	id, err := pathID(c, nearby.KindWebhook)
	if err != nil {
		return err
	}
	var in webhookTestInput
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Type != "" && in.Type != "ping" && !nearby.ValidEnum(in.Type, nearby.StreamEvents) {
		return nearby.Invalid("type", "must be ping or one of %v", nearby.StreamEvents)
	}
	res, err := s.webhooks.TestWebhook(c.Request().Context(), merchantOf(c), id, in.Type)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webhookTestJSON{Delivered: res.Delivered, Status: res.Status, Error: res.Error})
}

func (webhookInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "url").MaxLength = uptr(nearby.MaxURLLen)
	prop(s, "events").Items = &jsonschema.Schema{Type: "string", Enum: enum(nearby.StreamEvents)}
}

func (webhookTestInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "type").Enum = enum(append([]string{"ping"}, nearby.StreamEvents...))
}

func (webhookJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "events").Items = &jsonschema.Schema{Type: "string", Enum: enum(nearby.StreamEvents)}
}
