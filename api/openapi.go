package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/nearby-dev/nearby"
)

// OpenAPI 3.1 generation: the paths come from the route table, the body
// schemas are reflected from the Go types (schema.go).

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

// Query parameter constructors of the route table.

func qStr(name, desc string) param {
	return param{Name: name, Desc: desc, Schema: obj{"type": "string"}}
}

func qBool(name, desc string) param {
	return param{Name: name, Desc: desc, Schema: obj{"type": "boolean", "default": false}}
}

func qEnum(name, desc string, vals []string) param {
	return param{Name: name, Desc: desc, Schema: obj{"type": "string", "enum": vals}}
}

// qInt is an integer in [lo, hi]; def is its default (nil for none).
func qInt(name, desc string, lo, hi int, def any) param {
	sc := obj{"type": "integer", "minimum": lo, "maximum": hi}
	if def != nil {
		sc["default"] = def
	}
	return param{Name: name, Desc: desc, Schema: sc}
}

func qNum(name, desc string, lo, hi float64) param {
	return param{Name: name, Desc: desc, Schema: obj{"type": "number", "minimum": lo, "maximum": hi}}
}

// qRadius is a search radius: more than 0, at most nearby.MaxRadiusM.
func qRadius(name, desc string) param {
	return param{Name: name, Desc: desc, Schema: obj{"type": "number", "exclusiveMinimum": 0,
		"maximum": nearby.MaxRadiusM, "default": nearby.DefaultRadiusM}}
}

// qDay is a day (YYYY-MM-DD) or an RFC 3339 time.
func qDay(name, desc string) param {
	return param{Name: name, Desc: desc, Schema: obj{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T.+)?$"}}
}

func (p param) required() param { p.Required = true; return p }

// mediaSchemas describe the request bodies other than JSON.
var mediaSchemas = map[string]obj{
	"text/csv": {"type": "string", "description": "CSV with a header row naming the columns " + strings.Join(importFields, ", ") + " (columns maps other names)."},
	"application/geo+json": {"type": "object", "description": "A GeoJSON FeatureCollection of Point features whose properties hold the store fields.",
		"required": []string{"type", "features"}, "properties": obj{
			"type":     obj{"const": "FeatureCollection", "description": "The GeoJSON object type."},
			"features": obj{"type": "array", "description": "The stores, one Point feature each.", "items": obj{"type": "object", "description": "A GeoJSON Feature."}},
		}},
}

// pathParams describes the path parameters by the collection they index.
var pathParams = map[string]struct {
	desc   string
	schema obj
}{
	"stores":    {"Store id (st_...).", obj{"type": "string", "pattern": "^st_[0-9a-f]+$"}},
	"programs":  {"Mini-program id (pg_...).", obj{"type": "string", "pattern": "^pg_[0-9a-f]+$"}},
	"beacons":   {"Beacon id (bcn_...).", obj{"type": "string", "pattern": "^bcn_[0-9a-f]+$"}},
	"merchants": {"Merchant id (mer_...).", obj{"type": "string", "pattern": "^mer_[0-9a-f]+$"}},
	"keys":      {"API key id (key_...).", obj{"type": "string", "pattern": "^key_[0-9a-f]+$"}},
	"tokens":    {"Agent token id (key_...).", obj{"type": "string", "pattern": "^key_[0-9a-f]+$"}},
	"webhooks":  {"Webhook endpoint id (wh_...).", obj{"type": "string", "pattern": "^wh_[0-9a-f]+$"}},
	"qrcodes":   {"QR code id (qr_...).", obj{"type": "string", "pattern": "^qr_[0-9a-f]+$"}},
	"q":         {"The short code a QR code encodes.", obj{"type": "string", "minLength": 10, "maxLength": 10}},
	"shakes": {"Shake ticket, as the shake answered it.", obj{"type": "string", "format": "uuid",
		"pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}},
}

// openAPIPath turns /v1/stores/:id into /v1/stores/{id}, returning each
// parameter with the segment before it.
func openAPIPath(p string) (string, [][2]string) {
	parts := strings.Split(p, "/")
	var names [][2]string
	for i, s := range parts {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			name, ext, _ := strings.Cut(name, ".") // :id.png
			parts[i] = "{" + name + "}"
			if ext != "" {
				parts[i] += "." + ext
			}
			names = append(names, [2]string{name, parts[i-1]})
		}
	}
	return strings.Join(parts, "/"), names
}

// problemResponse is a documented error answer.
func problemResponse(desc string, headers obj) obj {
	r := obj{"description": desc, "content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}
	if headers != nil {
		r["headers"] = headers
	}
	return r
}

var retryAfter = obj{"Retry-After": obj{"description": "Seconds to wait before retrying.", "schema": obj{"type": "integer", "minimum": 1}}}

// errorResponses are the problems rt can answer with.
func (s *Server) errorResponses(rt route, hasPath bool) obj {
	out := obj{}
	if rt.Request != "" || len(rt.Media) > 0 || len(rt.Query) > 0 || hasPath {
		out["400"] = problemResponse("Invalid input: errors names each offending field.", nil)
	}
	if rt.Auth != authNone {
		out["401"] = problemResponse("Missing or invalid bearer token.", obj{"WWW-Authenticate": obj{
			"description": "The authentication scheme (Bearer).", "schema": obj{"type": "string"}}})
	}
	if rt.Auth == authAgent {
		out["403"] = problemResponse("A token of the wrong kind (the problem names the kind needed), or the agent's beacon is decommissioned.", nil)
	} else if rt.Auth != authNone {
		out["403"] = problemResponse("A token of the wrong kind: the problem names the kind needed.", nil)
	}
	switch {
	case rt.NotFound != "":
		out["404"] = problemResponse(rt.NotFound, nil)
	case hasPath:
		out["404"] = problemResponse("No such resource, or not the caller's.", nil)
	}
	if rt.Conflict != "" {
		out["409"] = problemResponse(rt.Conflict, nil)
	}
	if rt.Request != "" || len(rt.Media) > 0 {
		out["413"] = problemResponse("The body is too large ("+strconv.FormatInt(s.bodyLimit(rt), 10)+" bytes at most).", nil)
		out["415"] = problemResponse("The Content-Type is not one the operation accepts.", nil)
	}
	if rt.Public {
		out["429"] = problemResponse("Too many requests from this client.", retryAfter)
	}
	out["500"] = problemResponse("An internal error; details are only in the server's logs.", nil)
	if !rt.Ops {
		out["503"] = problemResponse("discoveryd is starting: the index is loading.", retryAfter)
	}
	return out
}

func (s *Server) bodyLimit(rt route) int64 {
	if len(rt.Media) > 0 {
		return s.cfg.MaxImportBytes
	}
	return s.cfg.MaxBodyBytes
}

// description says what an operation needs besides its summary.
func (rt route) description() string {
	d := rt.Summary + "."
	switch rt.Auth {
	case authAdmin:
		d += " Needs the admin token."
	case authMerchant:
		d += " Needs a merchant API key; only the merchant's own resources are visible."
	case authAgent:
		d += " Needs the agent token of a beacon."
	case authAdminOrMerchant:
		d += " Needs the admin token, or the merchant's own API key."
	default:
		d += " Public: no token."
	}
	if rt.Public {
		d += " Rate limited per client IP."
	}
	if rt.Ops {
		d += " Served also while the index is loading."
	}
	return d
}

var tagDocs = []obj{
	{"name": "operations", "description": "Health, readiness, metrics and this document."},
	{"name": "merchants", "description": "Merchants and their API keys (admin)."},
	{"name": "stores", "description": "A merchant's stores."},
	{"name": "programs", "description": "A merchant's mini-programs."},
	{"name": "beacons", "description": "A merchant's beacons."},
	{"name": "phones", "description": "What phones ask: nearby mini-programs, resolving beacons, shakes."},
	{"name": "agents", "description": "What beacon agents ask and report."},
	{"name": "statistics", "description": "Per-day statistics and heatmaps."},
}

func (s *Server) buildOpenAPI() ([]byte, error) {
	schemas, err := bodySchemas(s.cfg.MaxEventBatch)
	if err != nil {
		return nil, err
	}
	paths := obj{}
	for _, rt := range s.routes {
		path, names := openAPIPath(rt.Path)
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		op, err := s.operation(rt, names, schemas)
		if err != nil {
			return nil, err
		}
		item[strings.ToLower(rt.Method)] = op
	}
	bearer := func(desc string) obj { return obj{"type": "http", "scheme": "bearer", "description": desc} }
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Nearby discoveryd API", "version": "1",
			"description": "Mini-programs nearby: merchants, stores, programs, beacons, phones, agents and statistics. " +
				"Every error is an RFC 9457 problem (application/problem+json)."},
		"servers": []obj{{"url": "/", "description": "The discoveryd that serves this document."}},
		"tags":    tagDocs,
		"paths":   paths,
		"components": obj{"schemas": schemas, "securitySchemes": obj{
			"admin":    bearer("The admin token (--admin-token, DISCOVERYD_ADMIN_TOKEN or <data-dir>/admin.token)."),
			"merchant": bearer("A merchant API key (mk_...), returned once by POST /v1/merchants."),
			"agent":    bearer("A beacon agent token (at_...), returned once by POST /v1/beacons."),
		}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// operation is the OpenAPI operation of rt, whose path has the parameters
// names (from openAPIPath).
func (s *Server) operation(rt route, names [][2]string, schemas map[string]json.RawMessage) (obj, error) {
	if rt.OpID == "" {
		return nil, fmt.Errorf("api: openapi: %s %s has no operationId", rt.Method, rt.Path)
	}
	op := obj{"summary": rt.Summary, "description": rt.description(), "tags": []string{rt.Tag}, "operationId": rt.OpID}
	var params []any
	for _, n := range names {
		pp, ok := pathParams[n[1]]
		if !ok {
			return nil, fmt.Errorf("api: openapi: path parameter %s of %s is not described", n[0], rt.Path)
		}
		params = append(params, obj{"name": n[0], "in": "path", "required": true, "description": pp.desc, "schema": pp.schema})
	}
	for _, q := range rt.Query {
		params = append(params, obj{"name": q.Name, "in": "query", "required": q.Required, "description": q.Desc, "schema": q.Schema})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	body, err := requestBody(rt, schemas)
	if err != nil {
		return nil, err
	}
	if body != nil {
		op["requestBody"] = body
	}
	ok, err := successResponse(rt, schemas)
	if err != nil {
		return nil, err
	}
	responses := s.errorResponses(rt, len(names) > 0)
	responses[strconv.Itoa(rt.Status)] = ok
	if rt.Redirect != "" {
		responses["302"] = obj{"description": rt.Redirect, "headers": obj{"Location": obj{"description": "The deep link.", "schema": obj{"type": "string"}}}}
	}
	if rt.Path == "/readyz" {
		responses["503"] = obj{"description": "Still loading.", "headers": retryAfter,
			"content": obj{"application/json": obj{"schema": ref("Status")}}}
	}
	op["responses"] = responses
	op["security"] = securityOf(rt.Auth)
	return op, nil
}

// requestBody is rt's documented request body, nil for none.
func requestBody(rt route, schemas map[string]json.RawMessage) (obj, error) {
	if rt.Request != "" {
		if _, ok := schemas[rt.Request]; !ok || inputSchemas[rt.Request] == nil {
			return nil, fmt.Errorf("api: openapi: no request schema %q for %s %s", rt.Request, rt.Method, rt.Path)
		}
		return obj{"required": true, "description": schemaDocs[rt.Request],
			"content": obj{"application/json": obj{"schema": ref(rt.Request)}}}, nil
	}
	if len(rt.Media) == 0 {
		return nil, nil
	}
	content := obj{}
	for _, m := range rt.Media {
		sc, ok := mediaSchemas[m]
		if !ok {
			return nil, fmt.Errorf("api: openapi: no schema for %s bodies of %s %s", m, rt.Method, rt.Path)
		}
		content[m] = obj{"schema": sc}
	}
	return obj{"required": true, "description": "The file to import.", "content": content}, nil
}

// successResponse is rt's documented success answer.
func successResponse(rt route, schemas map[string]json.RawMessage) (obj, error) {
	ok := obj{"description": http.StatusText(rt.Status)}
	switch rt.Reply {
	case "":
	case "text":
		ok["content"] = obj{"text/plain": obj{"schema": obj{"type": "string", "description": "Prometheus text exposition format."}}}
	case "object":
		ok["content"] = obj{"application/json": obj{"schema": obj{"type": "object", "description": "An OpenAPI 3.1 document."}}}
	case "event-stream":
		ok["content"] = obj{"text/event-stream": obj{"schema": obj{"type": "string",
			"description": "Server-Sent Events: id is the event's sequence number, event its type, data the webhook body {type, timestamp, data}."}}}
	case "png":
		ok["content"] = obj{"image/png": obj{"schema": obj{"type": "string", "contentMediaType": "image/png", "description": "The code, 8 pixels a module with a 4-module quiet zone."}}}
	case "svg":
		ok["content"] = obj{"image/svg+xml": obj{"schema": obj{"type": "string", "contentMediaType": "image/svg+xml", "description": "The code as one path in a viewBox of modules."}}}
	default:
		if _, found := schemas[rt.Reply]; !found || outputSchemas[rt.Reply] == nil {
			return nil, fmt.Errorf("api: openapi: no response schema %q for %s %s", rt.Reply, rt.Method, rt.Path)
		}
		ok["description"] = http.StatusText(rt.Status) + ": " + schemaDocs[rt.Reply]
		ok["content"] = obj{"application/json": obj{"schema": ref(rt.Reply)}}
	}
	return ok, nil
}

// securityOf is the security requirement of a route of auth kind k:
// empty (public) for none.
func securityOf(k authKind) []any {
	switch k {
	case authAdmin:
		return []any{obj{"admin": []string{}}}
	case authMerchant:
		return []any{obj{"merchant": []string{}}}
	case authAgent:
		return []any{obj{"agent": []string{}}}
	case authAdminOrMerchant:
		return []any{obj{"admin": []string{}}, obj{"merchant": []string{}}}
	}
	return []any{}
}
