package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/syncstate"
)

// The integrations page: for Google Calendar and Facebook, whether each is
// configured, how many events wait, are done or failed, the latest errors
// with their events, a retry button per failed event and, for the
// calendar, a full resync. Admins only: it shows configuration trouble.

const integrationsPath = "/admin/integrations"

// integration is what the page needs of a sync service.
type integration interface {
	Configured() bool
	Overview(ctx context.Context) (syncstate.Overview, error)
	Retry(ctx context.Context, a actor.Actor, eventID int64) error
}

func (s *Server) integrationRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, integrationsPath, rolesAdmin, s.adminIntegrations},
		{methodsWrite, integrationsPath + "/:integration/retry", rolesAdmin, s.adminIntegrationRetry},
		{methodsWrite, integrationsPath + "/gcal/resync", rolesAdmin, s.adminGcalResync},
	}
}

// integrationPanel is one integration on the page.
type integrationPanel struct {
	Key        string // gcal or facebook, as in the URLs
	TitleID    string
	HelpID     string // how to configure it
	Configured bool
	Problem    string // why a configured integration cannot work
	Overview   syncstate.Overview
	CanResync  bool
}

type integrationsPage struct {
	adminBase
	Panels []integrationPanel
	Zone   i18n.Zone
	// Queued is how many events a resync just queued, -1 when none ran.
	Queued int
}

// integrationByKey returns the service an URL names, or ErrNotFound.
func (s *Server) integrationByKey(key string) (integration, error) {
	switch key {
	case "gcal":
		return s.GCal, nil
	case "facebook":
		return s.Facebook, nil
	}
	return nil, apperr.ErrNotFound
}

func (s *Server) adminIntegrations(c fiber.Ctx) error {
	ctx, lang := c.Context(), langOf(c)
	p := integrationsPage{
		adminBase: s.adminBase(c, "integrations", s.Bundle.T(lang, "admin.integrations.title", nil)),
		Zone:      zoneOf(c), Queued: -1,
	}
	if n, err := strconv.Atoi(c.Query("queued")); err == nil && n >= 0 {
		p.Queued = n
	}
	fbProblem := ""
	if err := s.Facebook.Problem(ctx); err != nil {
		fbProblem = err.Error()
	}
	gcalProblem := ""
	if err := s.GCal.Problem(); err != nil {
		gcalProblem = err.Error()
	}
	for _, it := range []struct {
		key     string
		svc     integration
		problem string
	}{{"gcal", s.GCal, gcalProblem}, {"facebook", s.Facebook, fbProblem}} {
		panel := integrationPanel{
			Key: it.key, TitleID: "admin.integrations." + it.key, HelpID: "admin.integrations." + it.key + ".help",
			Configured: it.svc.Configured(), Problem: it.problem,
			CanResync: it.key == "gcal" && it.svc.Configured() && it.problem == "",
		}
		o, err := it.svc.Overview(ctx)
		if err != nil {
			return err
		}
		panel.Overview = o
		p.Panels = append(p.Panels, panel)
	}
	return s.adminPage(c, fiber.StatusOK, "admin/integrations/index", "", p)
}

// adminIntegrationRetry queues a failed event again.
func (s *Server) adminIntegrationRetry(c fiber.Ctx) error {
	svc, err := s.integrationByKey(c.Params("integration"))
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.FormValue("event_id"), 10, 64)
	if err != nil || id <= 0 {
		return badRequest("admin.integrations.error.event_id", nil)
	}
	if err := svc.Retry(c.Context(), s.actor(c), id); err != nil {
		return err
	}
	return s.redirectTo(c, integrationsPath)
}

// adminGcalResync queues every event for the gcal-sync job, which
// compares nothing but rewrites each (idempotently); `tdc sync gcal`
// is the comparing, reporting resync.
func (s *Server) adminGcalResync(c fiber.Ctx) error {
	n, err := s.GCal.QueueAll(c.Context(), s.actor(c))
	if err != nil {
		return err
	}
	return s.redirectTo(c, integrationsPath+"?queued="+strconv.Itoa(n))
}
