package store

import (
	"github.com/prometheus/client_golang/prometheus"
	"go.etcd.io/bbolt"
)

// Collector returns a Prometheus collector of the database's bbolt
// statistics, for the daemon's /metrics.
func (db *DB) Collector() prometheus.Collector { return &boltCollector{stats: db.BoltStats} }

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
