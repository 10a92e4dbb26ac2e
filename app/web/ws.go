package web

import (
	"net/http"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"

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
	}, s.Registry, s.Log)
	if err != nil {
		return nil, err
	}
	s.hub = h
	return h, nil
}

// liveSocket hands /ws to the hub through Fiber's net/http adaptor (gorilla
// needs a Hijacker; fasthttp >= 1.78 gives one). The page names its topics
// in the query; the viewer's language and zone come from the same cookies
// and query as its pages (negotiate).
func (s *Server) liveSocket(c fiber.Ctx) error {
	c.Locals(localRoute, "/ws")
	if s.hub == nil {
		return fiber.ErrNotFound
	}
	ip := c.IP()
	v := live.Viewer{Lang: langOf(c), Zone: zoneOf(c).Name()}
	err := adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hub.ServeWS(w, r, ip, v)
	})(c)
	if c.RequestCtx().Hijacked() {
		c.Status(fiber.StatusSwitchingProtocols) // for the access log; nothing more is written
	}
	return err
}
