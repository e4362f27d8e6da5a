package api

import (
	"context"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/httpconn"
)

var jsonContentType = []string{echo.MIMEApplicationJSON}

// handleNearby is GET /v1/nearby, the hot path: query parameters are parsed
// by hand and the answer is appended to a pooled buffer.
func (s *Server) handleNearby(c echo.Context) error {
	q, err := parseNearbyQuery(c.Request().URL.RawQuery)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	gc := httpconn.Of(c.Request())
	res := getResults()
	defer putResults(res)
	buf := getBuf()
	defer putBuf(buf)
	b, err := s.nearbyPage(ctx, gc, q, res, *buf)
	*buf = b
	if err != nil {
		return err
	}
	w := c.Response()
	h := w.Header()
	h[echo.HeaderContentType] = jsonContentType
	// A known length spares net/http the chunked encoding of a body that
	// is larger than its 2 KiB pre-chunking buffer.
	h[echo.HeaderContentLength] = []string{strconv.Itoa(len(b))}
	return httpconn.WriteOnce(gc, w, b)
}

// nearbyPage ranks and renders a page of q into dst: the CPU-bound part of
// a query, in the connection's turn when it has one (gc from httpconn.Listener).
func (s *Server) nearbyPage(ctx context.Context, gc *httpconn.Conn, q catalog.NearbyQuery, res *[]catalog.NearbyResult, dst []byte) ([]byte, error) {
	if gc.TakeTurn() {
		defer gc.EndTurn()
	}
	q.BriefsOnly = s.briefs                        // the page is encoded from the briefs alone
	page, err := s.phones.NearbyInto(ctx, q, *res) // validates q (ranges, cursor)
	if page.Results != nil {
		*res = page.Results // grown for a larger limit: keep that
	}
	if err != nil {
		return dst, err
	}
	return appendNearbyPage(dst, &page, s.briefs), nil
}

// resultsPool holds result slices for Catalog.NearbyInto, with room for a default
// page.
var resultsPool = sync.Pool{New: func() any { s := make([]catalog.NearbyResult, 0, nearby.DefaultLimit); return &s }}

func getResults() *[]catalog.NearbyResult { return resultsPool.Get().(*[]catalog.NearbyResult) }

// putResults returns a slice to the pool, without the pointers to the
// snapshots it held: a pooled slice must not keep a deleted store alive.
func putResults(s *[]catalog.NearbyResult) {
	clear((*s)[:cap(*s)])
	*s = (*s)[:0]
	resultsPool.Put(s)
}

// parseNearbyQuery reads the query string into a NearbyQuery, naming the
// parameter of any value that is not of its type. Ranges are checked by
// NearbyQuery.Validate.
func parseNearbyQuery(raw string) (catalog.NearbyQuery, error) {
	var q catalog.NearbyQuery
	var p nearby.Problems
	var haveLat, haveLng bool
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if strings.ContainsAny(v, "%+") {
			uv, err := url.QueryUnescape(v)
			if err != nil {
				p.Addf(k, "is not URL-encoded correctly")
				continue
			}
			v = uv
		}
		switch k {
		case "lat":
			haveLat = parseFloatParam(&p, k, v, &q.Lat)
		case "lng":
			haveLng = parseFloatParam(&p, k, v, &q.Lng)
		default:
			nearbyParam(&q, &p, k, v)
		}
	}
	if !haveLat && !slices.ContainsFunc(p.Fields, func(f nearby.FieldError) bool { return f.Field == "lat" }) {
		p.Addf("lat", "is required")
	}
	if !haveLng && !slices.ContainsFunc(p.Fields, func(f nearby.FieldError) bool { return f.Field == "lng" }) {
		p.Addf("lng", "is required")
	}
	return q, p.Err()
}

// nearbyParam reads one parameter other than lat and lng into q.
func nearbyParam(q *catalog.NearbyQuery, p *nearby.Problems, k, v string) {
	switch k {
	case "radius_m":
		parseFloatParam(p, k, v, &q.RadiusM)
	case "limit":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			p.Addf(k, "must be an integer between 1 and %d", nearby.MaxLimit)
		}
		q.Limit = n
	case "cursor":
		q.Cursor = v
	case "category":
		q.Category = v
	case "age":
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Addf(k, "must be an integer")
		}
		q.Age = &n
	case "gender":
		q.Gender = v
	case "os":
		q.OS = v
	case "open_now":
		q.OpenNow = parseBoolParam(p, k, v)
	case "explain":
		q.Explain = parseBoolParam(p, k, v)
	case "app_id":
		q.AppID = v
	case "merchant_id":
		id, err := nearby.ParseID(nearby.KindMerchant, k, v)
		p.Merge("", err)
		q.MerchantID = id
	case "q":
		q.Q = v
	}
}

// parseFloatParam parses a finite decimal number; strconv accepts "NaN" and
// "Inf", which are refused here.
func parseFloatParam(p *nearby.Problems, k, v string, dst *float64) bool {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.Addf(k, "must be a finite number")
		return false
	}
	*dst = f
	return true
}

func parseBoolParam(p *nearby.Problems, k, v string) bool {
	switch v {
	case "true", "1", "":
		return true
	case "false", "0":
		return false
	}
	p.Addf(k, "must be true or false")
	return false
}

// appendNearbyPage appends the contract's nearby answer, copying the
// results' briefs when useBriefs says they are Briefs' JSON.
func appendNearbyPage(b []byte, page *catalog.NearbyPage, useBriefs bool) []byte {
	b = append(b, `{"results":[`...)
	for i := range page.Results {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNearbyResult(b, &page.Results[i], useBriefs)
	}
	b = append(b, ']')
	if page.NextCursor != "" {
		b = append(b, ',')
		b = appendKey(b, "next_cursor")
		b = appendString(b, page.NextCursor)
	}
	return append(b, '}', '\n')
}

func appendNearbyResult(b []byte, r *catalog.NearbyResult, useBriefs bool) []byte {
	b = append(b, '{')
	b = appendKey(b, "program")
	if useBriefs && r.ProgramBrief != "" {
		b = catalog.AppendBrief(b, programTemplate, r.ProgramBrief)
	} else {
		b = appendProgramBrief(b, r.Program)
	}
	b = append(b, ',')
	b = appendKey(b, "store")
	if useBriefs && r.StoreBrief != "" {
		b = catalog.AppendBrief(b, storeTemplate, r.StoreBrief)
	} else {
		b = appendStoreBrief(b, r.Store)
	}
	b = append(b, ',')
	b = appendKey(b, "distance_m")
	b = appendMetres(b, r.DistanceM)
	b = append(b, ',')
	b = appendKey(b, "score")
	b = appendScore(b, r.Score)
	if r.Explain != nil {
		b = append(b, ',')
		b = appendKey(b, "explain")
		b = append(b, '{')
		var kb [8]string // the ranking factors: no allocation for the usual few
		keys := kb[:0]
		for k := range r.Explain {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendScore(b, r.Explain[k])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// Briefs is the catalog.Renderer of the nearby answer's program and store
// objects. A catalog built with it (catalog.Options.Renderer) keeps each
// record's object rendered, and handleNearby copies those bytes instead of
// encoding the record again: at a million stores that saves reading and
// escaping forty records spread over memory for each page (see
// BENCHMARKS.md, "nearby over HTTP"). With another renderer, or none, the
// handler encodes the records.
type Briefs struct{}

var _ catalog.Renderer = Briefs{}

// rendersBriefs reports whether the results of phones (a catalog, or a
// service over one) carry Briefs' JSON.
func rendersBriefs(phones any) bool {
	r, ok := phones.(interface{ Renderer() catalog.Renderer })
	if !ok {
		return false
	}
	_, ok = r.Renderer().(Briefs)
	return ok
}

// AppendStore appends the store object of a nearby result.
func (Briefs) AppendStore(dst []byte, s *nearby.Store) []byte { return appendStoreBrief(dst, s) }

// AppendProgram appends the program object of a nearby result.
func (Briefs) AppendProgram(dst []byte, p *nearby.Program) []byte {
	return appendProgramBrief(dst, p)
}

// BriefTemplates are the fixed parts of appendStoreBrief and
// appendProgramBrief around their values (catalog.BriefTemplater): the
// catalog keeps only the values. A brief that does not fit (a null, a
// value that is not a string) is kept whole.
func (Briefs) BriefTemplates() (store, program []string) { return storeTemplate, programTemplate }

var (
	storeTemplate = []string{`{"id":"` + nearby.KindStore + `_`, `","name":"`, `","lat":`, `,"lng":`,
		`,"address":"`, `"}`}
	programTemplate = []string{`{"id":"` + nearby.KindProgram + `_`, `","app_id":"`, `","name":"`,
		`","category":"`, `","icon_url":"`, `"}`}
)

// appendProgramBrief appends {id,app_id,name,category,icon_url}.
func appendProgramBrief(b []byte, p *nearby.Program) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = appendID(b, nearby.KindProgram, p.ID)
	b = append(b, `,"app_id":`...)
	b = appendString(b, p.AppID)
	b = append(b, `,"name":`...)
	b = appendString(b, p.Name)
	b = append(b, `,"category":`...)
	b = appendString(b, p.Category)
	b = append(b, `,"icon_url":`...)
	b = appendString(b, p.IconURL)
	return append(b, '}')
}

// appendStoreBrief appends {id,name,lat,lng,address}.
func appendStoreBrief(b []byte, s *nearby.Store) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = appendID(b, nearby.KindStore, s.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, s.Name)
	b = append(b, `,"lat":`...)
	b = appendCoord(b, s.Lat)
	b = append(b, `,"lng":`...)
	b = appendCoord(b, s.Lng)
	b = append(b, `,"address":`...)
	b = appendString(b, s.Address)
	return append(b, '}')
}
