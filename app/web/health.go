package web

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/health"
)

// healthz says the process is alive; it touches nothing else, so a slow
// database never gets a healthy instance restarted.
func (s *Server) healthz(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok")
}

// readyz says whether this instance can serve: MySQL and Redis answer.
func (s *Server) readyz(c fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.Context(), 2*time.Second)
	defer cancel()
	c.Set(fiber.HeaderCacheControl, "no-store")
	err := s.Health.Ready(ctx)
	switch {
	case err == nil:
		return c.SendString("ok")
	case errors.Is(err, health.ErrDatabase):
		s.logger(c).Warn("readyz: database", slog.Any("error", err))
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	default:
		s.logger(c).Warn("readyz: redis", slog.Any("error", err))
		return c.Status(fiber.StatusServiceUnavailable).SendString("redis unavailable")
	}
}

func (s *Server) favicon(c fiber.Ctx) error {
	return c.Redirect().Status(fiber.StatusMovedPermanently).To(s.Assets.Path("img/favicon.svg"))
}

func (s *Server) robots(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString("User-agent: *\nDisallow: /admin/\nDisallow: /api/\n\nSitemap: " + s.absolute("/sitemap.xml") + "\n")
}
