package client

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
)

// Merchant is the answer to creating a merchant; APIKey is shown only once.
type Merchant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	APIKey    string    `json:"api_key,omitempty"`
	KeyID     string    `json:"key_id,omitempty"` // the API key's id, to revoke it
	CreatedAt time.Time `json:"created_at"`
}

// CreateMerchant creates a merchant (POST /v1/merchants, admin token). Use
// the answer's APIKey with WithToken to act as the merchant.
func (c *Client) CreateMerchant(ctx context.Context, name string) (*Merchant, error) {
	var m Merchant
	if err := c.Do(ctx, http.MethodPost, "/v1/merchants", nil, map[string]string{"name": name}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Store is a store as the API shows it.
type Store struct {
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

// StoreInput is the body of creating or replacing a store. Hours are in
// the store's Timezone (IANA), e.g. {"mon": [["09:00", "21:00"]]}.
type StoreInput struct {
	Name     string       `json:"name"`
	Lat      float64      `json:"lat"`
	Lng      float64      `json:"lng"`
	Category string       `json:"category"`
	Address  string       `json:"address,omitempty"`
	Timezone string       `json:"timezone,omitempty"`
	Hours    nearby.Hours `json:"hours,omitempty"`
	Tags     []string     `json:"tags,omitempty"`
}

// Input returns the store's writable fields, to change and send back with
// UpdateStore.
func (s *Store) Input() *StoreInput {
	return &StoreInput{Name: s.Name, Lat: s.Lat, Lng: s.Lng, Category: s.Category, Address: s.Address,
		Timezone: s.Timezone, Hours: s.Hours, Tags: s.Tags}
}

// CreateStore creates a store (POST /v1/stores, merchant key).
func (c *Client) CreateStore(ctx context.Context, in *StoreInput) (*Store, error) {
	return call[Store](ctx, c, http.MethodPost, "/v1/stores", in)
}

// GetStore reads one of the merchant's stores (GET /v1/stores/{id}).
func (c *Client) GetStore(ctx context.Context, id string) (*Store, error) {
	return call[Store](ctx, c, http.MethodGet, "/v1/stores/"+escape(id), nil)
}

// UpdateStore replaces a store's fields (PUT /v1/stores/{id}).
func (c *Client) UpdateStore(ctx context.Context, id string, in *StoreInput) (*Store, error) {
	return call[Store](ctx, c, http.MethodPut, "/v1/stores/"+escape(id), in)
}

// DeleteStore deletes a store (DELETE /v1/stores/{id}); the server refuses
// (nearby.ECONFLICT) while a beacon uses it.
func (c *Client) DeleteStore(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/stores/"+escape(id), nil, nil, nil)
}

// ListStores reads one page of the merchant's stores (GET /v1/stores).
func (c *Client) ListStores(ctx context.Context, opts *ListOptions) (*Page[Store], error) {
	return list[Store](ctx, c, "/v1/stores", opts)
}

// Stores iterates over all the merchant's stores, a page at a time.
func (c *Client) Stores(ctx context.Context) iter.Seq2[Store, error] {
	return listAll[Store](ctx, c, "/v1/stores")
}

// ImportFormat is the format of an import file.
type ImportFormat string

// Import formats.
const (
	ImportCSV     ImportFormat = "csv"     // header row with at least name,lat,lng,category
	ImportGeoJSON ImportFormat = "geojson" // a FeatureCollection of Point features
)

// ImportOptions tunes an import.
type ImportOptions struct {
	Format ImportFormat // required
	// Columns maps store fields (name, lat, lng, category, address,
	// timezone, tags, hours) to the CSV's column names; an empty name
	// leaves the field unread. Nil reads the columns named as the fields.
	Columns map[string]string
	// Category is the category of rows without one.
	Category string
}

// ImportResult is the outcome of an import. Good rows are kept whatever
// happens to the others: Failed lists bad rows (at most the server's limit;
// FailedCount counts them all), and Truncated says the file broke at
// Error.Row, every row before it being counted.
type ImportResult struct {
	Imported        int         `json:"imported"`
	Failed          []FailedRow `json:"failed"`
	FailedCount     int         `json:"failed_count"`
	FailedTruncated bool        `json:"failed_truncated,omitempty"`
	Truncated       bool        `json:"truncated,omitempty"`
	Error           *ImportStop `json:"error,omitempty"`
}

// FailedRow is a row of an import file that was not imported.
type FailedRow struct {
	Row    int                 `json:"row"`
	Error  string              `json:"error"`
	Errors []nearby.FieldError `json:"errors,omitempty"`
}

// ImportStop says where and why reading an import file stopped.
type ImportStop struct {
	Row     int    `json:"row"`
	Message string `json:"message"`
}

// ImportStores streams a CSV or GeoJSON file of stores from r to the server
// (POST /v1/stores/import, merchant key). r is read as the request is sent,
// so a file of any size never sits in memory.
func (c *Client) ImportStores(ctx context.Context, r io.Reader, opts *ImportOptions) (*ImportResult, error) {
	if opts == nil {
		return nil, fmt.Errorf("client: import: options with a format are required")
	}
	var ct string
	switch opts.Format {
	case ImportCSV:
		ct = "text/csv"
	case ImportGeoJSON:
		ct = "application/geo+json"
	default:
		return nil, fmt.Errorf("client: import: format must be %q or %q, not %q", ImportCSV, ImportGeoJSON, opts.Format)
	}
	q := url.Values{}
	if len(opts.Columns) > 0 {
		cols, err := columnsParam(opts.Columns)
		if err != nil {
			return nil, err
		}
		q.Set("columns", cols)
	}
	if opts.Category != "" {
		q.Set("category", opts.Category)
	}
	var out ImportResult
	if err := c.DoRaw(ctx, http.MethodPost, "/v1/stores/import", q, ct, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// columnsParam writes the ?columns mapping, field=Column pairs joined by
// commas, sorted so that a request is reproducible.
func columnsParam(cols map[string]string) (string, error) {
	pairs := make([]string, 0, len(cols))
	for field, src := range cols {
		if strings.ContainsAny(field, ",=") || strings.Contains(src, ",") {
			return "", fmt.Errorf("client: import: column mapping %q=%q may not contain a comma", field, src)
		}
		pairs = append(pairs, field+"="+src)
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ","), nil
}

// Program is a mini-program as the API shows it; it is found nearby at each
// of its stores.
type Program struct {
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

// ProgramInput is the body of creating or replacing a mini-program.
type ProgramInput struct {
	AppID       string            `json:"app_id"`
	Name        string            `json:"name"`
	Category    string            `json:"category"`
	Description string            `json:"description,omitempty"`
	IconURL     string            `json:"icon_url,omitempty"`
	StoreIDs    []string          `json:"store_ids"`
	Targeting   *nearby.Targeting `json:"targeting,omitempty"`
	// StoreSelection adds the merchant's stores it selects (all, or by
	// category and/or tags): a chain of any size in one call.
	StoreSelection *nearby.StoreSelection `json:"store_selection,omitempty"`
}

// Input returns the program's writable fields, to change and send back
// with UpdateProgram.
func (p *Program) Input() *ProgramInput {
	return &ProgramInput{AppID: p.AppID, Name: p.Name, Category: p.Category, Description: p.Description,
		IconURL: p.IconURL, StoreIDs: p.StoreIDs, Targeting: p.Targeting}
}

// withStores returns in with a nil StoreIDs sent as [], which is what a Go
// caller means by leaving it out (the server requires the field).
func (in *ProgramInput) withStores() *ProgramInput {
	if in == nil || in.StoreIDs != nil {
		return in
	}
	cp := *in
	cp.StoreIDs = []string{}
	return &cp
}

// CreateProgram creates a mini-program (POST /v1/programs, merchant key).
func (c *Client) CreateProgram(ctx context.Context, in *ProgramInput) (*Program, error) {
	return call[Program](ctx, c, http.MethodPost, "/v1/programs", in.withStores())
}

// GetProgram reads one of the merchant's programs (GET /v1/programs/{id}).
func (c *Client) GetProgram(ctx context.Context, id string) (*Program, error) {
	return call[Program](ctx, c, http.MethodGet, "/v1/programs/"+escape(id), nil)
}

// UpdateProgram replaces a program's fields (PUT /v1/programs/{id}).
func (c *Client) UpdateProgram(ctx context.Context, id string, in *ProgramInput) (*Program, error) {
	return call[Program](ctx, c, http.MethodPut, "/v1/programs/"+escape(id), in.withStores())
}

// DeleteProgram deletes a program (DELETE /v1/programs/{id}).
func (c *Client) DeleteProgram(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/programs/"+escape(id), nil, nil, nil)
}

// ListPrograms reads one page of the merchant's programs (GET /v1/programs).
func (c *Client) ListPrograms(ctx context.Context, opts *ListOptions) (*Page[Program], error) {
	return list[Program](ctx, c, "/v1/programs", opts)
}

// Programs iterates over all the merchant's programs, a page at a time.
func (c *Client) Programs(ctx context.Context) iter.Seq2[Program, error] {
	return listAll[Program](ctx, c, "/v1/programs")
}

// Identity is what an iBeacon advertises. UUID is lower-case and
// hyphenated, e.g. "f7826da6-4fa2-4e98-8024-bc5b71e0893e".
type Identity struct {
	UUID  string `json:"uuid"`
	Major uint16 `json:"major"`
	Minor uint16 `json:"minor"`
}

// BeaconPage is what phones are shown for a beacon: a path inside a program.
type BeaconPage struct {
	ProgramID string `json:"program_id"`
	Path      string `json:"path,omitempty"`
	Title     string `json:"title,omitempty"`
	// RequirePresence shows the page only to shakes with verified presence.
	RequirePresence bool `json:"require_presence,omitempty"`
}

// Beacon is a beacon as the API shows it; AgentToken is shown only once, in
// the answer to CreateBeacon.
type Beacon struct {
	ID      string `json:"id"`
	StoreID string `json:"store_id"`
	Label   string `json:"label,omitempty"`
	Identity
	TxPower       int              `json:"tx_power"`
	Status        string           `json:"status"` // active, inactive or decommissioned
	Page          *BeaconPage      `json:"page,omitempty"`
	IntervalMS    int              `json:"interval_ms,omitempty"` // 0: the daemon's default
	Rotation      *Rotation        `json:"rotation"`
	LastHeartbeat *BeaconHeartbeat `json:"last_heartbeat,omitempty"`
	Alerts        []Alert          `json:"alerts,omitempty"` // open ones, in GetBeacon only
	AgentToken    string           `json:"agent_token,omitempty"`
	AgentTokens   []Key            `json:"agent_tokens,omitempty"` // ids and times of the agent's tokens
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

// BeaconHeartbeat is the last report of a beacon's agent; At is when the
// server received it.
type BeaconHeartbeat struct {
	At           time.Time `json:"at"`
	UptimeS      int64     `json:"uptime_s"`
	Version      string    `json:"version"`
	Battery      *float64  `json:"battery,omitempty"`
	TemperatureC *float64  `json:"temperature_c,omitempty"`
	SpoolDepth   *int64    `json:"spool_depth,omitempty"`
	Dropped      *int64    `json:"dropped,omitempty"`
}

// BeaconInput is the body of creating or replacing a beacon. A nil
// Identity lets discoveryd allocate a unique one (create) or keeps the
// beacon's (update); hardware with its own identity sets it. A nil TxPower
// means nearby.DefaultTxPower and an empty Status "active".
type BeaconInput struct {
	StoreID string      `json:"store_id"`
	Label   string      `json:"label,omitempty"`
	TxPower *int        `json:"tx_power,omitempty"`
	Status  string      `json:"status,omitempty"`
	Page    *BeaconPage `json:"page,omitempty"`
	*Identity
	// IntervalMS is the advertising interval (100 to 10,000; nil: the
	// daemon's default); a nil Rotation keeps the beacon's setting.
	IntervalMS *int           `json:"interval_ms,omitempty"`
	Rotation   *RotationInput `json:"rotation,omitempty"`
}

// Input returns the beacon's writable fields, its identity included, to
// change and send back with UpdateBeacon.
func (b *Beacon) Input() *BeaconInput {
	id, tx := b.Identity, b.TxPower
	var pg *BeaconPage
	if b.Page != nil {
		p := *b.Page
		pg = &p
	}
	in := &BeaconInput{StoreID: b.StoreID, Label: b.Label, TxPower: &tx, Status: b.Status, Page: pg, Identity: &id}
	if b.IntervalMS != 0 {
		ms := b.IntervalMS
		in.IntervalMS = &ms
	}
	return in
}

// CreateBeacon creates a beacon (POST /v1/beacons, merchant key); the
// answer carries the agent token, shown only this once.
func (c *Client) CreateBeacon(ctx context.Context, in *BeaconInput) (*Beacon, error) {
	return call[Beacon](ctx, c, http.MethodPost, "/v1/beacons", in)
}

// GetBeacon reads one of the merchant's beacons with its agent's last
// heartbeat (GET /v1/beacons/{id}).
func (c *Client) GetBeacon(ctx context.Context, id string) (*Beacon, error) {
	return call[Beacon](ctx, c, http.MethodGet, "/v1/beacons/"+escape(id), nil)
}

// UpdateBeacon replaces a beacon's fields (PUT /v1/beacons/{id}).
func (c *Client) UpdateBeacon(ctx context.Context, id string, in *BeaconInput) (*Beacon, error) {
	return call[Beacon](ctx, c, http.MethodPut, "/v1/beacons/"+escape(id), in)
}

// DeleteBeacon deletes a beacon (DELETE /v1/beacons/{id}); its agent token
// stops working.
func (c *Client) DeleteBeacon(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/beacons/"+escape(id), nil, nil, nil)
}

// ListBeacons reads one page of the merchant's beacons (GET /v1/beacons).
func (c *Client) ListBeacons(ctx context.Context, opts *ListOptions) (*Page[Beacon], error) {
	return list[Beacon](ctx, c, "/v1/beacons", opts)
}

// Beacons iterates over all the merchant's beacons, a page at a time.
func (c *Client) Beacons(ctx context.Context) iter.Seq2[Beacon, error] {
	return listAll[Beacon](ctx, c, "/v1/beacons")
}
