package api

import (
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
)

// storeJSON is a store as the contract shows it.
type storeJSON struct {
	ID         string       `json:"id"`
	MerchantID string       `json:"merchant_id"`
	Name       string       `json:"name"`
	Lat        float64      `json:"lat"`
	Lng        float64      `json:"lng"`
	Category   string       `json:"category"`
	Address    string       `json:"address,omitempty"`
	Timezone   string       `json:"timezone,omitempty"`
	Hours      nearby.Hours `json:"hours,omitempty"`
	Tags       []string     `json:"tags,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
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
	Name     *string      `json:"name"`
	Lat      *float64     `json:"lat"`
	Lng      *float64     `json:"lng"`
	Category *string      `json:"category"`
	Address  string       `json:"address"`
	Timezone string       `json:"timezone"`
	Hours    nearby.Hours `json:"hours"`
	Tags     []string     `json:"tags"`
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
	ID          string            `json:"id"`
	AppID       string            `json:"app_id"`
	Name        string            `json:"name"`
	Category    string            `json:"category"`
	Description string            `json:"description,omitempty"`
	IconURL     string            `json:"icon_url,omitempty"`
	StoreIDs    []string          `json:"store_ids"`
	Targeting   *nearby.Targeting `json:"targeting,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
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
	AppID       *string           `json:"app_id"`
	Name        *string           `json:"name"`
	Category    *string           `json:"category"`
	Description string            `json:"description"`
	IconURL     string            `json:"icon_url"`
	StoreIDs    *[]string         `json:"store_ids"`
	Targeting   *nearby.Targeting `json:"targeting"`
}

func (in *programInput) apply(pg *nearby.Program) error {
	var p nearby.Problems
	required(&p, "app_id", in.AppID == nil)
	required(&p, "name", in.Name == nil)
	required(&p, "category", in.Category == nil)
	required(&p, "store_ids", in.StoreIDs == nil)
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
	ID            string         `json:"id"`
	StoreID       string         `json:"store_id"`
	Label         string         `json:"label,omitempty"`
	UUID          string         `json:"uuid"`
	Major         uint16         `json:"major"`
	Minor         uint16         `json:"minor"`
	TxPower       int            `json:"tx_power"`
	Status        string         `json:"status"`
	Page          *pageJSON      `json:"page,omitempty"`
	LastHeartbeat *heartbeatJSON `json:"last_heartbeat,omitempty"`
	AgentToken    string         `json:"agent_token,omitempty"` // only in the create response
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

type pageJSON struct {
	ProgramID string `json:"program_id"`
	Path      string `json:"path,omitempty"`
	Title     string `json:"title,omitempty"`
}

type heartbeatJSON struct {
	At           time.Time `json:"at"`
	UptimeS      int64     `json:"uptime_s"`
	Version      string    `json:"version"`
	Battery      *float64  `json:"battery,omitempty"`
	TemperatureC *float64  `json:"temperature_c,omitempty"`
	SpoolDepth   *int64    `json:"spool_depth,omitempty"`
	Dropped      *int64    `json:"dropped,omitempty"`
}

func beaconView(b *nearby.Beacon) beaconJSON {
	v := beaconJSON{
		ID: nearby.FormatID(nearby.KindBeacon, b.ID), StoreID: nearby.FormatID(nearby.KindStore, b.StoreID),
		Label: b.Label, UUID: b.Identity.UUID.String(), Major: b.Identity.Major, Minor: b.Identity.Minor,
		TxPower: b.TxPower, Status: b.Status, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
	}
	if pg := b.Page; pg != nil {
		v.Page = &pageJSON{ProgramID: nearby.FormatID(nearby.KindProgram, pg.ProgramID), Path: pg.Path, Title: pg.Title}
	}
	if h := b.LastHeartbeat; h != nil {
		v.LastHeartbeat = &heartbeatJSON{At: h.At, UptimeS: h.UptimeS, Version: h.Version, Battery: h.Battery,
			TemperatureC: h.TemperatureC, SpoolDepth: h.SpoolDepth, Dropped: h.Dropped}
	}
	return v
}

// beaconInput is the body of POST and PUT /v1/beacons.
type beaconInput struct {
	StoreID *string `json:"store_id"`
	Label   string  `json:"label"`
	TxPower *int    `json:"tx_power"`
	Status  string  `json:"status"`
	Page    *struct {
		ProgramID *string `json:"program_id"`
		Path      string  `json:"path"`
		Title     string  `json:"title"`
	} `json:"page"`
	UUID  *string `json:"uuid"`
	Major *int    `json:"major"`
	Minor *int    `json:"minor"`
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
		b.Page = &nearby.Page{Path: pg.Path, Title: pg.Title}
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
