package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/nearby-dev/nearby"
)

// The JSON Schemas of /openapi.json are reflected from the Go types the
// handlers decode and encode, so the document cannot drift from them.
// Field descriptions and fixed bounds are struct tags on the types;
// bounds and enums that come from the domain's constants and lists are
// set by the JSONSchemaExtend methods below, so they are not duplicated.

// inputSchemas are the request bodies by schema name. Their fields are
// required only when tagged jsonschema:"required": the handlers use a
// pointer to tell a missing field from a zero one.
var inputSchemas = map[string]any{
	"MerchantInput":      merchantInput{},
	"StoreInput":         storeInput{},
	"ProgramInput":       programInput{},
	"BeaconInput":        beaconInput{},
	"ResolveInput":       resolveInput{},
	"ShakeInput":         shakeInput{},
	"HeartbeatInput":     heartbeatInput{},
	"EventsInput":        eventsInput{},
	"WebhookInput":       webhookInput{},
	"WebhookTestInput":   webhookTestInput{},
	"KeyInput":           keyInput{},
	"ProgramStoresInput": programStoresInput{},
	"QRCodeInput":        qrInput{},
}

// outputSchemas are the response bodies by schema name. A field without
// omitempty is required, as encoding/json always writes it.
var outputSchemas = map[string]any{
	"Problem":             Problem{},
	"Status":              statusJSON{},
	"Merchant":            merchantJSON{},
	"Store":               storeJSON{},
	"StoreList":           listPage[storeJSON]{},
	"ImportResult":        importJSON{},
	"Program":             programJSON{},
	"ProgramList":         listPage[programJSON]{},
	"Beacon":              beaconJSON{},
	"BeaconList":          listPage[beaconJSON]{},
	"NearbyPage":          nearbyPageJSON{},
	"ResolveResult":       resolveJSON{},
	"ShakeResult":         shakeJSON{},
	"ShakeRecord":         shakeRecordJSON{},
	"AgentConfig":         agentConfigJSON{},
	"EventsResult":        eventsJSON{},
	"Stats":               statsJSON{},
	"Heatmap":             heatmapJSON{},
	"MerchantList":        listPage[merchantInfoJSON]{},
	"NewKey":              newKeyJSON{},
	"AlertList":           listPage[alertJSON]{},
	"Webhook":             webhookJSON{},
	"WebhookList":         webhookList{},
	"WebhookTest":         webhookTestJSON{},
	"StoreLocatorPage":    storesNearbyJSON{},
	"ProgramStoresResult": programStoresJSON{},
	"QRCode":              qrJSON{},
	"QRCodeList":          listPage[qrJSON]{},
	"QRScanResult":        qrScanJSON{},
	"QRStats":             qrStatsJSON{},
}

// nestedNames names the schemas of types only found inside bodies.
var nestedNames = map[reflect.Type]string{
	reflect.TypeFor[storeBrief]():            "StoreBrief",
	reflect.TypeFor[programBrief]():          "ProgramBrief",
	reflect.TypeFor[pageBrief]():             "PageBrief",
	reflect.TypeFor[resolvedJSON]():          "Resolved",
	reflect.TypeFor[pageJSON]():              "BeaconPage",
	reflect.TypeFor[rotationJSON]():          "Rotation",
	reflect.TypeFor[alertJSON]():             "Alert",
	reflect.TypeFor[rotationInput]():         "RotationInput",
	reflect.TypeFor[heartbeatJSON]():         "Heartbeat",
	reflect.TypeFor[sightingInput]():         "Sighting",
	reflect.TypeFor[eventInput]():            "EventInput",
	reflect.TypeFor[rejection]():             "Rejection",
	reflect.TypeFor[failedRow]():             "FailedRow",
	reflect.TypeFor[importStop]():            "ImportStop",
	reflect.TypeFor[heatCellJSON]():          "HeatCell",
	reflect.TypeFor[nearbyResultJSON]():      "NearbyResult",
	reflect.TypeFor[nearby.FieldError]():     "FieldError",
	reflect.TypeFor[keyJSON]():               "Key",
	reflect.TypeFor[merchantInfoJSON]():      "MerchantInfo",
	reflect.TypeFor[nearby.Targeting]():      "Targeting",
	reflect.TypeFor[nearby.Identity]():       "Identity",
	reflect.TypeFor[nearby.Hours]():          "Hours",
	reflect.TypeFor[nearby.DayStats]():       "DayStats",
	reflect.TypeFor[storeNearbyJSON]():       "StoreNearby",
	reflect.TypeFor[nearby.StoreSelection](): "StoreSelection",
	reflect.TypeFor[qrTargetJSON]():          "QRTarget",
	reflect.TypeFor[nearby.QRDay]():          "QRDay",
}

// schemaDocs describes every schema.
var schemaDocs = map[string]string{
	"Problem":             "An RFC 9457 problem: every error answer (application/problem+json).",
	"Status":              "Liveness or readiness of the process.",
	"MerchantInput":       "A merchant to create.",
	"Merchant":            "A merchant, with its API key (shown once).",
	"StoreInput":          "A store to create, or the whole new state of one.",
	"Store":               "A physical place of a merchant's, where its mini-programs are found.",
	"StoreList":           "One page of the merchant's stores, oldest first.",
	"ImportResult":        "What an import committed and which rows it refused.",
	"ProgramInput":        "A mini-program to create, or the whole new state of one.",
	"Program":             "A mini-program, found nearby at each of its stores.",
	"ProgramList":         "One page of the merchant's mini-programs, oldest first.",
	"BeaconInput":         "A beacon to create, or the whole new state of one.",
	"Beacon":              "An in-store iBeacon and the agent that speaks for it.",
	"BeaconList":          "One page of the merchant's beacons, oldest first.",
	"NearbyPage":          "One page of mini-programs near a location, best first.",
	"NearbyResult":        "A mini-program at one of its stores, with its distance and score.",
	"ResolveInput":        "Beacons a phone sees.",
	"ResolveResult":       "The seen beacons resolved to stores and pages, nearest first.",
	"ShakeInput":          "A phone's shake: the beacons it sees and, for the fallback, where it is.",
	"ShakeResult":         "The answer to a shake: what to open and what else is around.",
	"ShakeRecord":         "A recorded shake.",
	"AgentConfig":         "The identity a beacon agent advertises, and how often.",
	"HeartbeatInput":      "A beacon agent's report about itself.",
	"EventsInput":         "A batch of events noticed by a beacon agent.",
	"EventInput":          "One event noticed by a beacon agent.",
	"EventsResult":        "What became of each event of a batch.",
	"Rejection":           "A malformed event of a batch.",
	"Stats":               "Per-day statistics of a beacon or a store, in the store's time zone.",
	"DayStats":            "One day's figures.",
	"Heatmap":             "Event counts of the merchant's stores per H3 cell.",
	"HeatCell":            "One H3 cell of a heatmap.",
	"StoreBrief":          "The store of a result, as phones see it.",
	"ProgramBrief":        "The mini-program of a result, as phones see it.",
	"PageBrief":           "What a phone opens: a mini-program and a path inside it.",
	"Resolved":            "A seen beacon resolved to its store and page.",
	"BeaconPage":          "What a phone is shown for a beacon: a path inside a mini-program.",
	"Alert":               "A fleet health condition of a beacon (or a webhook endpoint): open while it holds, resolved once it clears.",
	"AlertList":           "One page of the merchant's alerts, oldest first.",
	"WebhookInput":        "A webhook endpoint to register.",
	"Webhook":             "A webhook endpoint: deliveries are POSTed to it signed as Standard Webhooks prescribe (webhook-id, webhook-timestamp, webhook-signature).",
	"WebhookList":         "The merchant's webhook endpoints.",
	"WebhookTest":         "How a test ping went.",
	"WebhookTestInput":    "What a test ping carries.",
	"Rotation":            "Whether a beacon's identity rotates (the secret is shown only to its agent).",
	"RotationInput":       "A beacon's rotating identity setting.",
	"Heartbeat":           "A beacon agent's latest report.",
	"Sighting":            "A beacon as a phone sees it.",
	"FailedRow":           "An import row that was not imported.",
	"ImportStop":          "Where and why reading an import file stopped.",
	"FieldError":          "One offending input field and what is wrong with it.",
	"Targeting":           "Whom a mini-program is for. A phone attribute not sent is neutral; a mismatch demotes the program, or hides it when strict.",
	"Identity":            "What an iBeacon advertises.",
	"Hours":               "Weekly opening hours in the store's time zone: weekday to [open, close] HH:MM ranges. A range whose close is not after its open runs past midnight; 24:00 closes at midnight.",
	"KeyInput":            "A key or agent token to issue.",
	"NewKey":              "An issued key or agent token, with its bearer token (shown once).",
	"Key":                 "A merchant API key or agent token: its id and times, never its secret.",
	"MerchantInfo":        "A merchant with its keys, as the admin lists them.",
	"MerchantList":        "One page of the merchants, oldest first.",
	"StoreLocatorPage":    "One page of stores near a location, nearest first.",
	"StoreNearby":         "A store near a location, whether open now, and the mini-programs present there.",
	"ProgramStoresInput":  "Stores to add to a mini-program: by id, by rule, or both.",
	"ProgramStoresResult": "How many stores a mini-program gained.",
	"StoreSelection":      "A merchant's stores chosen by rule: all of them, or those of a category and/or carrying one of some tags.",
	"QRCodeInput":         "A QR code to create: its target and an optional label.",
	"QRCode":              "A merchant's QR code: the public URL it encodes and what it opens.",
	"QRCodeList":          "One page of the merchant's QR codes, oldest first.",
	"QRScanResult":        "What a scanned QR code opens.",
	"QRStats":             "Per-day scans of a QR code.",
	"QRTarget":            "What a QR code opens: a store, a mini-program (optionally at a store) or a campaign.",
	"QRDay":               "One day's scans of a QR code.",
}

// Bodies that handlers decode or encode through anonymous structs or by
// hand: these named types mirror them exactly (tests check against real
// requests and responses).
type (
	// resolveInput is the body handleResolve decodes.
	resolveInput struct {
		Beacons *[]sightingInput `json:"beacons" jsonschema:"required" jsonschema_description:"Beacons the phone sees."`
	}
	// resolveJSON is the answer handleResolve encodes.
	resolveJSON struct {
		Results []resolvedJSON `json:"results" jsonschema_description:"The known beacons among those seen, nearest first."`
	}
	// eventsInput is the body handleAgentEvents decodes (each event is
	// then decoded as an eventInput).
	eventsInput struct {
		Events *[]eventInput `json:"events" jsonschema:"required" jsonschema_description:"The events; a malformed one is rejected alone."`
	}
	// nearbyPageJSON is the answer appendNearbyPage writes.
	nearbyPageJSON struct {
		Results    []nearbyResultJSON `json:"results" jsonschema_description:"Mini-programs at stores near the location, best first."`
		NextCursor string             `json:"next_cursor,omitempty" jsonschema_description:"Cursor of the next page; absent on the last."`
	}
	// nearbyResultJSON is one result appendNearbyResult writes.
	nearbyResultJSON struct {
		Program   *programBrief      `json:"program" jsonschema:"nullable" jsonschema_description:"The mini-program."`
		Store     *storeBrief        `json:"store" jsonschema:"nullable" jsonschema_description:"The store where it is found."`
		DistanceM float64            `json:"distance_m" jsonschema:"minimum=0" jsonschema_description:"Distance to the store in metres (two decimals)."`
		Score     float64            `json:"score" jsonschema:"minimum=0,maximum=1" jsonschema_description:"Ranking score; results are sorted by it."`
		Explain   map[string]float64 `json:"explain,omitempty" jsonschema_description:"Per-factor parts of the score (with explain=true): distance, fit_age, fit_gender, fit_os (the targeting fit per dimension), popularity, open; they add up to score."`
	}
)

// uuidInputPattern is what nearby.CanonicalUUID accepts: either case, with
// or without the hyphens.
const uuidInputPattern = `^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$`

// proximities are the classes the resolve and shake answers report.
var proximities = nearby.Proximities

func (beaconJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "status").Enum = enum(nearby.BeaconStatuses)
	prop(s, "label").MaxLength = uptr(nearby.MaxNameLen)
}

func (beaconInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "status").Enum = enum(nearby.BeaconStatuses)
	prop(s, "label").MaxLength = uptr(nearby.MaxNameLen)
	prop(s, "uuid").Pattern = uuidInputPattern
	pg := prop(s, "page")
	prop(pg, "path").MaxLength = uptr(nearby.MaxURLLen)
	prop(pg, "title").MaxLength = uptr(nearby.MaxNameLen)
}

func (agentConfigJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	describe(s, map[string]string{
		"beacon_id":   "The agent's beacon.",
		"uuid":        "iBeacon proximity UUID to advertise, lower-case and hyphenated.",
		"major":       "iBeacon major number to advertise.",
		"minor":       "iBeacon minor number to advertise.",
		"tx_power":    "Measured power at 1 m (dBm) to advertise.",
		"interval_ms": "Advertising interval in milliseconds.",

		"rotation_period_s": "Seconds each rotating identity is advertised; absent for a static identity.",
		"rotation_secret":   "Hex rotation secret (package rotation); absent for a static identity.",
	})
	prop(s, "beacon_id").Pattern = "^bcn_[0-9a-f]+$"
	setUUID(prop(s, "uuid"))
	identityRange(s)
	prop(s, "tx_power").Minimum, prop(s, "tx_power").Maximum = "-127", "20"
	prop(s, "interval_ms").Minimum = "1"
	prop(s, "status").Enum = enum(nearby.BeaconStatuses)
}

func (resolvedJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "proximity").Enum = enum(proximities)
	prop(s, "presence").Enum = enum(nearby.Presences)
}

func (shakeRecordJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "proximity").Enum = enum(proximities)
	prop(s, "device_id").Pattern = "^(dv_[0-9a-f]{32})?$"
	prop(s, "presence").Enum = enum(nearby.Presences)
}

func (shakeJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "presence").Enum = enum(nearby.Presences)
	prop(s, "fallback").Enum = []any{"location"}
}

func (shakeInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "gender").Enum = enum(nearby.Genders)
	prop(s, "os").Enum = enum(nearby.OSes)
	prop(s, "age").Maximum = json.Number(fmt.Sprint(nearby.MaxAge))
	prop(s, "device_id").MaxLength = uptr(nearby.MaxDeviceIDLen)
	prop(s, "beacons").MaxItems = uptr(MaxSightings)
	// One coordinate needs the other.
	s.DependentRequired = map[string][]string{"lat": {"lng"}, "lng": {"lat"}}
}

func (resolveInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "beacons").MaxItems = uptr(MaxSightings)
}

func (sightingInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "uuid").Pattern = uuidInputPattern
}

func (eventInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "id").Pattern = uuidInputPattern
	prop(s, "type").Enum = enum(nearby.EventTypes)
	prop(s, "device_id").MaxLength = uptr(nearby.MaxDeviceIDLen)
	prop(s, "dwell_ms").Maximum = json.Number(fmt.Sprint(int64(nearby.MaxEventAge / time.Millisecond)))
}

func (merchantInput) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "name").MaxLength = uptr(nearby.MaxNameLen)
}

func (storeInput) JSONSchemaExtend(s *jsonschema.Schema) { storeLimits(s) }
func (storeJSON) JSONSchemaExtend(s *jsonschema.Schema)  { storeLimits(s) }

func storeLimits(s *jsonschema.Schema) {
	prop(s, "name").MaxLength = uptr(nearby.MaxNameLen)
	prop(s, "category").MaxLength = uptr(nearby.MaxCategoryLen)
	prop(s, "address").MaxLength = uptr(nearby.MaxAddressLen)
	tags := prop(s, "tags")
	tags.MaxItems = uptr(nearby.MaxTags)
	tags.Items.MaxLength = uptr(nearby.MaxTagLen)
	tags.Items.Description = "A label."
}

func (programInput) JSONSchemaExtend(s *jsonschema.Schema) { programLimits(s) }
func (programJSON) JSONSchemaExtend(s *jsonschema.Schema)  { programLimits(s) }

func programLimits(s *jsonschema.Schema) {
	prop(s, "app_id").MaxLength = uptr(nearby.MaxAppIDLen)
	prop(s, "name").MaxLength = uptr(nearby.MaxNameLen)
	prop(s, "category").MaxLength = uptr(nearby.MaxCategoryLen)
	prop(s, "description").MaxLength = uptr(nearby.MaxDescriptionLen)
	prop(s, "icon_url").MaxLength = uptr(nearby.MaxURLLen)
	ids := prop(s, "store_ids")
	ids.MaxItems = uptr(nearby.MaxProgramStores)
	ids.Items.Pattern = "^st_[0-9a-f]+$"
	ids.Items.Description = "A store id."
}

func (eventsJSON) JSONSchemaExtend(s *jsonschema.Schema) {
	prop(s, "accepted_ids").Items.Description = "An event id."
	prop(s, "duplicate_ids").Items.Description = "An event id."
}

// foreignExtend completes the schemas of the domain's types, which carry
// no schema tags of their own.
var foreignExtend = map[string]func(*jsonschema.Schema){
	"FieldError": func(s *jsonschema.Schema) {
		describe(s, map[string]string{
			"field":   "JSON name of the offending input, with a dotted path and index for nested values (targeting.age_min, events[3].at); empty for the whole body.",
			"message": "What is wrong with it.",
		})
	},
	"QRDay": func(s *jsonschema.Schema) {
		describe(s, map[string]string{
			"date":       "Local date, YYYY-MM-DD.",
			"scans_pv":   "Scans.",
			"scans_uv":   "Distinct visitors who scanned (estimated).",
			"suppressed": "True when the figures are null: fewer distinct visitors than the minimum count scanned (see docs/privacy.md).",
		})
		nullWhenSuppressed(s, "scans_pv", "scans_uv")
	},
	"StoreSelection": func(s *jsonschema.Schema) {
		describe(s, map[string]string{
			"all":      "Every store of the merchant's (not with category or tags).",
			"category": "Only stores of this category.",
			"tags":     "Only stores carrying one of these tags.",
		})
		prop(s, "category").MaxLength = uptr(nearby.MaxCategoryLen)
		prop(s, "tags").MaxItems = uptr(nearby.MaxTags)
		prop(s, "tags").Items.Description = "A tag."
	},
	"Targeting": func(s *jsonschema.Schema) {
		describe(s, map[string]string{
			"age_min": "Youngest age targeted.",
			"age_max": "Oldest age targeted.",
			"genders": "Genders targeted; omitted means all.",
			"os":      "Phone operating systems targeted; omitted means all.",
			"strict":  "Hide the mini-program from a phone that does not match, rather than demote it.",
		})
		for _, k := range []string{"age_min", "age_max"} {
			prop(s, k).Minimum, prop(s, k).Maximum = "0", json.Number(fmt.Sprint(nearby.MaxAge))
		}
		g, o := prop(s, "genders").Items, prop(s, "os").Items
		g.Enum, g.Description = enum(nearby.Genders), "A gender."
		o.Enum, o.Description = enum(nearby.OSes), "An operating system."
	},
	"Identity": func(s *jsonschema.Schema) {
		describe(s, map[string]string{
			"uuid":  "iBeacon proximity UUID, lower-case and hyphenated.",
			"major": "iBeacon major number.",
			"minor": "iBeacon minor number.",
		})
		setUUID(prop(s, "uuid"))
		identityRange(s)
	},
	"Hours": func(s *jsonschema.Schema) {
		s.PropertyNames = &jsonschema.Schema{Type: "string", Enum: enum(nearby.Weekdays[:]), Description: "A weekday."}
		ranges := s.AdditionalProperties
		ranges.Description = "The day's opening ranges."
		ranges.Items.Description = "An [open, close] range."
		ranges.Items.Items.Description = "A time of day, HH:MM."
		ranges.Items.Items.Pattern = "^[0-9]{2}:[0-9]{2}$"
	},
	"DayStats": func(s *jsonschema.Schema) {
		describe(s, map[string]string{
			"date":           "The day, YYYY-MM-DD.",
			"shake_pv":       "Shakes that chose the beacon or store.",
			"shake_uv":       "Distinct devices among those shakes.",
			"shake_verified": "Shakes among shake_pv with verified presence (a rotating identity of now).",
			"visits":         "Enter events.",
			"visitors":       "Distinct devices among the visits.",
			"avg_dwell_s":    "Average dwell time in seconds.",
			"qr_scans":       "Scans of QR codes whose target is the store (store statistics; absent when none or when the day is suppressed).",
			"suppressed":     "True when a figure is null: fewer distinct devices than the minimum count stand behind it (see docs/privacy.md).",
		})
		prop(s, "date").Format = "date"
		prop(s, "qr_scans").Minimum = "0"
		nullWhenSuppressed(s, "shake_pv", "shake_uv", "shake_verified", "visits", "visitors", "avg_dwell_s")
	},
}

// nullWhenSuppressed makes the figures keys of s non-negative numbers or
// null, as a suppressed figure is.
func nullWhenSuppressed(s *jsonschema.Schema, keys ...string) {
	for _, k := range keys {
		p := prop(s, k)
		*p = jsonschema.Schema{Description: p.Description + " Null when suppressed.",
			OneOf: []*jsonschema.Schema{{Type: p.Type, Minimum: "0"}, {Type: "null"}}}
	}
}

// setUUID makes s a canonical UUID string whatever the Go type behind it.
func setUUID(s *jsonschema.Schema) {
	*s = jsonschema.Schema{Type: "string", Format: "uuid", Description: s.Description}
}

func identityRange(s *jsonschema.Schema) {
	for _, k := range []string{"major", "minor"} {
		prop(s, k).Minimum, prop(s, k).Maximum = "0", "65535"
	}
}

// prop returns the property name of the object schema s. A schema naming
// a property its type does not have is a bug, found when the document is
// built (buildOpenAPI recovers the panic as an error).
func prop(s *jsonschema.Schema, name string) *jsonschema.Schema {
	if s.Properties != nil {
		if p, ok := s.Properties.Get(name); ok {
			if len(p.OneOf) == 2 && p.OneOf[1].Type == "null" { // nullable
				return p.OneOf[0]
			}
			return p
		}
	}
	panic(fmt.Sprintf("api: openapi: no property %q", name))
}

func describe(s *jsonschema.Schema, docs map[string]string) {
	for k, d := range docs {
		prop(s, k).Description = d
	}
}

func enum[T ~string](vals []T) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

func uptr(n int) *uint64 { u := uint64(n); return &u }

var (
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	timeType      = reflect.TypeFor[time.Time]()
)

// schemaNamer names each reflected type's schema.
func schemaNamer() func(reflect.Type) string {
	names := map[reflect.Type]string{}
	for n, t := range nestedNames {
		names[n] = t
	}
	for _, set := range []map[string]any{inputSchemas, outputSchemas} {
		for name, v := range set {
			names[reflect.TypeOf(v)] = name
		}
	}
	return func(t reflect.Type) string {
		if n, ok := names[t]; ok {
			return n
		}
		if t.PkgPath() == "" || t.Name() == "" {
			return ""
		}
		// A type without a chosen name (a new one): its Go name, capitalised.
		n := strings.TrimSuffix(t.Name(), "JSON")
		return strings.ToUpper(n[:1]) + n[1:]
	}
}

// textAsString maps a type that encodes itself as JSON text (other than
// time.Time, which the reflector knows) to a plain string, rather than
// to the schema of its Go kind.
func textAsString(t reflect.Type) *jsonschema.Schema {
	if t == timeType || t.Kind() == reflect.String {
		return nil
	}
	if t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return &jsonschema.Schema{Type: "string"}
	}
	return nil
}

// bodySchemas reflects every body's schema and returns them by name as
// OpenAPI component schemas (references point at #/components/schemas/),
// each with its properties in the order of the Go fields. maxEvents bounds
// an agent's batch, as the server is configured.
func bodySchemas(maxEvents int) (schemas map[string]json.RawMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("api: openapi: %v", r)
		}
	}()
	namer := schemaNamer()
	defs := jsonschema.Definitions{}
	for _, set := range []struct {
		types    map[string]any
		required bool
	}{{inputSchemas, true}, {outputSchemas, false}} {
		r := &jsonschema.Reflector{RequiredFromJSONSchemaTags: set.required, Namer: namer, Mapper: textAsString}
		for _, v := range set.types {
			for name, d := range r.Reflect(v).Definitions {
				if old, ok := defs[name]; ok && !sameSchema(old, d) {
					return nil, fmt.Errorf("api: openapi: schema %s reflects differently as input and output", name)
				}
				defs[name] = d
			}
		}
	}
	for name, extend := range foreignExtend {
		d, ok := defs[name]
		if !ok {
			return nil, fmt.Errorf("api: openapi: no schema %s to extend", name)
		}
		extend(d)
	}
	prop(defs["EventsInput"], "events").MaxItems = uptr(maxEvents)
	schemas = make(map[string]json.RawMessage, len(defs))
	for name, d := range defs {
		doc, ok := schemaDocs[name]
		if !ok {
			return nil, fmt.Errorf("api: openapi: schema %s has no description", name)
		}
		d.Description = doc
		liftNullableDocs(d)
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("api: openapi: %w", err)
		}
		schemas[name] = json.RawMessage(strings.ReplaceAll(string(b), `"#/$defs/`, `"#/components/schemas/`))
	}
	return schemas, nil
}

// liftNullableDocs moves the description of each nullable property, which
// the reflector leaves on the non-null alternative, to the property itself.
func liftNullableDocs(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if len(s.OneOf) == 2 && s.OneOf[1].Type == "null" && s.Description == "" {
		s.Description, s.OneOf[0].Description = s.OneOf[0].Description, ""
	}
	if s.Properties != nil {
		for p := range s.Properties.ValuesFromOldest() {
			liftNullableDocs(p)
		}
	}
	liftNullableDocs(s.Items)
	liftNullableDocs(s.AdditionalProperties)
}

func sameSchema(a, b *jsonschema.Schema) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
