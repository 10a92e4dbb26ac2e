package web

import (
	"context"
	"io"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
)

// RequireRole lets the external tests put requireRole in front of routes
// of their own: the site has no admin-only route yet.
func (s *Server) RequireRole(roles ...actor.Role) fiber.Handler { return s.requireRole(roles...) }

// Actor exposes actor to the external tests.
func (s *Server) Actor(c fiber.Ctx) actor.Actor { return s.actor(c) }

// ProgrammeFragment builds the programme's default view for lang in the
// club's zone, as the page and the hub do, and returns a function that
// renders it (only that is measured) and how many events it lists.
func (s *Server) ProgrammeFragment(ctx context.Context, lang string) (func(w io.Writer) error, int, error) {
	v, err := s.defaultProgramme(ctx, lang, s.zones.club)
	if err != nil {
		return nil, 0, err
	}
	return func(w io.Writer) error { return s.Views.Fragment(w, lang, "live-programme", v) }, len(v.Page.Events), nil
}
