package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v3"
)

// healthz says the process is alive; it touches nothing else, so a slow
// database never gets a healthy instance restarted.
func (s *Server) healthz(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok")
}

// readyz says whether this instance can serve: MySQL and Redis answer.
func (s *Server) readyz(c fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c, 2*time.Second)
	defer cancel()
	c.Set(fiber.HeaderCacheControl, "no-store")
	status := fiber.StatusOK
	body := "ok"
	if err := s.DB.PingContext(ctx); err != nil {
		status, body = fiber.StatusServiceUnavailable, "database unavailable"
		s.logger(c).Warn("readyz: database", "error", err)
	} else if err := s.Redis.Ping(ctx).Err(); err != nil {
		status, body = fiber.StatusServiceUnavailable, "redis unavailable"
		s.logger(c).Warn("readyz: redis", "error", err)
	}
	return c.Status(status).SendString(body)
}

func (s *Server) favicon(c fiber.Ctx) error {
	return c.Redirect().Status(fiber.StatusMovedPermanently).To(s.Assets.Path("img/favicon.svg"))
}

func (s *Server) robots(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString("User-agent: *\nDisallow: /admin/\nDisallow: /api/\n\nSitemap: " + s.absolute("/sitemap.xml") + "\n")
}
