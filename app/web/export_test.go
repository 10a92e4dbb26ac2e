package web

import (
	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
)

// RequireRole lets the external tests put requireRole in front of routes
// of their own: the site has no admin-only route yet.
func (s *Server) RequireRole(roles ...actor.Role) fiber.Handler { return s.requireRole(roles...) }

// Actor exposes actor to the external tests.
func (s *Server) Actor(c fiber.Ctx) actor.Actor { return s.actor(c) }
