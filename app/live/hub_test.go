package live_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// renderer renders every topic it knows as one oob element naming the
// topic, the viewer and the topic's version, and counts its renders. Only
// "events" and location topics show anything.
type renderer struct {
	mu      sync.Mutex
	version map[string]int
	renders map[string]int // "topic|lang|zone"
	pad     int            // bytes of padding per fragment
}

func newRenderer() *renderer {
	return &renderer{version: map[string]int{}, renders: map[string]int{}}
}

func (r *renderer) RenderTopic(_ context.Context, topic string, v live.Viewer) ([]byte, error) {
	r.mu.Lock()
	r.renders[topic+"|"+v.Lang+"|"+v.Zone]++
	ver := r.version[topic]
	r.mu.Unlock()
	if topic != live.TopicEvents && !strings.HasPrefix(topic, "location:") {
		return nil, live.ErrUnknownTopic
	}
	return fmt.Appendf(nil, `<div id="live-%s" hx-swap-oob="true">%s %s v%d%s</div>`,
		topic, v.Lang, v.Zone, ver, strings.Repeat(" ", r.pad)), nil
}

// bump changes what topic shows, as a commit would.
func (r *renderer) bump(topic string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.version[topic]++
	return r.version[topic]
}

func (r *renderer) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.renders[key]
}

func (r *renderer) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.renders {
		n += c
	}
	return n
}

type fixture struct {
	hub *live.Hub
	bus *live.Bus
	r   *renderer
	reg *prometheus.Registry
	url string // ws://.../ws
}

// setup serves a hub over net/http. The client's address is ?ip= when
// given, so tests can be several clients; the viewer is ?lang= and ?tz=.
func setup(t testing.TB, opt live.Options, bus *live.Bus) *fixture {
	t.Helper()
	if bus == nil {
		rdb, prefix := testenv.Redis(t)
		bus = live.NewBus(rdb, prefix, testenv.Logger(t))
	}
	f := &fixture{bus: bus, r: newRenderer(), reg: prometheus.NewRegistry()}
	hub, err := live.NewHub(f.r, opt, f.reg, testenv.Logger(t))
	require.NoError(t, err)
	f.hub = hub
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ip := q.Get("ip")
		if ip == "" {
			ip, _, _ = net.SplitHostPort(r.RemoteAddr)
		}
		hub.ServeWS(w, r, ip, live.Viewer{Lang: q.Get("lang"), Zone: q.Get("tz")})
	}))
	t.Cleanup(srv.Close)
	testenv.RunHub(t, hub, bus) // its cleanup runs first: sockets close before the server
	f.url = "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	return f
}

func (f *fixture) dial(t *testing.T, query string, topics ...string) *websocket.Conn {
	t.Helper()
	ws, res, err := f.try(query, nil, topics...)
	require.NoError(t, err, "dial: %v", res)
	t.Cleanup(func() { ws.Close() })
	return ws
}

func (f *fixture) try(query string, h http.Header, topics ...string) (*websocket.Conn, *http.Response, error) {
	q, _ := url.ParseQuery(query)
	for _, tp := range topics {
		q.Add("topic", tp)
	}
	return websocket.DefaultDialer.Dial(f.url+"?"+q.Encode(), h)
}

func next(t *testing.T, ws *websocket.Conn) string { t.Helper(); return testenv.NextFrame(t, ws) }

// metric sums the series of name in reg whose one label has the value
// label ("" for all).
func metric(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	sum := 0.0
	for _, fam := range fams {
		if fam.GetName() != name {
			continue
		}
		for _, m := range fam.GetMetric() {
			if label != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != label) {
				continue
			}
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

// closeCode reads until the server closes the socket and returns its code.
func closeCode(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(10*time.Second)))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		require.ErrorAs(t, err, &ce)
		return ce.Code
	}
}

func TestHubSendsFreshFragmentsAndChanges(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{}, nil)
	ws := f.dial(t, "lang=en&tz=UTC", live.TopicEvents, "artist:nobody", "location:Bad Slug", "<script>", "event:007")
	require.Contains(t, next(t, ws), `id="live-events" hx-swap-oob="true">en UTC v0`, "a new socket gets the current fragment")

	f.r.bump(live.TopicEvents)
	require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
	require.Contains(t, next(t, ws), "en UTC v1")

	// Only well-spelled topics reached the renderer, and each once.
	require.Equal(t, 1, f.r.count("artist:nobody|en|UTC"), "unknown to the renderer: asked once, then remembered")
	require.Equal(t, 3, f.r.total(), "events twice, artist:nobody once; the misspelled ones never")
	_, topics := f.hub.Size()
	require.Equal(t, 2, topics)
}

// Clients in two languages: each change renders once per language, and
// every client gets its own language's frame.
func TestHubRendersOncePerViewer(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{MaxPerIP: 100}, nil)
	var en, de []*websocket.Conn
	for range 4 {
		en = append(en, f.dial(t, "lang=en&tz=UTC", live.TopicEvents))
		de = append(de, f.dial(t, "lang=de&tz=Europe/Berlin", live.TopicEvents))
	}
	for _, ws := range en {
		require.Contains(t, next(t, ws), ">en UTC v0")
	}
	for _, ws := range de {
		require.Contains(t, next(t, ws), ">de Europe/Berlin v0")
	}
	require.Equal(t, 1, f.r.count("events|en|UTC"), "connecting clients share the rendered fragment")
	require.Equal(t, 1, f.r.count("events|de|Europe/Berlin"))

	f.r.bump(live.TopicEvents)
	require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
	for _, ws := range en {
		require.Contains(t, next(t, ws), ">en UTC v1")
	}
	for _, ws := range de {
		require.Contains(t, next(t, ws), ">de Europe/Berlin v1")
	}
	require.Equal(t, 2, f.r.count("events|en|UTC"))
	require.Equal(t, 2, f.r.count("events|de|Europe/Berlin"))
	// The counter follows the write, which the client may see first.
	require.Eventually(t, func() bool { return metric(t, f.reg, "tdc_ws_messages_sent_total", "") == 16 },
		10*time.Second, 10*time.Millisecond)
}

// A fan-out to hundreds of clients is split among workers: every client
// still gets every change once, in order, in its own viewer's rendering.
func TestHubFanOutReachesEveryClientOnce(t *testing.T) {
	t.Parallel()
	const n, changes = 300, 3
	f := setup(t, live.Options{MaxPerIP: n, Coalesce: time.Millisecond}, nil)
	viewers := []string{"lang=en&tz=UTC", "lang=de&tz=Europe/Berlin", "lang=en&tz=Asia/Tokyo"}
	labels := []string{">en UTC v", ">de Europe/Berlin v", ">en Asia/Tokyo v"}
	clients := make([]*websocket.Conn, n)
	for i := range clients {
		clients[i] = f.dial(t, viewers[i%len(viewers)], live.TopicEvents)
		require.Contains(t, next(t, clients[i]), labels[i%len(labels)]+"0")
	}
	for v := 1; v <= changes; v++ {
		f.r.bump(live.TopicEvents)
		require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
		for i, ws := range clients {
			require.Contains(t, next(t, ws), fmt.Sprintf("%s%d<", labels[i%len(labels)], v), "client %d, change %d", i, v)
		}
	}
	for _, key := range []string{"events|en|UTC", "events|de|Europe/Berlin", "events|en|Asia/Tokyo"} {
		require.Equal(t, 1+changes, f.r.count(key), key)
	}
	require.Eventually(t, func() bool { return metric(t, f.reg, "tdc_ws_messages_sent_total", "") == n*(1+changes) },
		10*time.Second, 10*time.Millisecond)
}

// The first change after a quiet spell goes out at once; a burst of
// changes to one topic that follows within the coalescing window renders
// once more when the window ends, and the client ends with the last version.
func TestHubCoalescesBursts(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{Coalesce: time.Second}, nil)
	ws := f.dial(t, "lang=en&tz=UTC", live.TopicEvents)
	require.Contains(t, next(t, ws), "v0")
	f.r.bump(live.TopicEvents)
	start := time.Now()
	require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
	require.Contains(t, next(t, ws), "v1")
	require.Less(t, time.Since(start), 500*time.Millisecond, "a lone change does not wait for the window")
	for range 5 {
		f.r.bump(live.TopicEvents)
		require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
	}
	require.Contains(t, next(t, ws), "v6")
	require.GreaterOrEqual(t, time.Since(start), time.Second, "the burst waited for the window's end")
	require.Equal(t, 3, f.r.count("events|en|UTC"), "one render on connect, one for the lone change, one for the burst")
}

// 1,000 topics in one URL: the socket follows the first 32 valid ones.
func TestHubCapsTopics(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{}, nil)
	var topics []string
	for i := range 1000 {
		topics = append(topics, fmt.Sprintf("location:venue-%d:now-playing", i))
	}
	ws := f.dial(t, "lang=en&tz=UTC", topics...)
	seen := map[string]bool{}
	for range 32 {
		seen[next(t, ws)] = true
	}
	require.Len(t, seen, 32)
	_, n := f.hub.Size()
	require.Equal(t, 32, n)
	require.Equal(t, 32, f.r.total())
}

func TestHubRefusesBadHandshakes(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{OriginHost: "club.example:8080", MaxPerIP: 2}, nil)
	httpURL := "http" + strings.TrimPrefix(f.url, "ws")

	res, err := http.Get(httpURL + "?topic=events")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "a plain GET")

	_, res, err = f.try("", http.Header{"Origin": {"https://evil.example"}}, live.TopicEvents)
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "another site's page")
	_, res, err = f.try("", http.Header{"Origin": {"http://club.example:8080.evil.example"}}, live.TopicEvents)
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	host := strings.TrimPrefix(f.url, "ws://")
	host = host[:strings.IndexByte(host, '/')]
	same, _, err := f.try("", http.Header{"Origin": {"http://" + host}}, live.TopicEvents)
	require.NoError(t, err, "a page of the host the socket is opened on")
	same.Close()
	_, res, err = f.try("", http.Header{"Origin": {"%zz"}}, live.TopicEvents)
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "an Origin that is no URL")

	_, res, err = f.try("", nil, "nope", "event:-1", "location:")
	require.Error(t, err)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "no valid topic")

	// Per address: two sockets, the third refused until one closes.
	a, _, err := f.try("ip=192.0.2.7", http.Header{"Origin": {"http://CLUB.example:8080"}}, live.TopicEvents)
	require.NoError(t, err, "the site's own origin, in any case")
	defer a.Close()
	b := f.dial(t, "ip=192.0.2.7", live.TopicEvents)
	_, res, err = f.try("ip=192.0.2.7", nil, live.TopicEvents)
	require.Error(t, err)
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	f.dial(t, "ip=192.0.2.8", live.TopicEvents) // another address is not affected
	require.NoError(t, b.Close())
	require.Eventually(t, func() bool {
		ws, _, err := f.try("ip=192.0.2.7", nil, live.TopicEvents)
		if err == nil {
			ws.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "a closed socket frees its place")
	require.GreaterOrEqual(t, metric(t, f.reg, "tdc_ws_refused_total", "429"), 1.0)
	require.InDelta(t, 3, metric(t, f.reg, "tdc_ws_refused_total", "403"), 0)
	require.InDelta(t, 2, metric(t, f.reg, "tdc_ws_refused_total", "400"), 0)
}

// Clients send nothing but control frames: a binary frame or one over the
// read limit ends the socket.
func TestHubClosesOnBadFrames(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{}, nil)
	for _, tc := range []struct {
		name string
		kind int
		data []byte
		code int
	}{
		{"binary", websocket.BinaryMessage, []byte{0, 1, 2}, websocket.CloseUnsupportedData},
		{"oversized", websocket.TextMessage, []byte(strings.Repeat("x", 4096)), websocket.CloseMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := f.dial(t, "", live.TopicEvents)
			next(t, ws)
			// A small text frame is ignored.
			require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"hello":1}`)))
			require.NoError(t, ws.WriteMessage(tc.kind, tc.data))
			require.Equal(t, tc.code, closeCode(t, ws))
		})
	}
	// The client may read the close frame before the server has counted it.
	require.Eventually(t, func() bool { return metric(t, f.reg, "tdc_ws_dropped_total", "bad_frame") == 2 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { n, _ := f.hub.Size(); return n == 0 }, 10*time.Second, 10*time.Millisecond)
}

// A compressed message is held to the read limit once inflated: 4 KB of
// one letter is a few bytes on the wire.
func TestHubClosesOnOversizedCompressedFrames(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{}, nil)
	d, _ := wireDialer(true)
	ws, res, err := d.Dial(f.url+"?topic="+live.TopicEvents, nil)
	require.NoError(t, err)
	t.Cleanup(func() { ws.Close() })
	require.Contains(t, res.Header.Get("Sec-Websocket-Extensions"), "permessage-deflate")
	next(t, ws)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"small":1}`)), "a small one is ignored")
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 4096))))
	require.Equal(t, websocket.CloseMessageTooBig, closeCode(t, ws))
	require.Eventually(t, func() bool { return metric(t, f.reg, "tdc_ws_dropped_total", "bad_frame") == 1 }, 10*time.Second, 10*time.Millisecond)
}

// A client that never reads is dropped once its queue is full; the others
// get every frame meanwhile.
func TestHubDropsClientsThatDoNotRead(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{Queue: 4, Coalesce: time.Millisecond}, nil)
	f.r.pad = 256 << 10 // fills the socket buffers within a few dozen frames
	slow := f.dial(t, "", live.TopicEvents)
	fast := f.dial(t, "", live.TopicEvents)
	next(t, fast)
	dropped := false
	for i := 1; i <= 400 && !dropped; i++ {
		f.r.bump(live.TopicEvents)
		require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
		require.Contains(t, next(t, fast), fmt.Sprintf(" v%d ", i), "the reading client gets every change")
		dropped = metric(t, f.reg, "tdc_ws_dropped_total", "queue_full") == 1
	}
	require.True(t, dropped, "the client that never reads was dropped")
	require.Eventually(t, func() bool { n, _ := f.hub.Size(); return n == 1 }, 10*time.Second, 10*time.Millisecond)
	_ = slow
}

// A client that was away gets the fragments it missed when it reconnects.
func TestHubResyncsReconnectingClients(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{}, nil)
	stay := f.dial(t, "", live.TopicEvents)
	away := f.dial(t, "", live.TopicEvents)
	next(t, stay)
	next(t, away)
	require.NoError(t, away.Close())
	f.r.bump(live.TopicEvents)
	require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
	require.Contains(t, next(t, stay), "v1")
	back := f.dial(t, "", live.TopicEvents)
	require.Contains(t, next(t, back), "v1")
}

// Shutting down closes every socket with 1012, on which hx-ws reconnects,
// and refuses new ones.
func TestHubCloseSaysServiceRestart(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{}, nil)
	ws := f.dial(t, "", live.TopicEvents)
	next(t, ws)
	require.NoError(t, f.hub.Close(t.Context()))
	require.Equal(t, websocket.CloseServiceRestart, closeCode(t, ws))
	_, res, err := f.try("", nil, live.TopicEvents)
	require.Error(t, err)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
}

func TestHubPingsClients(t *testing.T) {
	t.Parallel()
	// The first ping comes within a period, the read deadline runs out
	// after two: the period leaves room for a loaded machine.
	f := setup(t, live.Options{PingPeriod: 250 * time.Millisecond}, nil)
	ws := f.dial(t, "", live.TopicEvents)
	pinged := make(chan struct{}, 1)
	ws.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil // no pong: the server gives up on the socket
	})
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-closed:
		select {
		case <-pinged: // the ping handler ran before the read failed
		default:
			t.Fatal("the socket closed before a ping came")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ping in 10 s")
	}
	require.Eventually(t, func() bool { n, _ := f.hub.Size(); return n == 0 }, 10*time.Second, 10*time.Millisecond,
		"a client that never answers pings is closed after its read deadline")
}

// Two instances share one Redis: a change published by one reaches the
// clients of the other.
func TestHubsShareChangesThroughRedis(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	a := setup(t, live.Options{}, live.NewBus(rdb, prefix, testenv.Logger(t)))
	b := setup(t, live.Options{}, live.NewBus(rdb, prefix, testenv.Logger(t)))
	ws := b.dial(t, "", live.LocationTopic("main-cave", "now-playing"))
	require.Contains(t, next(t, ws), "v0")
	b.r.bump(live.LocationTopic("main-cave", "now-playing"))
	require.NoError(t, a.bus.Changed(t.Context(), live.LocationTopic("main-cave", "now-playing"), 0))
	require.Contains(t, next(t, ws), "v1")
}

func TestValidTopic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		topic string
		ok    bool
	}{
		{"events", true}, {"locations", true}, {"artists", true}, {"posts", true}, {"settings", true},
		{"event:42", true}, {"location:main-cave", true}, {"location:main-cave:now-playing", true},
		{"artist:dj-x", true}, {"post:hello-world", true},
		{"", false}, {"*", false}, {"Events", false}, {"event:", false}, {"event:0", false}, {"event:042", false},
		{"event:-1", false}, {"event:1234567890123456789", false}, {"location:", false}, {"location:a:", false},
		{"location:a:b:c", false}, {"location:-a", false}, {"location:A", false}, {"artist:a b", false},
		{"artist:<script>", false}, {"post:ü", false}, {"post:\xff", false}, {"user:1", false},
		{"location:a:1part", false}, {"artist:" + strings.Repeat("a", 129), false},
	} {
		require.Equal(t, tc.ok, live.ValidTopic(tc.topic), "%q", tc.topic)
	}
}

// countConn counts the bytes a client reads off the wire.
type countConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// wireDialer dials with or without permessage-deflate and counts what the
// client reads, handshake included.
func wireDialer(compress bool) (*websocket.Dialer, *atomic.Int64) {
	var n atomic.Int64
	return &websocket.Dialer{
		EnableCompression: compress,
		NetDial: func(network, addr string) (net.Conn, error) {
			c, err := net.Dial(network, addr)
			return countConn{c, &n}, err
		},
	}, &n
}

// Browsers offer permessage-deflate: they get the frames compressed, and a
// client that does not offer it gets the same frames plain.
func TestHubCompressesForClientsThatOfferIt(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{}, nil)
	f.r.pad = 20000
	u := f.url + "?topic=" + live.TopicEvents
	zd, zn := wireDialer(true)
	zws, res, err := zd.Dial(u, nil)
	require.NoError(t, err)
	t.Cleanup(func() { zws.Close() })
	require.Contains(t, res.Header.Get("Sec-Websocket-Extensions"), "permessage-deflate")
	pd, pn := wireDialer(false)
	pws, res, err := pd.Dial(u, nil)
	require.NoError(t, err)
	t.Cleanup(func() { pws.Close() })
	require.Empty(t, res.Header.Get("Sec-Websocket-Extensions"))

	first := next(t, zws)
	require.Equal(t, first, next(t, pws), "one fragment, decoded alike")
	require.Contains(t, first, "v0")
	f.r.bump(live.TopicEvents)
	f.hub.Changed(live.Change{Topic: live.TopicEvents})
	second := next(t, zws)
	require.Contains(t, second, "v1")
	require.Equal(t, second, next(t, pws))
	require.Less(t, zn.Load(), int64(2000), "two 20 KB frames of spaces, compressed")
	require.Greater(t, pn.Load(), int64(40000), "the same frames, plain")
}

// A hub without compression answers a client that offers it with plain
// frames; a level out of range is refused.
func TestHubWithoutCompression(t *testing.T) {
	t.Parallel()
	f := setup(t, live.Options{NoCompression: true}, nil)
	f.r.pad = 20000
	d, n := wireDialer(true)
	ws, res, err := d.Dial(f.url+"?topic="+live.TopicEvents, nil)
	require.NoError(t, err)
	t.Cleanup(func() { ws.Close() })
	require.Empty(t, res.Header.Get("Sec-Websocket-Extensions"))
	require.Contains(t, next(t, ws), "v0")
	require.Greater(t, n.Load(), int64(20000))

	for _, level := range []int{-1, 10} {
		_, err := live.NewHub(newRenderer(), live.Options{Compression: level}, nil, testenv.Logger(t))
		require.Error(t, err, "level %d", level)
	}
}
