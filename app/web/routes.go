package web

import (
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/recover"

	"github.com/dreamerscave/tdc/app/accounts"
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
	app.Use(s.limitBody)   // TDC_BODY_LIMIT on every route but the picture upload (bodylimit.go)
	app.Use(s.csrfProtect) // every POST/PUT/PATCH/DELETE but /webhooks/ and /api/ (auth.go)

	app.Add(read, "/healthz", s.healthz)
	app.Add(read, "/readyz", s.readyz)
	app.Add(read, "/metrics", s.metricsHandler())
	app.Add(read, "/assets/*", s.Assets.Handler())
	app.Add(read, "/favicon.ico", s.favicon)
	app.Add(read, "/robots.txt", s.robots)
	app.Add(read, "/media/:file", s.mediaFile)

	// Calendar clients send no cookies and may be cached by proxies: a feed's
	// language comes from its URL alone, and it sets no cookie. A group's
	// middleware runs for every path after it, so these come first.
	feeds := app.Group("", s.canonicalPath, s.feedLanguage)
	feeds.Add(read, "/sitemap.xml", s.sitemap)
	feeds.Add(read, "/calendar.ics", s.clubCalendar)
	feeds.Add(read, "/events/:slug/calendar.ics", s.eventCalendar)
	feeds.Add(read, "/locations/:slug/calendar.ics", s.locationCalendar)
	feeds.Add(read, "/artists/:slug/calendar.ics", s.artistCalendar)

	// DJ software pushing what plays: bearer token, JSON answers, no
	// cookies or language (nowplaying_api.go).
	app.Post("/api/locations/:slug/now-playing", s.nowPlayingIngest)
	// Patreon's webhook: signed by HMAC, no cookies or language (patreon.go).
	app.Post("/webhooks/patreon", s.patreonWebhook)

	site := app.Group("", s.negotiate)
	// Live updates: a websocket per page, for the topics it names (ws.go).
	site.Add(read, "/ws", s.liveSocket)
	site.Add(read, "/", s.home)
	site.Add(read, "/events", s.eventsIndex)
	site.Add(read, "/events/:slug", s.eventShow)
	site.Add(read, "/locations", s.locationsIndex)
	site.Add(read, "/locations/:slug", s.locationShow)
	site.Add(read, "/artists", s.artistsIndex)
	site.Add(read, "/artists/:slug", s.artistShow)
	site.Add(read, "/screens/:slug", s.screenShow) // screens.go
	site.Add(read, "/blog", s.blogIndex)
	site.Add(read, "/blog/category/:slug", s.blogCategory)
	site.Add(read, "/blog/:slug", s.blogShow)

	// Accounts (account*.go, auth.go, follows.go). None of these is cached.
	signedIn := s.requireRole(anyRole...)
	site.Add(read, "/login", s.loginForm)
	site.Post("/login", s.login)
	site.Post("/logout", s.logout)
	site.Add(read, "/signup", s.signupForm)
	site.Post("/signup", s.signup)
	site.Add(read, "/verify", s.verify)
	site.Add(read, "/reset", s.resetForm)
	site.Post("/reset", s.resetRequest)
	site.Add(read, "/reset/:token", s.resetPasswordForm)
	site.Post("/reset/:token", s.resetPassword)
	site.Add(read, "/account/menu", s.accountMenuFragment)
	site.Add(read, "/account", signedIn, s.accountShow)
	site.Post("/account/profile", signedIn, s.accountProfile)
	site.Post("/account/password", signedIn, s.accountPassword)
	site.Post("/account/verify", signedIn, s.accountResendVerify)
	site.Post("/account/signout-everywhere", signedIn, s.accountSignOutEverywhere)
	site.Post("/account/delete", signedIn, s.accountDelete)
	site.Post("/account/notifications", signedIn, s.accountNotify) // notify.go
	// The links in notification mail; the signed token is the credential.
	site.Add(read, "/unsubscribe/:token", s.unsubscribeShow)
	site.Post("/unsubscribe/:token", s.unsubscribe)
	for _, f := range []struct {
		path string
		kind accounts.FollowKind
	}{{"/follows/artists/:slug", accounts.FollowArtist}, {"/follows/locations/:slug", accounts.FollowLocation}} {
		site.Add(read, f.path, s.followShow(f.kind))
		site.Add([]string{fiber.MethodPost, fiber.MethodDelete}, f.path, signedIn, s.followSet(f.kind))
	}

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
