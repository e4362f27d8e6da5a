package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// importConfig is the command line of `discoveryd import`.
type importConfig struct {
	Server   string
	Token    string
	Format   string
	Columns  string
	Category string
	File     string
}

// importResult is the server's answer, re-printed as the command's output.
type importResult struct {
	Imported int `json:"imported"`
	Failed   []struct {
		Row   int    `json:"row"`
		Error string `json:"error"`
	} `json:"failed"`
	FailedCount int `json:"failed_count"`
}

func parseImport(args []string, getenv func(string) string, stderr io.Writer) (importConfig, error) {
	c := importConfig{Server: getenv("DISCOVERYD_SERVER"), Token: getenv("DISCOVERYD_TOKEN")}
	if c.Server == "" {
		c.Server = "http://localhost:8080"
	}
	fs := flag.NewFlagSet("discoveryd import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Server, "server", c.Server, "base URL of discoveryd (env DISCOVERYD_SERVER)")
	fs.StringVar(&c.Token, "token", c.Token, "the merchant's API key, mk_... (env DISCOVERYD_TOKEN)")
	fs.StringVar(&c.Format, "format", "", "csv or geojson (default: from the file extension)")
	fs.StringVar(&c.Columns, "columns", "", "CSV column mapping, e.g. lat=Latitude,lng=Longitude,name=Store Name,timezone=")
	fs.StringVar(&c.Category, "category", "", "category for rows without one")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: discoveryd import --server URL --token MERCHANT_KEY [flags] FILE\n\n"+
			"Streams FILE (CSV with a header, or a GeoJSON FeatureCollection) to POST /v1/stores/import\n"+
			"and prints {\"imported\", \"failed\"}. A progress bar is drawn on stderr when it is a terminal.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return c, errors.New("discoveryd import: exactly one FILE is required")
	}
	c.File = fs.Arg(0)
	if c.Token == "" {
		return c, errors.New("discoveryd import: --token (a merchant API key) is required")
	}
	if c.Format == "" {
		switch strings.ToLower(filepath.Ext(c.File)) {
		case ".geojson", ".json":
			c.Format = "geojson"
		default:
			c.Format = "csv"
		}
	}
	if c.Format != "csv" && c.Format != "geojson" {
		return c, fmt.Errorf("discoveryd import: --format must be csv or geojson, not %q", c.Format)
	}
	return c, nil
}

// runImport is `discoveryd import`; it returns the exit code.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseImport(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	tty := false
	if f, ok := stderr.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	res, err := importFile(ctx, c, http.DefaultClient, stderr, tty)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	out, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(out))
	return 0
}

// importFile streams the file to the server, drawing progress on stderr
// when it is a terminal, and returns the server's result.
func importFile(ctx context.Context, c importConfig, hc *http.Client, stderr io.Writer, tty bool) (*importResult, error) {
	f, err := os.Open(c.File)
	if err != nil {
		return nil, fmt.Errorf("discoveryd import: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("discoveryd import: %w", err)
	}
	q := url.Values{"format": {c.Format}}
	if c.Columns != "" {
		q.Set("columns", c.Columns)
	}
	if c.Category != "" {
		q.Set("category", c.Category)
	}
	u := strings.TrimRight(c.Server, "/") + "/v1/stores/import?" + q.Encode()
	pr := &progressReader{r: f, total: fi.Size()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, pr)
	if err != nil {
		return nil, fmt.Errorf("discoveryd import: %w", err)
	}
	req.ContentLength = fi.Size()
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if c.Format == "csv" {
		req.Header.Set("Content-Type", "text/csv")
	} else {
		req.Header.Set("Content-Type", "application/geo+json")
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		if !tty {
			return
		}
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				pr.draw(stderr, start)
				fmt.Fprintln(stderr)
				return
			case <-t.C:
				pr.draw(stderr, start)
			}
		}
	}()
	resp, err := hc.Do(req)
	close(stop)
	<-done
	if err != nil {
		return nil, fmt.Errorf("discoveryd import: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("discoveryd import: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discoveryd import: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var res importResult
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("discoveryd import: decode answer: %w", err)
	}
	if !tty {
		fmt.Fprintf(stderr, "imported %d rows, %d failed, %d bytes in %s\n", res.Imported, res.FailedCount,
			pr.n.Load(), time.Since(start).Round(time.Millisecond))
	}
	return &res, nil
}

// progressReader counts the bytes read for the progress bar.
type progressReader struct {
	r     io.Reader
	n     atomic.Int64
	total int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n.Add(int64(n))
	return n, err
}

// draw writes one carriage-return progress line.
func (p *progressReader) draw(w io.Writer, start time.Time) {
	const width = 30
	n := p.n.Load()
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(n)/float64(p.total), 1)
	}
	filled := int(frac * width)
	rate := float64(n) / max(time.Since(start).Seconds(), 1e-3) / (1 << 20)
	fmt.Fprintf(w, "\r[%s%s] %5.1f%%  %.1f/%.1f MiB  %.1f MiB/s ", strings.Repeat("=", filled),
		strings.Repeat(" ", width-filled), frac*100, float64(n)/(1<<20), float64(p.total)/(1<<20), rate)
}
