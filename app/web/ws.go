package web

import (
	"bufio"
	"net"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/dreamerscave/tdc/app/live"
)

// NewHub builds the live-update hub that /ws hands its sockets to, with
// this server rendering the fragments, the limits of the configuration and
// its series in the server's registry. The caller runs it (Run, and
// bus.Listen feeding Changed) and closes it before the HTTP server.
func (s *Server) NewHub() (*live.Hub, error) {
	h, err := live.NewHub(s, live.Options{
		MaxConns:   s.Config.WSMaxConns,
		MaxPerIP:   s.Config.WSMaxPerIP,
		OriginHost: s.Config.BaseURL.Host,
		// Each frame is compressed once per level, not per client.
		Compression:   s.Config.WSCompression,
		NoCompression: s.Config.WSCompression == 0,
	}, s.Registry, s.Log)
	if err != nil {
		return nil, err
	}
	// fasthttp keeps a hijacked connection's request context and read
	// buffer, and a goroutine, until its hijack handler returns, and then
	// closes the connection. With KeepHijackedConns the handler returns at
	// once and the socket is the hub's alone: an idle socket costs one
	// goroutine and gorilla's small buffers, nothing of fasthttp's.
	s.App.Server().KeepHijackedConns = true
	s.hub = h
	return h, nil
}

// liveSocket hands /ws to the hub. The page names its topics in the query;
// the viewer's language and zone come from the same cookies and query as
// its pages (negotiate). Not through Fiber's net/http adaptor: its hijack
// keeps fasthttp's request context and goroutine alive for the socket's
// life; here the handshake is answered in the handler and the socket's
// reader starts once fasthttp has let go of the connection.
func (s *Server) liveSocket(c fiber.Ctx) error {
	c.Locals(localRoute, "/ws")
	if s.hub == nil {
		return fiber.ErrNotFound
	}
	rc := c.RequestCtx()
	var r http.Request
	if err := fasthttpadaptor.ConvertRequest(rc, &r, true); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "malformed request")
	}
	w := &upgradeWriter{rc: rc, header: http.Header{}}
	// Copies: the viewer outlives the request, whose memory fasthttp reuses.
	v := live.Viewer{Lang: strings.Clone(langOf(c)), Zone: strings.Clone(zoneOf(c).Name())}
	run := s.hub.Accept(w, &r, c.IP(), v)
	if run == nil {
		w.answer()
		return nil
	}
	c.Status(fiber.StatusSwitchingProtocols) // for the access log; gorilla has answered
	rc.HijackSetNoResponse(true)
	keep := s.App.Server().KeepHijackedConns
	rc.Hijack(func(net.Conn) {
		if keep {
			go run()
			return
		}
		run() // fasthttp closes the connection when this returns
	})
	return nil
}

// upgradeWriter is the http.ResponseWriter gorilla's Upgrader answers
// through: a refusal is copied into the fasthttp response, and Hijack hands
// over the connection itself. The bufio pair it returns is the smallest
// bufio allows: gorilla uses it for the handshake only (it reads and
// writes with buffers of its own, see live.NewHub), and it is garbage once
// the socket is open.
type upgradeWriter struct {
	rc     *fasthttp.RequestCtx
	header http.Header
	status int
	body   []byte
}

func (w *upgradeWriter) Header() http.Header { return w.header }

func (w *upgradeWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *upgradeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, b...)
	return len(b), nil
}

func (w *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc := w.rc.Conn()
	return nc, bufio.NewReadWriter(bufio.NewReaderSize(nc, 16), bufio.NewWriterSize(nc, 16)), nil
}

// answer copies a refusal into the fasthttp response.
func (w *upgradeWriter) answer() {
	for k, vs := range w.header {
		for _, v := range vs {
			w.rc.Response.Header.Add(k, v)
		}
	}
	w.rc.SetStatusCode(max(w.status, http.StatusOK))
	w.rc.SetBody(w.body)
}
