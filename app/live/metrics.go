package live

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// hubMetrics are the hub's Prometheus series.
type hubMetrics struct {
	sent    prometheus.Counter
	dropped *prometheus.CounterVec
	refused *prometheus.CounterVec
	fanOuts prometheus.Histogram
	renders prometheus.Histogram
}

// Drop reasons, the values of tdc_ws_dropped_total's label.
const (
	dropSlow  = "queue_full"   // fell Queue frames behind
	dropWrite = "write_failed" // a write failed or timed out
	dropInput = "bad_frame"    // sent a binary or oversized frame
)

func newHubMetrics(reg prometheus.Registerer, h *Hub) (*hubMetrics, error) {
	m := &hubMetrics{
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tdc_ws_messages_sent_total", Help: "Websocket frames written to clients.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tdc_ws_dropped_total", Help: "Websocket clients the server closed, by reason.",
		}, []string{"reason"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tdc_ws_refused_total", Help: "Websocket handshakes refused, by status.",
		}, []string{"status"}),
		fanOuts: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tdc_ws_fanout_seconds", Help: "From a change received to its last frame queued to a client.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		renders: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tdc_ws_render_seconds", Help: "One fragment rendered for one language and zone.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{
		m.sent, m.dropped, m.refused, m.fanOuts, m.renders,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tdc_ws_connections", Help: "Websocket clients connected.",
		}, func() float64 { n, _ := h.Size(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tdc_ws_topics", Help: "Topics the connected clients follow.",
		}, func() float64 { _, n := h.Size(); return float64(n) }),
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *hubMetrics) fanOut(d time.Duration) { m.fanOuts.Observe(d.Seconds()) }
func (m *hubMetrics) render(d time.Duration) { m.renders.Observe(d.Seconds()) }
func (m *hubMetrics) drop(reason string)     { m.dropped.WithLabelValues(reason).Inc() }
func (m *hubMetrics) refuse(status int)      { m.refused.WithLabelValues(statusLabel(status)).Inc() }

func statusLabel(status int) string {
	switch status {
	case 400:
		return "400"
	case 403:
		return "403"
	case 429:
		return "429"
	}
	return "503"
}
