package web

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/marketplace/helpcentre/index"
)

// Metrics are the HTTP metrics Observe records.
type Metrics struct {
	latency *prometheus.HistogramVec
}

// NewMetrics registers the HTTP and index metrics with reg.
func NewMetrics(reg *prometheus.Registry, ix *index.Index) *Metrics {
	m := &Metrics{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "helpcentre_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and status code.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
		}, []string{"route", "method", "code"}),
	}
	reg.MustRegister(m.latency, &indexCollector{ix: ix})
	return m
}

func (m *Metrics) observe(route, method string, status int, took time.Duration) {
	m.latency.WithLabelValues(route, method, strconv.Itoa(status)).Observe(took.Seconds())
}

// indexCollector reads the index status at scrape time.
type indexCollector struct{ ix *index.Index }

var (
	descDocs     = prometheus.NewDesc("helpcentre_index_articles", "Published articles in the index, per locale.", []string{"locale"}, nil)
	descBytes    = prometheus.NewDesc("helpcentre_index_disk_bytes", "Bytes the indexes use on disk.", nil, nil)
	descReloads  = prometheus.NewDesc("helpcentre_content_reloads_total", "Content reloads that applied changes.", nil, nil)
	descFailures = prometheus.NewDesc("helpcentre_content_reload_failures_total", "Content reloads that failed; the last good index kept serving.", nil, nil)
	descErrors   = prometheus.NewDesc("helpcentre_content_errors", "Content problems of severity error in the current content.", nil, nil)
	descReady    = prometheus.NewDesc("helpcentre_index_ready", "1 once the index is built.", nil, nil)
)

func (c *indexCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDocs, descBytes, descReloads, descFailures, descErrors, descReady} {
		ch <- d
	}
}

func (c *indexCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.ix.Status()
	for l, n := range st.Articles {
		ch <- prometheus.MustNewConstMetric(descDocs, prometheus.GaugeValue, float64(n), l)
	}
	ready := 0.0
	if c.ix.Ready() {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(st.IndexedBytes))
	ch <- prometheus.MustNewConstMetric(descReloads, prometheus.CounterValue, float64(st.Reloads))
	ch <- prometheus.MustNewConstMetric(descFailures, prometheus.CounterValue, float64(st.Failures))
	ch <- prometheus.MustNewConstMetric(descErrors, prometheus.GaugeValue, float64(st.Errors))
	ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, ready)
}
