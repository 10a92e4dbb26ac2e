package web

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/requestid"

	"github.com/dreamerscave/tdc/app/i18n"
)

// Locals keys.
const (
	localLog   = "log"
	localLang  = "lang"
	localZone  = "zone"
	localRoute = "route"
	// maxQuery bounds the query string: filters need far less, and a long
	// one is either a mistake or an attack.
	maxQuery = 1024
	// Cookie lifetime for the language and time zone choices.
	prefCookieAge = 365 * 24 * 3600
)

// observe gives the request a logger carrying its id (set by the requestid
// middleware before it), then logs and measures the request once done. It
// calls the error handler itself so the logged status is the one sent.
func (s *Server) observe(c fiber.Ctx) error {
	start := time.Now()
	id := requestid.FromContext(c)
	log := s.Log.With(slog.String("request_id", id))
	c.Locals(localLog, log)
	err := c.Next()
	if err != nil {
		// The error handler writes the response and logs the error once.
		if herr := c.App().Config().ErrorHandler(c, err); herr != nil {
			log.Error("error handler failed", slog.Any("error", herr))
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := routeLabel(c)
	elapsed := time.Since(start)
	s.metrics.observe(c.Method(), route, status, elapsed)
	log.LogAttrs(c, slog.LevelInfo, "request",
		slog.String("method", c.Method()),
		slog.String("ip", c.IP()),
		slog.String("path", c.Path()),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
		slog.Int("bytes", len(c.Response().Body())),
	)
	return nil
}

func routeLabel(c fiber.Ctx) string {
	if r, ok := c.Locals(localRoute).(string); ok {
		return r
	}
	if r := c.Route(); r != nil && r.Path != "" {
		return r.Path
	}
	return "unmatched"
}

// logger returns the request's logger.
func (s *Server) logger(c fiber.Ctx) *slog.Logger {
	if l, ok := c.Locals(localLog).(*slog.Logger); ok {
		return l
	}
	return s.Log
}

// securityHeaders sets headers every response should carry. Style
// attributes are allowed (not <style> blocks): venue themes arrive as custom
// properties in style="", and only validated #rrggbb values are put there.
func (s *Server) securityHeaders(c fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "SAMEORIGIN")
	if s.Config.CookieSecure {
		// Served over https: browsers should never try plain http again.
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
	return c.Next()
}

// limitQuery refuses overlong query strings before any parsing.
func (s *Server) limitQuery(c fiber.Ctx) error {
	if n := len(c.Request().URI().QueryString()); n > maxQuery {
		return badRequest("error.request.query_too_long", map[string]any{"Max": maxQuery})
	}
	return c.Next()
}

// negotiate picks the language and time zone for this request and stores an
// explicit choice (?lang=, ?tz=) in a cookie.
func (s *Server) negotiate(c fiber.Ctx) error {
	q := c.Query("lang")
	lang := s.Bundle.Negotiate(q, c.Cookies("lang"), c.Get(fiber.HeaderAcceptLanguage))
	if q != "" && q == lang {
		s.setPref(c, "lang", lang)
	}
	c.Locals(localLang, lang)

	zone := s.zones.club
	if args := c.Request().URI().QueryArgs(); args.Has("tz") {
		if z, valid := s.zones.lookup(string(args.Peek("tz"))); valid {
			zone = z
			if z.Name() == s.zones.club.Name() {
				s.clearPref(c, "tz")
			} else {
				s.setPref(c, "tz", z.Name())
			}
		}
	} else if z, valid := s.zones.lookup(c.Cookies("tz")); valid {
		zone = z
	}
	c.Locals(localZone, zone)
	return c.Next()
}

// feedLanguage picks a calendar feed's language from ?lang alone, so the
// same URL always gives the same feed, whoever fetches it.
func (s *Server) feedLanguage(c fiber.Ctx) error {
	lang := s.Bundle.Default()
	if q := c.Query("lang"); s.Bundle.Supported(q) {
		lang = q
	}
	c.Locals(localLang, lang)
	c.Locals(localZone, s.zones.club)
	return c.Next()
}

func (s *Server) setPref(c fiber.Ctx, name, value string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: prefCookieAge,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: s.Config.CookieSecure, HTTPOnly: true,
	})
}

func (s *Server) clearPref(c fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0)})
}

func langOf(c fiber.Ctx) string {
	l, _ := c.Locals(localLang).(string)
	return l
}

func zoneOf(c fiber.Ctx) i18n.Zone {
	z, _ := c.Locals(localZone).(i18n.Zone)
	return z
}

func itoa(n int) string { return strconv.Itoa(n) }
