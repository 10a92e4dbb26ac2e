package web_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// These tests hold only to what any fragment renderer does: frames arrive,
// they carry hx-swap-oob, and topics nothing shows are ignored.

type liveSite struct {
	srv *web.Server
	hub *live.Hub
	bus *live.Bus
	url string // http://127.0.0.1:port
}

// startLive serves an app with its hub as `tdc serve` does, on Redis rdb
// under prefix, and waits until its subscription is up.
func startLive(t *testing.T, cfg config.Config, rdb *redis.Client, prefix string) liveSite {
	t.Helper()
	cfg.RedisKeyPrefix = prefix
	srv := testenv.Build(t, cfg, testenv.DB(t), rdb, testenv.Seeded(t))
	hub, err := srv.NewHub()
	require.NoError(t, err)
	bus := live.NewBus(rdb, prefix, testenv.Logger(t))
	base := serve(t, srv)
	testenv.RunHub(t, hub, bus)
	return liveSite{srv: srv, hub: hub, bus: bus, url: base}
}

func (s liveSite) dial(t *testing.T, h http.Header, query string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/ws?"+query, h)
	if err == nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, res, err
}

func topics(names ...string) string {
	q := url.Values{}
	for _, n := range names {
		q.Add("topic", n)
	}
	return q.Encode()
}

func frame(t *testing.T, ws *websocket.Conn) string { t.Helper(); return testenv.NextFrame(t, ws) }

func TestLiveSocketSendsFragments(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	cfg := testenv.Config(t)
	cfg.MetricsToken = "scrape-token-0123456789"
	site := startLive(t, cfg, rdb, prefix)
	q := topics(live.TopicEvents, "nonsense", "<script>alert(1)</script>", live.TopicEvents)
	en, _, err := site.dial(t, http.Header{"Cookie": {"lang=en"}}, q)
	require.NoError(t, err)
	de, _, err := site.dial(t, nil, q+"&lang=de&tz=Europe/Berlin")
	require.NoError(t, err)
	for _, ws := range []*websocket.Conn{en, de} {
		require.Contains(t, frame(t, ws), `hx-swap-oob`, "fresh fragments on connect")
	}
	conns, followed := site.hub.Size()
	require.Equal(t, 2, conns)
	require.Equal(t, 1, followed, "misspelled and repeated topics are dropped")

	require.NoError(t, site.bus.Changed(t.Context(), live.TopicEvents, 0))
	for _, ws := range []*websocket.Conn{en, de} {
		require.Contains(t, frame(t, ws), `hx-swap-oob`, "a change reaches every follower")
	}

	// A client can read a frame before the server has counted it.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		m := get(t, site.srv, "/metrics", header("Authorization", "Bearer "+cfg.MetricsToken))
		for _, series := range []string{"tdc_ws_connections 2", "tdc_ws_topics 1", "tdc_ws_messages_sent_total 4", "tdc_ws_fanout_seconds_bucket"} {
			assert.Contains(ct, m.Body, series)
		}
	}, 5*time.Second, 20*time.Millisecond)
}

func TestLiveSocketRefusesBadRequests(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	cfg := testenv.Config(t)
	cfg.WSMaxPerIP = 1
	cfg.ReadHeaderBudget = 64 << 10
	site := startLive(t, cfg, rdb, prefix)

	res, err := http.Get(site.url + "/ws?" + topics(live.TopicEvents))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "a plain GET")

	_, res, err = site.dial(t, http.Header{"Origin": {"https://elsewhere.example"}}, topics(live.TopicEvents))
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "another site's page")

	_, res, err = site.dial(t, nil, topics("nonsense"))
	require.Error(t, err)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "no topic worth a socket")

	// 1,000 topics (the header limit is raised for them here; at the
	// default a request this long is a 431, as TestHeaderAndBodyLimits
	// shows) are capped at 32.
	var many []string
	for i := range 1000 {
		many = append(many, fmt.Sprintf("location:venue-%d:now-playing", i))
	}
	ws, _, err := site.dial(t, http.Header{"Origin": {cfg.BaseURL.Scheme + "://" + cfg.BaseURL.Host}}, topics(many...))
	require.NoError(t, err, "a page of the site")
	// The hub takes the socket after the handshake's answer is sent.
	require.Eventually(t, func() bool { _, followed := site.hub.Size(); return followed == 32 },
		10*time.Second, 10*time.Millisecond, "topics capped at 32")

	_, res, err = site.dial(t, nil, topics(live.TopicEvents))
	require.Error(t, err)
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "one socket per address here")

	// A binary frame from the client ends its socket.
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{1}))
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(10*time.Second)))
	for {
		if _, _, err = ws.ReadMessage(); err != nil {
			break
		}
	}
	require.True(t, websocket.IsCloseError(err, websocket.CloseUnsupportedData), "%v", err)
}

// Two instances on one database and one Redis: a change published by one
// reaches the sockets of the other; closing an instance tells its clients
// to come back (1012).
func TestLiveAcrossInstances(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	cfg := testenv.Config(t)
	a := startLive(t, cfg, rdb, prefix)
	b := startLive(t, cfg, rdb, prefix)
	topic := live.LocationTopic("main-cave", "now-playing")
	ws, _, err := b.dial(t, nil, topics(topic))
	require.NoError(t, err)
	require.Contains(t, frame(t, ws), "hx-swap-oob")
	require.NoError(t, a.bus.Changed(t.Context(), topic, 0))
	require.Contains(t, frame(t, ws), "hx-swap-oob", "instance a's change reached b's client")

	require.NoError(t, b.hub.Close(t.Context()))
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, _, err = ws.ReadMessage()
	require.True(t, websocket.IsCloseError(err, websocket.CloseServiceRestart), "%v", err)
}

// countingConn counts the bytes a client reads off the wire.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// A client offering permessage-deflate, as browsers do, gets the programme
// compressed on the wire and decoded whole; one that does not (the tests
// above) gets it plain.
func TestLiveSocketCompresses(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	site := startLive(t, testenv.Config(t), rdb, prefix)
	var wire atomic.Int64
	d := websocket.Dialer{EnableCompression: true, NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		return countingConn{c, &wire}, err
	}}
	ws, res, err := d.Dial("ws"+strings.TrimPrefix(site.url, "http")+"/ws?"+topics(live.TopicEvents), nil)
	require.NoError(t, err)
	t.Cleanup(func() { ws.Close() })
	require.Contains(t, res.Header.Get("Sec-Websocket-Extensions"), "permessage-deflate")
	html := frame(t, ws)
	require.Contains(t, html, "hx-swap-oob")
	require.Less(t, wire.Load(), int64(len(html)/2), "%d bytes on the wire for a %d byte frame", wire.Load(), len(html))
}
