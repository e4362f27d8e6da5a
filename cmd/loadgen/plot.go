package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// series is one line of a growth plot: a value per row.
type series struct {
	name  string
	value func(growthRow) float64
}

// growthPlot is one SVG: the stores on a log x axis, the series on y.
type growthPlot struct {
	file, title, ylabel string
	logY                bool
	series              []series
}

// growthPlots writes the growth plots of rep into dir.
func growthPlots(dir string, rep growthReport) error {
	many := strconv.Itoa(rep.Conns)
	plots := []growthPlot{
		{"query.svg", "GET /v1/nearby at 1 connection", "query time (µs)", false, []series{
			{"median", func(r growthRow) float64 { return r.P50us1 }},
			{"p99", func(r growthRow) float64 { return r.P99us1 }},
		}},
		{"throughput.svg", "GET /v1/nearby throughput", "requests per second", false, []series{
			{"c=" + many, func(r growthRow) float64 { return r.RPSMany }},
			{"c=1", func(r growthRow) float64 { return r.RPS1 }},
		}},
		{"startup.svg", "Start-up", "seconds", true, []series{
			{"process start to /readyz 200", func(r growthRow) float64 { return r.StartupSeconds }},
			{"load (the daemon's took_ms)", func(r growthRow) float64 { return r.LoadSeconds }},
		}},
		{"rss.svg", "discoveryd memory", "MiB", true, []series{
			{"VmRSS after load", func(r growthRow) float64 { return r.RSSLoadMiB }},
			{"VmRSS after queries", func(r growthRow) float64 { return r.RSSQueryMiB }},
			{"VmHWM after queries", func(r growthRow) float64 { return r.HWMQueryMiB }},
		}},
	}
	for _, gp := range plots {
		svg, err := gp.render(rep)
		if err != nil {
			return fmt.Errorf("plot %s: %w", gp.file, err)
		}
		if err := os.WriteFile(filepath.Join(dir, gp.file), svg, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// render draws the plot as an SVG document (fonts referenced, not
// embedded: a few kB instead of a few hundred).
func (gp growthPlot) render(rep growthReport) ([]byte, error) {
	p := plot.New()
	p.Title.Text = gp.title + " — " + filepath.Base(rep.Binary)
	p.X.Label.Text = "stores (log scale)"
	p.Y.Label.Text = gp.ylabel
	p.X.Scale = plot.LogScale{}
	var sizes []float64
	for _, r := range rep.Rows {
		sizes = append(sizes, float64(r.Stores))
	}
	p.X.Tick.Marker = sizeTicks(sizes)
	var args []any
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range gp.series {
		xys := make(plotter.XYs, len(rep.Rows))
		for i, r := range rep.Rows {
			v := s.value(r)
			if gp.logY && v <= 0 {
				return nil, fmt.Errorf("%s at %d stores is %v: not on a log axis", s.name, r.Stores, v)
			}
			xys[i] = plotter.XY{X: float64(r.Stores), Y: v}
			lo, hi = min(lo, v), max(hi, v)
		}
		args = append(args, s.name, xys)
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return nil, err
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	if len(sizes) > 0 {
		p.X.Min, p.X.Max = sizes[0]/1.5, sizes[len(sizes)-1]*1.5
		for _, s := range sizes {
			p.X.Min, p.X.Max = min(p.X.Min, s/1.5), max(p.X.Max, s*1.5)
		}
	}
	// Room above the data for the legend.
	if gp.logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = lo/1.5, hi*4
	} else {
		p.Y.Min, p.Y.Max = 0, hi*1.35
	}
	const w, h = 16 * vg.Centimeter, 10 * vg.Centimeter
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sizeTicks labels the measured sizes ("10k", "1M") on the x axis, with
// unlabelled marks at the powers of ten between.
type sizeTicks []float64

func (s sizeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	labelled := make(map[float64]bool)
	for _, v := range s {
		if v >= lo && v <= hi && !labelled[v] {
			ts = append(ts, plot.Tick{Value: v, Label: humanSize(int(v))})
			labelled[v] = true
		}
	}
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		if v := math.Pow(10, e); v >= lo && v <= hi && !labelled[v] {
			ts = append(ts, plot.Tick{Value: v})
		}
	}
	return ts
}

// logTicks marks 1 to 9 times each power of ten and labels 1, 2 and 5
// times it: plot.LogTicks labels only the powers of ten, and a range
// within one decade would show no number at all.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * base
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = tickLabel(v)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// tickLabel writes 2000 as "2000" and 0.05 as "0.05", not in exponent form.
func tickLabel(v float64) string {
	if v >= 1e-4 && v < 1e9 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
