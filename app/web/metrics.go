package web

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series the web layer keeps.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tdc_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tdc_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("web: register metrics: %w", err)
		}
	}
	return m, nil
}

// watchCache exports the page cache's size, which visitor traffic must
// never push past TDC_PAGE_CACHE_MB.
func (m *metrics) watchCache(p *pageCache) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tdc_page_cache_bytes", Help: "Bytes the page cache counts against TDC_PAGE_CACHE_MB.",
		}, func() float64 { return float64(p.entries.WeightedSize()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tdc_page_cache_entries", Help: "Pages and feeds held by the page cache.",
		}, func() float64 { return float64(p.entries.EstimatedSize()) }),
	} {
		if err := m.reg.Register(c); err != nil {
			return fmt.Errorf("web: register cache metrics: %w", err)
		}
	}
	return nil
}

// observe counts one answer. Every label comes from a closed set (route
// patterns, methodLabel, status codes), so no visitor can grow the series.
func (m *metrics) observe(method, route string, status int, d time.Duration) {
	method = methodLabel(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// methodLabel keeps the standard methods and folds anything else into
// OTHER: an unknown method is whatever bytes a client sent.
func methodLabel(method string) string {
	if slices.Contains(fiber.DefaultMethods, method) {
		return method
	}
	return "OTHER"
}

// metricsHandler serves /metrics only to a scraper holding the token:
// the series name routes and error rates, which are nobody else's business.
// Without TDC_METRICS_TOKEN the route does not exist (404).
func (s *Server) metricsHandler() fiber.Handler {
	token := []byte(s.Config.MetricsToken)
	serve := adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return func(c fiber.Ctx) error {
		if len(token) == 0 {
			return fiber.ErrNotFound
		}
		got, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), token) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return fiber.ErrUnauthorized
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return serve(c)
	}
}
