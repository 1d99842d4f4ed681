package web

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/marketplace/helpcentre/index"
)

// Metrics are the HTTP metrics Observe records.
type Metrics struct {
	latency *prometheus.HistogramVec

	routesOnce sync.Once
	routes     map[string]string // the app's route patterns, as the labels' own strings
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

// observe records one request. The labels it keeps must not point into
// the request's buffers, which fasthttp reuses for the next request on the
// connection (c.Method() is such a string even with Immutable): a label
// that changed after it was stored showed up as "POS" or "GETT" and failed
// every scrape with duplicate series. So method and route are mapped to
// strings of our own, and anything unknown to one fixed label, which also
// keeps the series count bounded.
func (m *Metrics) observe(app *fiber.App, route, method string, status int, took time.Duration) {
	m.latency.WithLabelValues(m.routeLabel(app, route), methodLabel(method), strconv.Itoa(status)).Observe(took.Seconds())
}

// routeLabel is route's pattern as registered, or "unmatched".
func (m *Metrics) routeLabel(app *fiber.App, route string) string {
	m.routesOnce.Do(func() {
		m.routes = map[string]string{"unmatched": "unmatched"}
		for _, r := range app.GetRoutes(false) {
			p := strings.Clone(r.Path)
			m.routes[p] = p
		}
	})
	if l, ok := m.routes[route]; ok {
		return l
	}
	return "unmatched"
}

// methods are the method labels; any other method is "OTHER".
var methods = map[string]string{
	fiber.MethodGet: fiber.MethodGet, fiber.MethodHead: fiber.MethodHead, fiber.MethodPost: fiber.MethodPost,
	fiber.MethodPut: fiber.MethodPut, fiber.MethodPatch: fiber.MethodPatch, fiber.MethodDelete: fiber.MethodDelete,
	fiber.MethodConnect: fiber.MethodConnect, fiber.MethodOptions: fiber.MethodOptions, fiber.MethodTrace: fiber.MethodTrace,
}

func methodLabel(method string) string {
	if l, ok := methods[method]; ok {
		return l
	}
	return "OTHER"
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
