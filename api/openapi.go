package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// OpenAPI 3.1 generation from the route table.

type obj = map[string]any

func str(desc string) obj  { return obj{"type": "string", "description": desc} }
func num(desc string) obj  { return obj{"type": "number", "description": desc} }
func intg(desc string) obj { return obj{"type": "integer", "description": desc} }
func boolean() obj         { return obj{"type": "boolean"} }
func ref(name string) obj  { return obj{"$ref": "#/components/schemas/" + name} }
func arr(items obj) obj    { return obj{"type": "array", "items": items} }
func dt() obj              { return obj{"type": "string", "format": "date-time"} }
func nullable(o obj) obj   { return obj{"oneOf": []any{o, obj{"type": "null"}}} }

// object is a closed object schema (unknown fields are rejected).
func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// openSchemas are the named schemas of request and response bodies.
func openSchemas() obj {
	lat, lng := num("Latitude, -90 to 90."), num("Longitude, -180 to 180.")
	hours := obj{"type": "object", "description": `Weekly opening hours: {"mon":[["09:00","21:00"]], ...} in the store's timezone.`,
		"additionalProperties": arr(obj{"type": "array", "items": str("HH:MM"), "minItems": 2, "maxItems": 2})}
	targeting := object(nil, obj{"age_min": intg(""), "age_max": intg(""), "genders": arr(str("female, male or other")),
		"os": arr(str("ios, android or harmonyos")), "strict": boolean()})
	fieldErr := object([]string{"field", "message"}, obj{"field": str("JSON name of the offending input"), "message": str("")})
	storeBrief := object(nil, obj{"id": str(""), "name": str(""), "lat": lat, "lng": lng, "address": str("")})
	programBrief := object(nil, obj{"id": str(""), "app_id": str(""), "name": str(""), "category": str(""), "icon_url": str("")})
	page := object(nil, obj{"program": nullable(programBrief), "path": str(""), "title": str("")})
	identity := object([]string{"uuid", "major", "minor"}, obj{"uuid": str("lower-case hyphenated UUID"), "major": intg("0-65535"), "minor": intg("0-65535")})
	sighting := object([]string{"uuid", "major", "minor"}, obj{"uuid": str(""), "major": intg(""), "minor": intg(""),
		"rssi": intg("dBm"), "tx_power": intg("measured power at 1 m, dBm")})
	resolved := object(nil, obj{"beacon": identity, "store": nullable(storeBrief), "page": nullable(page),
		"distance_m": num(""), "proximity": str("immediate, near, far or unknown")})
	list := func(item string) obj {
		return object([]string{"items"}, obj{"items": arr(ref(item)), "next_cursor": str("present when more remain")})
	}
	storeProps := obj{"name": str(""), "lat": lat, "lng": lng, "category": str("lower-case slug"), "address": str(""),
		"timezone": str("IANA name"), "hours": hours, "tags": arr(str(""))}
	storeOut := obj{"id": str("st_<hex>"), "merchant_id": str(""), "created_at": dt(), "updated_at": dt()}
	for k, v := range storeProps {
		storeOut[k] = v
	}
	programProps := obj{"app_id": str(""), "name": str(""), "category": str(""), "description": str(""),
		"icon_url": str("http(s) URL"), "store_ids": arr(str("st_<hex>")), "targeting": targeting}
	programOut := obj{"id": str("pg_<hex>"), "created_at": dt(), "updated_at": dt()}
	for k, v := range programProps {
		programOut[k] = v
	}
	beaconPage := object([]string{"program_id"}, obj{"program_id": str("pg_<hex>"), "path": str(""), "title": str("")})
	heartbeat := obj{"uptime_s": intg(""), "version": str(""), "battery": num("percent"), "temperature_c": num(""),
		"spool_depth": intg("events waiting in the agent's spool"), "dropped": intg("events the spool dropped")}
	hbOut := obj{"at": dt()}
	for k, v := range heartbeat {
		hbOut[k] = v
	}
	beaconIn := obj{"store_id": str("st_<hex>"), "label": str(""), "tx_power": intg("dBm at 1 m (default -59)"),
		"status": str("active, inactive or decommissioned"), "page": beaconPage,
		"uuid": str("bring your own identity (with major and minor)"), "major": intg(""), "minor": intg("")}
	beaconOut := obj{"id": str("bcn_<hex>"), "store_id": str(""), "label": str(""), "uuid": str(""), "major": intg(""),
		"minor": intg(""), "tx_power": intg(""), "status": str(""), "page": beaconPage, "last_heartbeat": object(nil, hbOut),
		"agent_token": str("only in the create response"), "created_at": dt(), "updated_at": dt()}
	event := object([]string{"id", "type", "at"}, obj{"id": str("client-generated UUID"), "type": str("shake, enter, exit or dwell"),
		"at": dt(), "device_id": str(""), "rssi": intg(""), "distance_m": num(""), "dwell_ms": intg("")})
	day := object(nil, obj{"date": str("YYYY-MM-DD"), "shake_pv": intg(""), "shake_uv": intg(""), "visits": intg(""),
		"visitors": intg(""), "avg_dwell_s": num("")})
	return obj{
		"Problem": object([]string{"type", "title", "status"}, obj{"type": str("URI"), "title": str(""), "status": intg(""),
			"detail": str(""), "errors": arr(fieldErr), "request_id": str("")}),
		"Status":        object([]string{"status"}, obj{"status": str("ok, ready or loading"), "stores": intg("stores in the index")}),
		"MerchantInput": object([]string{"name"}, obj{"name": str("")}),
		"Merchant":      object([]string{"id", "name", "api_key"}, obj{"id": str("mer_<hex>"), "name": str(""), "api_key": str("shown once"), "created_at": dt()}),
		"StoreInput":    object([]string{"name", "lat", "lng", "category"}, storeProps),
		"Store":         object([]string{"id", "name", "lat", "lng", "category"}, storeOut),
		"StoreList":     list("Store"),
		"ImportResult": object([]string{"imported", "failed"}, obj{"imported": intg("rows committed"),
			"failed":       arr(object([]string{"row", "error"}, obj{"row": intg("1-based data row (CSV) or feature index (GeoJSON)"), "error": str(""), "errors": arr(fieldErr)})),
			"failed_count": intg("all failed rows, also those beyond the listed ones"), "failed_truncated": boolean(),
			"truncated": boolean(), "error": object([]string{"row", "message"}, obj{"row": intg("first row not read: the file broke here; every row before it is imported or failed"), "message": str("")})}),
		"ProgramInput":   object([]string{"app_id", "name", "category", "store_ids"}, programProps),
		"Program":        object([]string{"id", "app_id", "name", "category", "store_ids"}, programOut),
		"ProgramList":    list("Program"),
		"BeaconInput":    object([]string{"store_id"}, beaconIn),
		"Beacon":         object([]string{"id", "store_id", "uuid", "major", "minor", "tx_power", "status"}, beaconOut),
		"BeaconList":     list("Beacon"),
		"NearbyPage":     object([]string{"results"}, obj{"results": arr(object(nil, obj{"program": programBrief, "store": storeBrief, "distance_m": num(""), "score": num(""), "explain": obj{"type": "object", "additionalProperties": num("")}})), "next_cursor": str("")}),
		"ResolveInput":   object([]string{"beacons"}, obj{"beacons": arr(sighting)}),
		"ResolveResult":  object([]string{"results"}, obj{"results": arr(resolved)}),
		"ShakeInput":     object([]string{"device_id"}, obj{"device_id": str("app-scoped pseudonymous id"), "beacons": arr(sighting), "lat": lat, "lng": lng, "age": intg(""), "gender": str(""), "os": str("")}),
		"ShakeResult":    object([]string{"ticket", "chosen", "around"}, obj{"ticket": str("UUID"), "chosen": nullable(resolved), "around": arr(resolved), "fallback": str(`"location" when chosen by location`)}),
		"ShakeRecord":    object([]string{"ticket", "at"}, obj{"ticket": str(""), "device_id": str(""), "beacon_id": str(""), "store_id": str(""), "program_id": str(""), "at": dt(), "distance_m": num(""), "proximity": str(""), "fallback": boolean()}),
		"AgentConfig":    object([]string{"beacon_id", "uuid", "major", "minor", "tx_power", "interval_ms"}, obj{"beacon_id": str(""), "uuid": str(""), "major": intg(""), "minor": intg(""), "tx_power": intg(""), "interval_ms": intg(""), "status": str("")}),
		"HeartbeatInput": object([]string{"uptime_s"}, heartbeat),
		"EventsInput":    object([]string{"events"}, obj{"events": obj{"type": "array", "items": event, "maxItems": DefaultMaxEventBatch}}),
		"EventsResult": object([]string{"accepted", "duplicates", "rejected"}, obj{"accepted": intg(""), "duplicates": intg(""),
			"rejected":     arr(object([]string{"index", "errors"}, obj{"index": intg("position in the batch"), "id": str(""), "errors": arr(fieldErr)})),
			"accepted_ids": arr(str("")), "duplicate_ids": arr(str(""))}),
		"Stats":   object([]string{"id", "days"}, obj{"id": str(""), "from": dt(), "to": dt(), "days": arr(day)}),
		"Heatmap": object([]string{"res", "cells"}, obj{"res": intg(""), "from": dt(), "to": dt(), "cells": arr(object(nil, obj{"cell": str("H3 index, hex"), "count": intg("events"), "stores": intg(""), "boundary": arr(arr(num("lat, then lng")))}))}),
	}
}

// openAPIPath turns /v1/stores/:id into /v1/stores/{id}.
func openAPIPath(p string) (string, []string) {
	parts := strings.Split(p, "/")
	var names []string
	for i, s := range parts {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			parts[i] = "{" + name + "}"
			names = append(names, name)
		}
	}
	return strings.Join(parts, "/"), names
}

func (s *Server) buildOpenAPI() ([]byte, error) {
	schemas := openSchemas()
	paths := obj{}
	problem := obj{"application/problem+json": obj{"schema": ref("Problem")}}
	for _, rt := range s.routes {
		path, names := openAPIPath(rt.Path)
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		op := obj{"summary": rt.Summary, "tags": []string{rt.Tag},
			"operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/", "_", ":", "", ".", "_").Replace(rt.Path)}
		var params []any
		for _, n := range names {
			params = append(params, obj{"name": n, "in": "path", "required": true, "schema": obj{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, obj{"name": q.Name, "in": "query", "required": q.Required, "description": q.Desc, "schema": obj{"type": q.Type}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Request != "" {
			if _, ok := schemas[rt.Request]; !ok {
				return nil, fmt.Errorf("api: openapi: no schema %q for %s %s", rt.Request, rt.Method, rt.Path)
			}
			op["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": ref(rt.Request)}}}
		} else if len(rt.Media) > 0 {
			content := obj{}
			for _, m := range rt.Media {
				content[m] = obj{"schema": obj{"type": "string"}}
			}
			op["requestBody"] = obj{"required": true, "content": content}
		}
		ok := obj{"description": http.StatusText(rt.Status)}
		switch rt.Reply {
		case "":
		case "text":
			ok["content"] = obj{"text/plain": obj{"schema": obj{"type": "string"}}}
		case "object":
			ok["content"] = obj{"application/json": obj{"schema": obj{"type": "object"}}}
		default:
			if _, found := schemas[rt.Reply]; !found {
				return nil, fmt.Errorf("api: openapi: no schema %q for %s %s", rt.Reply, rt.Method, rt.Path)
			}
			ok["content"] = obj{"application/json": obj{"schema": ref(rt.Reply)}}
		}
		responses := obj{strconv.Itoa(rt.Status): ok, "default": obj{"description": "A problem (RFC 9457)", "content": problem}}
		op["responses"] = responses
		switch rt.Auth {
		case authAdmin:
			op["security"] = []any{obj{"admin": []string{}}}
		case authMerchant:
			op["security"] = []any{obj{"merchant": []string{}}}
		case authAgent:
			op["security"] = []any{obj{"agent": []string{}}}
		}
		item[strings.ToLower(rt.Method)] = op
	}
	bearer := func(desc string) obj { return obj{"type": "http", "scheme": "bearer", "description": desc} }
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Nearby discoveryd API", "version": "1",
			"description": "Mini-programs nearby: merchants, stores, programs, beacons, phones, agents and statistics."},
		"paths": paths,
		"components": obj{"schemas": schemas, "securitySchemes": obj{
			"admin":    bearer("The admin token (--admin-token, DISCOVERYD_ADMIN_TOKEN or <data-dir>/admin.token)."),
			"merchant": bearer("A merchant API key (mk_...), returned once by POST /v1/merchants."),
			"agent":    bearer("A beacon agent token (at_...), returned once by POST /v1/beacons."),
		}},
	}
	return json.MarshalIndent(doc, "", "  ")
}
