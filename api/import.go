package api

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/importer"
)

type failedRow struct {
	Row    int                 `json:"row" jsonschema:"minimum=1" jsonschema_description:"1-based data row (CSV) or feature index (GeoJSON)."`
	Error  string              `json:"error" jsonschema_description:"Why the row was not imported."`
	Errors []nearby.FieldError `json:"errors,omitempty" jsonschema_description:"The offending fields of the row."`
}

type importJSON struct {
	Imported        int         `json:"imported" jsonschema:"minimum=0" jsonschema_description:"Rows committed."`
	Failed          []failedRow `json:"failed" jsonschema_description:"Rows not imported, up to a bound."`
	FailedCount     int         `json:"failed_count" jsonschema:"minimum=0" jsonschema_description:"All failed rows, also those beyond the listed ones."`
	FailedTruncated bool        `json:"failed_truncated,omitempty" jsonschema_description:"Set when failed lists only the first failed rows."`
	// Truncated says the file broke partway: rows before Error.Row are all
	// counted in Imported or Failed, nothing from Error.Row on was read.
	Truncated bool        `json:"truncated,omitempty" jsonschema_description:"Set when the file broke partway: see error."`
	Error     *importStop `json:"error,omitempty" jsonschema_description:"Where and why reading the file stopped."`
}

// importStop says where and why reading an import file stopped.
type importStop struct {
	Row     int    `json:"row" jsonschema:"minimum=1" jsonschema_description:"First row not read: the file broke here; every row before it is imported or failed."`
	Message string `json:"message" jsonschema_description:"What broke."`
}

// handleImport is POST /v1/stores/import. The body is streamed through the
// importer: good rows are committed in batches of ImportBatch and put into
// the catalog after each commit, so queries keep running (and see the new
// stores) during a long import; bad rows are reported with their numbers.
// A file that breaks partway still answers 200: the good rows before the
// break are committed and the answer says where reading stopped.
func (s *Server) handleImport(c echo.Context) error {
	req := c.Request()
	format, err := importFormat(c)
	if err != nil {
		return err
	}
	body := http.MaxBytesReader(c.Response(), req.Body, s.cfg.MaxImportBytes)
	category := c.QueryParam("category")
	var cp nearby.Problems
	nearby.CheckCategory(&cp, "category", category, false)
	if err := cp.Err(); err != nil {
		return err
	}
	imp := &importRun{s: s, ctx: writeCtx(c), merchantID: merchantOf(c), out: importJSON{Failed: []failedRow{}}}
	if format == "csv" {
		cols, cerr := parseColumns(c.QueryParam("columns"))
		if cerr != nil {
			return cerr
		}
		opts := importer.CSVOptions{Columns: cols, DefaultCategory: category}
		err = importer.CSVWith(req.Context(), body, opts, imp.row)
	} else {
		err = importer.GeoJSONWith(req.Context(), body, importer.GeoJSONOptions{DefaultCategory: category}, imp.row)
	}
	err = imp.finish(err)
	if imp.err != nil { // a commit failed: the server's fault, not the file's
		s.metrics.imported.Add(float64(imp.out.Imported))
		return imp.err
	}
	s.metrics.imported.Add(float64(imp.out.Imported))
	s.metrics.importFail.Add(float64(imp.out.FailedCount))
	// A client that went away is not answered, whatever its stream's
	// state: not even with a truncated file's 200.
	if err != nil && (errors.Is(req.Context().Err(), context.Canceled) || !imp.truncated(err)) {
		return importFailed(req.Context(), err, imp.out.Imported)
	}
	return c.JSON(http.StatusOK, imp.out)
}

// importFailed says how far an import got when its stream broke: the rows
// before are committed and stay. When the client went away (ctx, the
// request's, is cancelled: its body's read failed, or the importer saw the
// context) the error wraps context.Canceled, which the error handler
// records as 499 rather than a server error.
func importFailed(ctx context.Context, err error, imported int) error {
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("api: import: the client went away (%s imported before): %w", itoaRows(imported), err)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("api: import: the client went away (%s imported before): %w (%w)", itoaRows(imported), ctx.Err(), err)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &nearby.Error{Code: nearby.ETOOLARGE, Message: "import body is too large; " +
			itoaRows(imported) + " were imported before the limit", Err: err}
	}
	var ne *nearby.Error
	if errors.As(err, &ne) {
		if ne.Code == nearby.EINTERNAL {
			return ne
		}
		msg := ne.Message
		if imported > 0 {
			msg += "; " + itoaRows(imported) + " were imported before the error"
		}
		return &nearby.Error{Code: ne.Code, Message: msg, Fields: ne.Fields, Err: err}
	}
	return &nearby.Error{Code: nearby.EINVALID, Message: "the import file is malformed: " + err.Error() +
		" (" + itoaRows(imported) + " imported before)", Fields: []nearby.FieldError{{Field: "body", Message: err.Error()}}, Err: err}
}

func itoaRows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return strconv.Itoa(n) + " rows"
}

// importFields are the CSV columns the importer understands.
var importFields = []string{importer.FieldName, importer.FieldLat, importer.FieldLng, importer.FieldCategory,
	importer.FieldAddress, importer.FieldTimezone, importer.FieldTags, importer.FieldHours}

// parseColumns parses ?columns=lat=Latitude,lng=Longitude,timezone= into
// field -> source column; an empty source leaves the field unread (e.g. a
// "Timezone" column that does not hold IANA names).
func parseColumns(v string) (map[string]string, error) {
	if v == "" {
		return nil, nil
	}
	cols := map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		field, src, ok := strings.Cut(pair, "=")
		field = strings.ToLower(strings.TrimSpace(field))
		if !ok || !nearby.ValidEnum(field, importFields) {
			return nil, nearby.Invalid("columns", "must be a list of field=Column with fields from %v", importFields)
		}
		cols[field] = strings.TrimSpace(src)
	}
	return cols, nil
}

// importFormat picks the parser from ?format or the Content-Type.
func importFormat(c echo.Context) (string, error) {
	switch f := c.QueryParam("format"); f {
	case "csv", "geojson":
		return f, nil
	case "":
	default:
		return "", nearby.Invalid("format", "must be csv or geojson")
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	switch mt {
	case "text/csv":
		return "csv", nil
	case "application/geo+json", "application/json":
		return "geojson", nil
	}
	return "", nearby.Errorf(nearby.EUNSUPPORTED, "Content-Type must be text/csv or application/geo+json (or pass ?format=csv|geojson)")
}

// importRun accumulates one import. Parsing and committing overlap: full
// batches go to a committer goroutine (one batch in flight at a time, so
// memory stays bounded) while the parser fills the next one.
type importRun struct {
	s          *Server
	ctx        context.Context // the request's, with its id for the service's logs
	merchantID uint64
	batch      []*nearby.Store
	out        importJSON

	seen     int // rows streamed, good or bad
	started  bool
	batches  chan []*nearby.Store
	done     chan struct{}
	imported atomic.Int64 // rows committed and in the catalog
	err      error        // the committer's error, read after done or via failed
	failed   atomic.Bool
}

func (r *importRun) row(row importer.Row) error {
	if r.failed.Load() {
		return r.wait() // stop streaming: a commit failed
	}
	r.seen++
	if row.Err != nil {
		r.out.FailedCount++
		if len(r.out.Failed) < r.s.cfg.MaxFailedRows {
			f := failedRow{Row: row.Line, Error: nearby.ErrorMessage(row.Err)}
			var ne *nearby.Error
			if errors.As(row.Err, &ne) {
				f.Errors = ne.Fields
			}
			r.out.Failed = append(r.out.Failed, f)
		} else {
			r.out.FailedTruncated = true
		}
		return nil
	}
	st := row.Store
	st.ID, st.MerchantID = 0, r.merchantID
	r.batch = append(r.batch, &st)
	if len(r.batch) >= r.s.cfg.ImportBatch {
		r.send()
	}
	return nil
}

// send hands the batch to the committer, starting it on first use.
func (r *importRun) send() {
	if len(r.batch) == 0 {
		return
	}
	if !r.started {
		r.started = true
		r.batches = make(chan []*nearby.Store)
		r.done = make(chan struct{})
		go r.commitLoop()
	}
	r.batches <- r.batch
	r.batch = make([]*nearby.Store, 0, r.s.cfg.ImportBatch)
}

// commitLoop commits each batch, then makes it visible to queries. After an
// error it drains the channel without committing.
func (r *importRun) commitLoop() {
	defer close(r.done)
	for batch := range r.batches {
		if r.err != nil {
			continue
		}
		// The service commits the batch and puts it into the catalog in
		// commit order, like single writes.
		err := r.s.stores.ImportStores(r.ctx, batch)
		if err != nil {
			r.err = err
			r.failed.Store(true)
			continue
		}
		r.imported.Add(int64(len(batch)))
	}
}

// wait stops the committer and returns its error.
func (r *importRun) wait() error {
	if r.started {
		close(r.batches)
		<-r.done
		r.started = false
	}
	r.out.Imported = int(r.imported.Load())
	return r.err
}

// finish commits the last partial batch and waits for every commit. The
// good rows before a break in the file are committed too, like the batches
// before them: one bad spot never loses the good rows. Only a commit
// failure or the client going away (its context is done, so a commit would
// fail anyway) leaves them out.
func (r *importRun) finish(streamErr error) error {
	gone := errors.Is(streamErr, context.Canceled) || errors.Is(streamErr, context.DeadlineExceeded)
	if !r.failed.Load() && !gone {
		r.send()
	}
	if err := r.wait(); err != nil {
		return err
	}
	return streamErr
}

// truncated records a file that broke partway after some rows were read:
// the answer is then a 200 whose counts cover every row before the break,
// plus where reading stopped. A file of which no row could be read stays
// an error (and nothing was imported), and so do a body over the size
// limit (413) and a failed read.
func (r *importRun) truncated(err error) bool {
	var se *importer.StopError
	if r.seen == 0 || !errors.As(err, &se) || nearby.ErrorCode(se.Err) != nearby.EINVALID {
		return false
	}
	r.out.Truncated = true
	r.out.Error = &importStop{Row: se.Row, Message: nearby.ErrorMessage(se.Err)}
	return true
}
