package web

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/i18n"
)

// Locals keys.
const (
	localLog       = "log"
	localLang      = "lang"
	localZone      = "zone"
	localRoute     = "route"
	localRequestID = "request_id"
	// Cookie lifetime for the language and time zone choices.
	prefCookieAge = 365 * 24 * 3600
	// maxRequestID bounds an id taken from a proxy: enough for a UUID or a
	// trace id, too short to carry a payload into every log line.
	maxRequestID = 64
)

// requestID gives the request its id: a trusted proxy's X-Request-Id when
// it is short and plain (letters, digits, '-' and '_'), else one of ours.
// Anyone else's header is ignored, so a client cannot write into our logs.
func (s *Server) requestID(c fiber.Ctx) error {
	id := ""
	if c.IsProxyTrusted() {
		if v := c.Get(fiber.HeaderXRequestID); validRequestID(v) {
			id = v
		}
	}
	if id == "" {
		id = newRequestID()
	}
	c.Set(fiber.HeaderXRequestID, id)
	c.Locals(localRequestID, id)
	return c.Next()
}

func validRequestID(v string) bool {
	if v == "" || len(v) > maxRequestID {
		return false
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// requestIDs are 80 random bits in lower-case base32: short in logs, and
// safe in a header without quoting.
var requestIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newRequestID() string {
	var b [10]byte
	rand.Read(b[:])
	return requestIDEncoding.EncodeToString(b[:])
}

// observe gives the request a logger carrying its id, then logs and
// measures the request once done. It calls the error handler itself so the
// logged status is the one sent.
func (s *Server) observe(c fiber.Ctx) error {
	start := time.Now()
	id, _ := c.Locals(localRequestID).(string)
	log := s.Log.With(slog.String("request_id", id))
	c.Locals(localLog, log)
	if err := c.Next(); err != nil {
		// The error handler writes the response and logs the error once.
		if herr := c.App().Config().ErrorHandler(c, err); herr != nil {
			log.Error("error handler failed", slog.Any("error", herr))
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	s.logRequest(log, requestLine{
		method: c.Method(), path: c.Path(), route: routeLabel(c), ip: c.IP(),
		status: c.Response().StatusCode(), bytes: len(c.Response().Body()), elapsed: time.Since(start),
	})
	return nil
}

// requestLine is what the access log and the metrics record of an answer.
type requestLine struct {
	method, path, route, ip string
	status, bytes           int
	elapsed                 time.Duration
	reason                  string // why the parser refused it, if it did
}

// logRequest writes the access log line and counts the request. Answers to
// clients' mistakes log at info: they are not our errors.
func (s *Server) logRequest(log *slog.Logger, r requestLine) {
	s.metrics.observe(r.method, r.route, r.status, r.elapsed)
	attrs := []slog.Attr{
		slog.String("method", r.method),
		slog.String("ip", r.ip),
		slog.String("path", r.path),
		slog.String("route", r.route),
		slog.Int("status", r.status),
		slog.Duration("duration", r.elapsed),
		slog.Int("bytes", r.bytes),
	}
	if r.reason != "" {
		attrs = append(attrs, slog.String("reason", r.reason))
	}
	log.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
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

// deadline bounds the request's work: services and the database get a
// context that ends after TDC_REQUEST_TIMEOUT, so a locked table or a slow
// query costs a visitor a 503, not a connection held for as long as it lasts.
// Fiber's own context is never cancelled, so handlers pass c.Context().
func (s *Server) deadline(c fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.Config.RequestTimeout)
	defer cancel()
	c.SetContext(ctx)
	return c.Next()
}

// securityHeaders lists the headers every answer carries, pages and
// refusals alike. Style attributes are allowed (not <style> blocks):
// location themes arrive as custom properties in style="", and only
// validated #rrggbb values are put there.
func securityHeaders(https bool) [][2]string {
	h := [][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"X-Frame-Options", "SAMEORIGIN"},
		{"Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"},
	}
	if https {
		// Served over https: browsers should never try plain http again.
		h = append(h, [2]string{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"})
	}
	return h
}

func (s *Server) secure(c fiber.Ctx) error {
	for _, h := range s.security {
		c.Set(h[0], h[1])
	}
	return c.Next()
}

// canonicalPath sends a path spelled another way (upper case, a trailing
// or doubled slash) to its one spelling with a permanent redirect, so each
// page has one address and one cache entry. Every path of the site is
// lower case; slugs that differ in accents are redirected by their handlers.
func (s *Server) canonicalPath(c fiber.Ctx) error {
	p := c.Path()
	if clean := cleanPath(p); clean != p {
		c.Locals(localRoute, "redirect")
		return movedPermanently(c, clean)
	}
	return c.Next()
}

// cleanPath lower-cases p and cleans it as path.Clean does: repeated
// slashes collapsed, "." and ".." resolved, no trailing slash. A path that
// is not UTF-8 is left for the 404 page.
func cleanPath(p string) string {
	if !utf8.ValidString(p) {
		return p
	}
	return path.Clean("/" + strings.ToLower(p))
}

// movedPermanently redirects to path (decoded, starting with one slash),
// keeping the query string as sent.
func movedPermanently(c fiber.Ctx, path string) error {
	loc := (&url.URL{Path: path}).EscapedPath()
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		loc += "?" + string(q)
	}
	return c.Redirect().Status(fiber.StatusMovedPermanently).To(loc)
}

// negotiate picks the language and time zone for this request and stores an
// explicit choice (?lang=, ?tz=) in a cookie. Only offered languages and
// canonical zone names are ever kept: they key the page cache.
func (s *Server) negotiate(c fiber.Ctx) error {
	q := c.Query("lang")
	lang := s.Bundle.Negotiate(q, c.Cookies("lang"), c.Get(fiber.HeaderAcceptLanguage))
	if q != "" && strings.EqualFold(strings.TrimSpace(q), lang) {
		s.setPref(c, "lang", lang)
	}
	c.Locals(localLang, lang)

	ctx := c.Context()
	zone := s.clubZone(ctx)
	if args := c.Request().URI().QueryArgs(); args.Has("tz") {
		if z, valid := s.lookupZone(ctx, string(args.Peek("tz"))); valid {
			zone = z
			if z.Name() == s.zones.club.Name() {
				s.clearPref(c, "tz")
			} else {
				s.setPref(c, "tz", z.Name())
			}
		}
	} else if z, valid := s.lookupZone(ctx, c.Cookies("tz")); valid {
		zone = z
	}
	c.Locals(localZone, zone)
	return c.Next()
}

// feedLanguage picks a calendar feed's language from ?lang alone, so the
// same URL always gives the same feed, whoever fetches it.
func (s *Server) feedLanguage(c fiber.Ctx) error {
	lang := s.Bundle.Default()
	if q := strings.ToLower(c.Query("lang")); s.Bundle.Supported(q) {
		lang = q
	}
	c.Locals(localLang, lang)
	c.Locals(localZone, s.clubZone(c.Context()))
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
