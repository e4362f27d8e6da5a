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
	"go.etcd.io/bbolt"
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

func newMetrics(s *Server, boltStats func() bbolt.Stats) *metrics {
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
		}, func() float64 { return float64(s.idx.Len()) }),
		&catalogCollector{cat: s.cat},
	)
	if boltStats != nil {
		m.reg.MustRegister(&boltCollector{stats: boltStats})
	}
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
type catalogCollector struct{ cat Catalog }

var catalogDesc = prometheus.NewDesc("nearby_catalog_entries", "Entries in the in-memory catalog by kind.", []string{"kind"}, nil)

func (c *catalogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- catalogDesc }

func (c *catalogCollector) Collect(ch chan<- prometheus.Metric) {
	st, pg, bc := c.cat.Counts()
	ch <- prometheus.MustNewConstMetric(catalogDesc, prometheus.GaugeValue, float64(st), "stores")
	ch <- prometheus.MustNewConstMetric(catalogDesc, prometheus.GaugeValue, float64(pg), "programs")
	ch <- prometheus.MustNewConstMetric(catalogDesc, prometheus.GaugeValue, float64(bc), "beacons")
}

// boltCollector exports bbolt's database statistics.
type boltCollector struct{ stats func() bbolt.Stats }

func boltDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("bbolt_"+name, help, nil, nil)
}

var (
	boltFreePages    = boltDesc("free_pages", "Free pages on the freelist.")
	boltPendingPages = boltDesc("pending_pages", "Pending pages on the freelist.")
	boltFreeAlloc    = boltDesc("free_alloc_bytes", "Bytes allocated in free pages.")
	boltFreelistUse  = boltDesc("freelist_inuse_bytes", "Bytes used by the freelist.")
	boltTxTotal      = boltDesc("read_tx_total", "Read transactions started.")
	boltOpenTx       = boltDesc("open_read_tx", "Read transactions currently open.")
	boltPageAlloc    = boltDesc("tx_page_alloc_bytes_total", "Bytes allocated for pages by write transactions.")
	boltPagesTotal   = boltDesc("tx_pages_total", "Page allocations by write transactions.")
	boltWrites       = boltDesc("tx_writes_total", "Page writes performed.")
	boltWriteSeconds = boltDesc("tx_write_seconds_total", "Time spent writing to disk.")
)

func (c *boltCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{boltFreePages, boltPendingPages, boltFreeAlloc, boltFreelistUse,
		boltTxTotal, boltOpenTx, boltPageAlloc, boltPagesTotal, boltWrites, boltWriteSeconds} {
		ch <- d
	}
}

func (c *boltCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	g := func(d *prometheus.Desc, t prometheus.ValueType, v float64) {
		ch <- prometheus.MustNewConstMetric(d, t, v)
	}
	g(boltFreePages, prometheus.GaugeValue, float64(st.FreePageN))
	g(boltPendingPages, prometheus.GaugeValue, float64(st.PendingPageN))
	g(boltFreeAlloc, prometheus.GaugeValue, float64(st.FreeAlloc))
	g(boltFreelistUse, prometheus.GaugeValue, float64(st.FreelistInuse))
	g(boltTxTotal, prometheus.CounterValue, float64(st.TxN))
	g(boltOpenTx, prometheus.GaugeValue, float64(st.OpenTxN))
	g(boltPageAlloc, prometheus.CounterValue, float64(st.TxStats.GetPageAlloc()))
	g(boltPagesTotal, prometheus.CounterValue, float64(st.TxStats.GetPageCount()))
	g(boltWrites, prometheus.CounterValue, float64(st.TxStats.GetWrite()))
	g(boltWriteSeconds, prometheus.CounterValue, st.TxStats.GetWriteTime().Seconds())
}
