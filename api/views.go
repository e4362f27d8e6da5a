package api

import (
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
)

// storeJSON is a store as the contract shows it.
type storeJSON struct {
	ID         string       `json:"id" jsonschema:"pattern=^st_[0-9a-f]+$" jsonschema_description:"Store id: st_ and hex digits."`
	MerchantID string       `json:"merchant_id" jsonschema:"pattern=^mer_[0-9a-f]+$" jsonschema_description:"Id of the merchant that owns the store."`
	Name       string       `json:"name" jsonschema_description:"Display name."`
	Lat        float64      `json:"lat" jsonschema:"minimum=-90,maximum=90" jsonschema_description:"Latitude (WGS84 degrees)."`
	Lng        float64      `json:"lng" jsonschema:"minimum=-180,maximum=180" jsonschema_description:"Longitude (WGS84 degrees)."`
	Category   string       `json:"category" jsonschema_description:"Lower-case category slug, e.g. coffee."`
	Address    string       `json:"address,omitempty" jsonschema_description:"Street address, shown to phones."`
	Timezone   string       `json:"timezone,omitempty" jsonschema_description:"IANA time zone of the opening hours; absent means UTC."`
	Hours      nearby.Hours `json:"hours,omitempty" jsonschema_description:"Weekly opening hours; absent means always open."`
	Tags       []string     `json:"tags,omitempty" jsonschema_description:"Free-form labels."`
	CreatedAt  time.Time    `json:"created_at" jsonschema_description:"When the store was created."`
	UpdatedAt  time.Time    `json:"updated_at" jsonschema_description:"When the store was last changed."`
}

func storeView(s *nearby.Store) storeJSON {
	return storeJSON{
		ID: nearby.FormatID(nearby.KindStore, s.ID), MerchantID: nearby.FormatID(nearby.KindMerchant, s.MerchantID),
		Name: s.Name, Lat: s.Lat, Lng: s.Lng, Category: s.Category, Address: s.Address, Timezone: s.Timezone,
		Hours: s.Hours, Tags: s.Tags, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

// storeInput is the body of POST and PUT /v1/stores. Pointers tell a
// missing field from a zero one.
type storeInput struct {
	Name     *string      `json:"name" jsonschema:"required,minLength=1" jsonschema_description:"Display name."`
	Lat      *float64     `json:"lat" jsonschema:"required,minimum=-90,maximum=90" jsonschema_description:"Latitude (WGS84 degrees)."`
	Lng      *float64     `json:"lng" jsonschema:"required,minimum=-180,maximum=180" jsonschema_description:"Longitude (WGS84 degrees)."`
	Category *string      `json:"category" jsonschema:"required,minLength=1" jsonschema_description:"Lower-case category slug, e.g. coffee."`
	Address  string       `json:"address" jsonschema_description:"Street address, shown to phones."`
	Timezone string       `json:"timezone" jsonschema_description:"IANA time zone of the opening hours, e.g. America/Los_Angeles (default UTC)."`
	Hours    nearby.Hours `json:"hours" jsonschema_description:"Weekly opening hours; omitted means always open."`
	Tags     []string     `json:"tags" jsonschema_description:"Free-form labels."`
}

// apply checks the input and copies it into s, reporting every problem at
// once: the missing fields and the invalid values of the others.
func (in *storeInput) apply(s *nearby.Store) error {
	var p nearby.Problems
	required(&p, "name", in.Name == nil)
	required(&p, "lat", in.Lat == nil)
	required(&p, "lng", in.Lng == nil)
	required(&p, "category", in.Category == nil)
	s.Name, s.Lat, s.Lng, s.Category = deref(in.Name), deref(in.Lat), deref(in.Lng), deref(in.Category)
	s.Address, s.Timezone, s.Hours, s.Tags = in.Address, in.Timezone, in.Hours, in.Tags
	p.Merge("", s.Validate())
	return dedupe(p).Err()
}

// deref returns *v, or the zero value for nil.
func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

func required(p *nearby.Problems, field string, missing bool) {
	if missing {
		p.Addf(field, "is required")
	}
}

// programJSON is a mini-program as the contract shows it.
type programJSON struct {
	ID          string            `json:"id" jsonschema:"pattern=^pg_[0-9a-f]+$" jsonschema_description:"Mini-program id: pg_ and hex digits."`
	AppID       string            `json:"app_id" jsonschema_description:"The mini-program's app id on its platform."`
	Name        string            `json:"name" jsonschema_description:"Display name."`
	Category    string            `json:"category" jsonschema_description:"Lower-case category slug."`
	Description string            `json:"description,omitempty" jsonschema_description:"What the mini-program offers."`
	IconURL     string            `json:"icon_url,omitempty" jsonschema:"format=uri" jsonschema_description:"Icon, an http(s) URL."`
	StoreIDs    []string          `json:"store_ids" jsonschema_description:"Stores where the mini-program is found nearby."`
	Targeting   *nearby.Targeting `json:"targeting,omitempty" jsonschema_description:"Whom the mini-program is for; absent means everyone."`
	CreatedAt   time.Time         `json:"created_at" jsonschema_description:"When the mini-program was created."`
	UpdatedAt   time.Time         `json:"updated_at" jsonschema_description:"When the mini-program was last changed."`
}

func programView(p *nearby.Program) programJSON {
	ids := make([]string, len(p.StoreIDs))
	for i, id := range p.StoreIDs {
		ids[i] = nearby.FormatID(nearby.KindStore, id)
	}
	return programJSON{
		ID: nearby.FormatID(nearby.KindProgram, p.ID), AppID: p.AppID, Name: p.Name, Category: p.Category,
		Description: p.Description, IconURL: p.IconURL, StoreIDs: ids, Targeting: p.Targeting,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// programInput is the body of POST and PUT /v1/programs.
type programInput struct {
	AppID       *string   `json:"app_id" jsonschema:"required,minLength=1" jsonschema_description:"The mini-program's app id on its platform."`
	Name        *string   `json:"name" jsonschema:"required,minLength=1" jsonschema_description:"Display name."`
	Category    *string   `json:"category" jsonschema:"required,minLength=1" jsonschema_description:"Lower-case category slug."`
	Description string    `json:"description" jsonschema_description:"What the mini-program offers."`
	IconURL     string    `json:"icon_url" jsonschema_description:"Icon, an http(s) URL."`
	StoreIDs    *[]string `json:"store_ids" jsonschema_description:"Ids (st_...) of the merchant's stores where the mini-program is found; required without store_selection."`
	// StoreSelection adds stores by rule, for chains of any size.
	StoreSelection *nearby.StoreSelection `json:"store_selection,omitempty" jsonschema_description:"Stores chosen by rule (all of the merchant's, or by category and/or tags), added to store_ids; replaces the program's stores on PUT as store_ids do."`
	Targeting      *nearby.Targeting      `json:"targeting" jsonschema_description:"Whom the mini-program is for; omitted means everyone."`
}

func (in *programInput) apply(pg *nearby.Program) error {
	var p nearby.Problems
	required(&p, "app_id", in.AppID == nil)
	required(&p, "name", in.Name == nil)
	required(&p, "category", in.Category == nil)
	required(&p, "store_ids", in.StoreIDs == nil && in.StoreSelection == nil)
	pg.Selection = in.StoreSelection
	pg.AppID, pg.Name, pg.Category = deref(in.AppID), deref(in.Name), deref(in.Category)
	pg.Description, pg.IconURL, pg.Targeting = in.Description, in.IconURL, in.Targeting
	pg.StoreIDs = pg.StoreIDs[:0]
	ids := deref(in.StoreIDs)
	seen := make(map[uint64]bool, len(ids))
	for i, s := range ids {
		id, err := nearby.ParseID(nearby.KindStore, fmt.Sprintf("store_ids[%d]", i), s)
		if err != nil {
			p.Merge("", err)
			continue
		}
		if !seen[id] {
			seen[id] = true
			pg.StoreIDs = append(pg.StoreIDs, id)
		}
	}
	p.Merge("", pg.Validate())
	return dedupe(p).Err()
}

// beaconJSON is a beacon as the contract shows it.
type beaconJSON struct {
	ID            string         `json:"id" jsonschema:"pattern=^bcn_[0-9a-f]+$" jsonschema_description:"Beacon id: bcn_ and hex digits."`
	StoreID       string         `json:"store_id" jsonschema:"pattern=^st_[0-9a-f]+$" jsonschema_description:"The store the beacon is in."`
	Label         string         `json:"label,omitempty" jsonschema_description:"The merchant's name for the beacon."`
	UUID          string         `json:"uuid" jsonschema:"format=uuid" jsonschema_description:"iBeacon proximity UUID, lower-case and hyphenated."`
	Major         uint16         `json:"major" jsonschema:"minimum=0,maximum=65535" jsonschema_description:"iBeacon major number."`
	Minor         uint16         `json:"minor" jsonschema:"minimum=0,maximum=65535" jsonschema_description:"iBeacon minor number."`
	TxPower       int            `json:"tx_power" jsonschema:"minimum=-127,maximum=20" jsonschema_description:"Measured power at 1 m (dBm)."`
	Status        string         `json:"status" jsonschema_description:"Lifecycle state; only active beacons resolve."`
	Page          *pageJSON      `json:"page,omitempty" jsonschema_description:"What a phone is shown for the beacon."`
	IntervalMS    int            `json:"interval_ms,omitempty" jsonschema:"minimum=100,maximum=10000" jsonschema_description:"Advertising interval in milliseconds; absent means the daemon's default."`
	Rotation      *rotationJSON  `json:"rotation" jsonschema_description:"Whether and how often the beacon's identity rotates."`
	LastHeartbeat *heartbeatJSON `json:"last_heartbeat,omitempty" jsonschema_description:"The agent's latest report; absent until the first heartbeat."`
	Alerts        []alertJSON    `json:"alerts,omitempty" jsonschema_description:"The beacon's open alerts (GET of one beacon only)."`
	AgentToken    string         `json:"agent_token,omitempty" jsonschema:"pattern=^at_" jsonschema_description:"Bearer token of the beacon's agent, only in the create response."` // only in the create response
	AgentTokens   []keyJSON      `json:"agent_tokens" jsonschema_description:"The agent's tokens (ids and times only, never the secret)."`
	CreatedAt     time.Time      `json:"created_at" jsonschema_description:"When the beacon was created."`
	UpdatedAt     time.Time      `json:"updated_at" jsonschema_description:"When the beacon was last changed."`
}

type pageJSON struct {
	ProgramID string `json:"program_id" jsonschema:"pattern=^pg_[0-9a-f]+$" jsonschema_description:"The mini-program to open."`
	Path      string `json:"path,omitempty" jsonschema_description:"Path inside the mini-program."`
	Title     string `json:"title,omitempty" jsonschema_description:"Title shown to the phone user."`
	// RequirePresence: only shakes with verified presence get the page.
	RequirePresence bool `json:"require_presence,omitempty" jsonschema_description:"Only shakes with verified presence (a rotating identity of now) are shown the page; others get the location fallback."`
}

type heartbeatJSON struct {
	At           time.Time `json:"at" jsonschema_description:"When the server received the heartbeat."`
	UptimeS      int64     `json:"uptime_s" jsonschema:"minimum=0" jsonschema_description:"Agent uptime in seconds."`
	Version      string    `json:"version" jsonschema_description:"Agent software version."`
	Battery      *float64  `json:"battery,omitempty" jsonschema:"minimum=0,maximum=100" jsonschema_description:"Battery charge in percent."`
	TemperatureC *float64  `json:"temperature_c,omitempty" jsonschema:"minimum=-100,maximum=200" jsonschema_description:"Device temperature in degrees Celsius."`
	SpoolDepth   *int64    `json:"spool_depth,omitempty" jsonschema:"minimum=0" jsonschema_description:"Events waiting in the agent's spool."`
	Dropped      *int64    `json:"dropped,omitempty" jsonschema:"minimum=0" jsonschema_description:"Events the spool dropped."`
}

func beaconView(b *nearby.Beacon) beaconJSON {
	v := beaconJSON{
		ID: nearby.FormatID(nearby.KindBeacon, b.ID), StoreID: nearby.FormatID(nearby.KindStore, b.StoreID),
		Label: b.Label, UUID: b.Identity.UUID.String(), Major: b.Identity.Major, Minor: b.Identity.Minor,
		TxPower: b.TxPower, Status: b.Status, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
		AgentTokens: keysView(b.AgentTokens),
		IntervalMS:  b.IntervalMS, Rotation: rotationView(b),
	}
	if pg := b.Page; pg != nil {
		v.Page = &pageJSON{ProgramID: nearby.FormatID(nearby.KindProgram, pg.ProgramID), Path: pg.Path, Title: pg.Title,
			RequirePresence: pg.RequirePresence}
	}
	if h := b.LastHeartbeat; h != nil {
		v.LastHeartbeat = &heartbeatJSON{At: h.At, UptimeS: h.UptimeS, Version: h.Version, Battery: h.Battery,
			TemperatureC: h.TemperatureC, SpoolDepth: h.SpoolDepth, Dropped: h.Dropped}
	}
	return v
}

// beaconInput is the body of POST and PUT /v1/beacons.
type beaconInput struct {
	StoreID *string `json:"store_id" jsonschema:"required" jsonschema_description:"Id (st_...) of the merchant's store the beacon is in."`
	Label   string  `json:"label" jsonschema_description:"The merchant's name for the beacon."`
	TxPower *int    `json:"tx_power" jsonschema:"minimum=-127,maximum=20" jsonschema_description:"Measured power at 1 m in dBm (default -59)."`
	Status  string  `json:"status" jsonschema_description:"Lifecycle state (default active)."`
	Page    *struct {
		ProgramID *string `json:"program_id" jsonschema:"required" jsonschema_description:"Id (pg_...) of the mini-program to open."`
		Path      string  `json:"path" jsonschema_description:"Path inside the mini-program."`
		Title     string  `json:"title" jsonschema_description:"Title shown to the phone user."`
		// RequirePresence gates the page on verified presence.
		RequirePresence bool `json:"require_presence" jsonschema_description:"Show the page only to shakes with verified presence (needs rotation)."`
	} `json:"page" jsonschema_description:"What a phone is shown for the beacon; omitted means nothing."`
	IntervalMS *int           `json:"interval_ms" jsonschema:"minimum=100,maximum=10000" jsonschema_description:"Advertising interval in milliseconds (default: the daemon's)."`
	Rotation   *rotationInput `json:"rotation" jsonschema_description:"Rotating identity; omitted keeps the current setting."`
	UUID       *string        `json:"uuid" jsonschema_description:"Bring your own iBeacon UUID (with major and minor); omitted, discoveryd allocates (create) or keeps (update) the identity."`
	Major      *int           `json:"major" jsonschema:"minimum=0,maximum=65535" jsonschema_description:"iBeacon major number, with uuid and minor."`
	Minor      *int           `json:"minor" jsonschema:"minimum=0,maximum=65535" jsonschema_description:"iBeacon minor number, with uuid and major."`
}

// apply checks the input and copies it into b. On update (b.ID != 0) an
// omitted identity keeps the beacon's.
func (in *beaconInput) apply(b *nearby.Beacon) error {
	var p nearby.Problems
	if in.StoreID == nil {
		p.Addf("store_id", "is required")
	} else if id, err := nearby.ParseID(nearby.KindStore, "store_id", *in.StoreID); err != nil {
		p.Merge("", err)
	} else {
		b.StoreID = id
	}
	b.Label, b.Status = in.Label, in.Status
	if b.Status == "" {
		b.Status = nearby.BeaconActive
	}
	b.TxPower = nearby.DefaultTxPower
	if in.TxPower != nil {
		b.TxPower = *in.TxPower
	}
	b.Page = nil
	if pg := in.Page; pg != nil {
		b.Page = &nearby.Page{Path: pg.Path, Title: pg.Title, RequirePresence: pg.RequirePresence}
		if pg.ProgramID == nil {
			p.Addf("page.program_id", "is required")
		} else if id, err := nearby.ParseID(nearby.KindProgram, "page.program_id", *pg.ProgramID); err != nil {
			p.Merge("", err)
		} else {
			b.Page.ProgramID = id
		}
	}
	switch {
	case in.UUID == nil && in.Major == nil && in.Minor == nil:
		// discoveryd allocates (create) or keeps (update) the identity
	case in.UUID == nil || in.Major == nil || in.Minor == nil:
		for _, f := range []struct {
			name    string
			missing bool
		}{{"uuid", in.UUID == nil}, {"major", in.Major == nil}, {"minor", in.Minor == nil}} {
			required(&p, f.name, f.missing)
		}
	default:
		u, err := nearby.ParseUUID(*in.UUID)
		switch {
		case err != nil:
			p.Addf("uuid", "must be a UUID like f7826da6-4fa2-4e98-8024-bc5b71e0893e")
		case u.IsZero(): // the zero UUID means "allocate one"
			p.Addf("uuid", "must not be the nil UUID")
		}
		checkUint16(&p, "major", *in.Major)
		checkUint16(&p, "minor", *in.Minor)
		b.Identity = nearby.Identity{UUID: u, Major: uint16(*in.Major), Minor: uint16(*in.Minor)}
	}
	applyInterval(&p, b, in.IntervalMS)
	applyRotation(&p, b, in.Rotation)
	if err := b.Validate(); err != nil {
		p.Merge("", err)
	}
	return dedupe(p).Err()
}

func checkUint16(p *nearby.Problems, field string, v int) {
	if v < 0 || v > 65535 {
		p.Addf(field, "must be between 0 and 65535")
	}
}

// dedupe drops repeated (field, message) pairs, which arise when both the
// input checks and the domain Validate notice the same thing.
func dedupe(p nearby.Problems) *nearby.Problems {
	out := &nearby.Problems{}
	seen := map[nearby.FieldError]bool{}
	for _, f := range p.Fields {
		if !seen[f] {
			seen[f] = true
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}
