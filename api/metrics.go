package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus collectors, on their own registry.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	events     *prometheus.CounterVec
	imported   prometheus.Counter
	importFail prometheus.Counter
	shakes     *prometheus.CounterVec

	// series caches the request series by label values: looking a
	// series up in the vectors hashes every label value each time, a
	// quarter of a microsecond per request on the phone routes.
	series sync.Map // seriesKey → *requestSeries
}

type seriesKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics(s *Server, extra []prometheus.Collector) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route template and method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nearby_agent_events_total", Help: "Agent events by outcome (accepted, duplicate, rejected).",
		}, []string{"outcome"}),
		imported: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "nearby_import_rows_imported_total", Help: "Store rows imported.",
		}),
		importFail: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "nearby_import_rows_failed_total", Help: "Store rows rejected by imports.",
		}),
		shakes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nearby_shakes_total", Help: "Shakes by how the result was chosen (beacon, location, none).",
		}, []string{"by"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.events, m.imported, m.importFail, m.shakes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "nearby_index_size", Help: "Store locations in the geo index.",
		}, func() float64 { return float64(s.status.IndexLen()) }),
		&catalogCollector{status: s.status},
	)
	m.reg.MustRegister(extra...)
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	method = methodLabel(method)
	k := seriesKey{route: route, method: method, status: status}
	v, ok := m.series.Load(k)
	if !ok {
		code := strconv.Itoa(status)
		v, _ = m.series.LoadOrStore(k, &requestSeries{
			requests: m.requests.WithLabelValues(route, method, code),
			latency:  m.latency.WithLabelValues(route, method),
		})
	}
	rs := v.(*requestSeries)
	rs.requests.Inc()
	rs.latency.Observe(d.Seconds())
}

// methodLabel returns the method for the metrics' label: a client may send
// any token as its method, and each new one would otherwise add series to
// the registry (and lines to /metrics) without bound.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

func (s *Server) handleMetrics() echo.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	return echo.WrapHandler(h)
}

// catalogCollector exports the read model's sizes.
type catalogCollector struct{ status Status }

var catalogDesc = prometheus.NewDesc("nearby_catalog_entries", "Entries in the in-memory catalog by kind.", []string{"kind"}, nil)

func (c *catalogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- catalogDesc }

func (c *catalogCollector) Collect(ch chan<- prometheus.Metric) {
	st, pg, bc := c.status.Counts()
	ch <- prometheus.MustNewConstMetric(catalogDesc, prometheus.GaugeValue, float64(st), "stores")
	ch <- prometheus.MustNewConstMetric(catalogDesc, prometheus.GaugeValue, float64(pg), "programs")
	ch <- prometheus.MustNewConstMetric(catalogDesc, prometheus.GaugeValue, float64(bc), "beacons")
}
