package web

import (
	"bytes"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/calendar"
	"github.com/dreamerscave/tdc/app/events"
)

// sendCalendar writes an iCalendar body. Feeds are fetched by calendar
// clients every hour or so; a short public cache spares the database, and
// is safe because a feed depends on its URL alone (see feedLanguage).
// disposition is "inline" for feeds and "attachment" for a download.
func (s *Server) sendCalendar(c fiber.Ctx, name, disposition, filename string, evs []events.Summary) error {
	var buf bytes.Buffer
	if err := calendar.Write(&buf, calendar.Feed{Name: name, BaseURL: s.Config.BaseURL, Lang: langOf(c)}, evs); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, disposition+`; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(buf.Bytes())
}

func (s *Server) clubCalendar(c fiber.Ctx) error {
	evs, err := s.Events.Calendar(c, langOf(c), "", "")
	if err != nil {
		return err
	}
	return s.sendCalendar(c, s.Bundle.T(langOf(c), "site.name", nil), "inline", "dreamers-cave.ics", evs)
}

func (s *Server) locationCalendar(c fiber.Ctx) error {
	loc, err := s.Locations.Get(c, langOf(c), c.Params("slug"))
	if err != nil {
		return err
	}
	evs, err := s.Events.Calendar(c, langOf(c), loc.Slug, "")
	if err != nil {
		return err
	}
	name := s.Bundle.T(langOf(c), "calendar.feed.location", map[string]any{"Location": loc.Name})
	return s.sendCalendar(c, name, "inline", loc.Slug+".ics", evs)
}

func (s *Server) artistCalendar(c fiber.Ctx) error {
	a, err := s.Artists.Get(c, langOf(c), c.Params("slug"))
	if err != nil {
		return err
	}
	evs, err := s.Events.Calendar(c, langOf(c), "", a.Slug)
	if err != nil {
		return err
	}
	name := s.Bundle.T(langOf(c), "calendar.feed.artist", map[string]any{"Artist": a.Name})
	return s.sendCalendar(c, name, "inline", a.Slug+".ics", evs)
}

func (s *Server) eventCalendar(c fiber.Ctx) error {
	ev, err := s.Events.Get(c, langOf(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return s.sendCalendar(c, ev.Title, "attachment", ev.Slug+".ics", []events.Summary{ev.Summary})
}
