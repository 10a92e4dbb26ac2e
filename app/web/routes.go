package web

import (
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/recover"
)

// routes lists every route of the site in one place.
func (s *Server) routes(app *fiber.App) {
	// Every route here is read-only. HEAD is registered explicitly: the
	// catch-all below would otherwise answer HEAD before Fiber's own HEAD
	// routes, which it appends at start-up.
	read := []string{fiber.MethodGet, fiber.MethodHead}

	app.Use(s.requestID)
	app.Use(s.observe) // logger with the request id, access log, metrics
	app.Use(recover.New())
	app.Use(s.secure)
	app.Use(s.deadline)

	app.Add(read, "/healthz", s.healthz)
	app.Add(read, "/readyz", s.readyz)
	app.Add(read, "/metrics", s.metricsHandler())
	app.Add(read, "/assets/*", s.Assets.Handler())
	app.Add(read, "/favicon.ico", s.favicon)
	app.Add(read, "/robots.txt", s.robots)

	// Calendar clients send no cookies and may be cached by proxies: a feed's
	// language comes from its URL alone, and it sets no cookie. A group's
	// middleware runs for every path after it, so these come first.
	feeds := app.Group("", s.canonicalPath, s.feedLanguage)
	feeds.Add(read, "/sitemap.xml", s.sitemap)
	feeds.Add(read, "/calendar.ics", s.clubCalendar)
	feeds.Add(read, "/events/:slug/calendar.ics", s.eventCalendar)
	feeds.Add(read, "/locations/:slug/calendar.ics", s.locationCalendar)
	feeds.Add(read, "/artists/:slug/calendar.ics", s.artistCalendar)

	site := app.Group("", s.negotiate)
	site.Add(read, "/", s.home)
	site.Add(read, "/events", s.eventsIndex)
	site.Add(read, "/events/:slug", s.eventShow)
	site.Add(read, "/locations", s.locationsIndex)
	site.Add(read, "/locations/:slug", s.locationShow)
	site.Add(read, "/artists", s.artistsIndex)
	site.Add(read, "/artists/:slug", s.artistShow)
	site.Add(read, "/blog", s.blogIndex)
	site.Add(read, "/blog/category/:slug", s.blogCategory)
	site.Add(read, "/blog/:slug", s.blogShow)

	// The back office; every route is in adminRoutes with its roles.
	s.registerAdmin(site)

	// Anything else is the translated 404 page.
	site.Use(func(c fiber.Ctx) error {
		c.Locals(localRoute, "unmatched")
		if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
			// Every public page is read-only; writes come with the back office.
			c.Set(fiber.HeaderAllow, "GET, HEAD")
			return fiber.ErrMethodNotAllowed
		}
		return fiber.ErrNotFound
	})
}
