package web

import (
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/recover"
	"github.com/gofiber/fiber/v3/middleware/requestid"
)

// routes lists every route of the site in one place.
func (s *Server) routes(app *fiber.App) {
	app.Use(recover.New())
	app.Use(requestid.New())
	app.Use(s.observe) // logger with the request id, access log, metrics
	app.Use(s.securityHeaders)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())
	app.Get("/assets/*", s.Assets.Handler())
	app.Get("/favicon.ico", s.favicon)
	app.Get("/robots.txt", s.robots)

	site := app.Group("", s.limitQuery, s.negotiate)
	site.Get("/", s.home)
	site.Get("/events", s.eventsIndex)
	site.Get("/events/:slug", s.eventShow)
	site.Get("/events/:slug/calendar.ics", s.eventCalendar)
	site.Get("/calendar.ics", s.clubCalendar)
	site.Get("/locations", s.locationsIndex)
	site.Get("/locations/:slug", s.locationShow)
	site.Get("/locations/:slug/calendar.ics", s.locationCalendar)
	site.Get("/artists", s.artistsIndex)
	site.Get("/artists/:slug", s.artistShow)
	site.Get("/artists/:slug/calendar.ics", s.artistCalendar)
	site.Get("/blog", s.blogIndex)
	site.Get("/blog/category/:slug", s.blogCategory)
	site.Get("/blog/:slug", s.blogShow)

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
