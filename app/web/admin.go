package web

import (
	"crypto/rand"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/events"
)

// adminRoute is one back-office route and the roles that may use it. Every
// /admin route is listed in adminRoutes, so the authorisation test can walk
// the table and no route escapes it.
type adminRoute struct {
	methods []string
	path    string
	roles   []actor.Role
	handler fiber.Handler
}

// Who may use what: the back office as a whole (artists see their own
// profile and sets), all content, and what only admins touch.
var (
	rolesOffice = []actor.Role{actor.RoleAdmin, actor.RoleEditor, actor.RoleArtist}
	rolesStaff  = []actor.Role{actor.RoleAdmin, actor.RoleEditor}
	rolesAdmin  = []actor.Role{actor.RoleAdmin}
)

var (
	methodsRead  = []string{fiber.MethodGet, fiber.MethodHead}
	methodsWrite = []string{fiber.MethodPost}
	// methodsSave are the methods an inline save may use: htmx sends PATCH,
	// a plain form without JavaScript can only POST.
	methodsSave = []string{fiber.MethodPatch, fiber.MethodPut, fiber.MethodPost}
)

// adminRoutes lists every route under /admin.
func (s *Server) adminRoutes() []adminRoute {
	routes := []adminRoute{
		{methodsRead, "/admin", rolesOffice, s.adminDashboard},
	}
	routes = append(routes, s.eventRoutes()...)
	routes = append(routes, s.mediaRoutes()...)
	routes = append(routes, s.officeRoutes()...)
	routes = append(routes, s.locationRoutes()...)
	routes = append(routes, s.artistRoutes()...)
	routes = append(routes, s.setRoutes()...)
	routes = append(routes, s.supporterRoutes()...)
	routes = append(routes, s.notifyRoutes()...)
	routes = append(routes, s.jobRoutes()...)
	routes = append(routes, s.integrationRoutes()...)
	for _, e := range s.inlineEntities() {
		routes = append(routes, s.inlineRoutes(e)...)
	}
	return routes
}

// registerAdmin adds the admin routes to r, each behind its role check.
func (s *Server) registerAdmin(r fiber.Router) {
	for _, rt := range s.adminRoutes() {
		r.Add(rt.methods, rt.path, s.requireRole(rt.roles...), s.noStore, rt.handler)
	}
}

// noStore keeps back-office answers out of every cache: they are per user
// and carry CSRF tokens.
func (s *Server) noStore(c fiber.Ctx) error {
	err := c.Next()
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return err
}

// adminNav is one entry of the back office's navigation.
type adminNav struct {
	Section, Path, LabelID string
}

// adminBase is what every back-office page's data embeds.
type adminBase struct {
	Base
	Actor   actor.Actor
	CSRF    string
	Section string
	Menu    []adminNav
	// Rev marks the entity's version on a live page (see follow), nil
	// on a page that does not follow one.
	Rev *adminRev
}

// adminBase builds the page data for section, titled by the message titleID.
func (s *Server) adminBase(c fiber.Ctx, section, title string) adminBase {
	a := s.actor(c)
	b := adminBase{
		Base:    s.base(c, "admin", localPath(c.Path()), url.Values{}, Meta{Title: title, NoIndex: true}),
		Actor:   a,
		CSRF:    s.csrfToken(c),
		Section: section,
	}
	for _, n := range []struct {
		adminNav
		roles []actor.Role
	}{
		{adminNav{"dashboard", "/admin", "admin.nav.dashboard"}, rolesOffice},
		{adminNav{"events", "/admin/events", "admin.nav.events"}, rolesStaff},
		{adminNav{"locations", "/admin/locations", "admin.nav.locations"}, rolesStaff},
		{adminNav{"artists", "/admin/artists", "admin.nav.artists"}, rolesOffice},
		{adminNav{"blog", "/admin/blog", "admin.nav.blog"}, rolesStaff},
		{adminNav{"media", "/admin/media", "admin.nav.media"}, rolesOffice},
		{adminNav{"users", "/admin/users", "admin.nav.users"}, rolesAdmin},
		{adminNav{"supporters", "/admin/supporters", "admin.nav.supporters"}, rolesAdmin},
		{adminNav{"settings", "/admin/settings", "admin.nav.settings"}, rolesAdmin},
		{adminNav{"notifications", "/admin/notifications", "notify.admin.nav"}, rolesAdmin},
		{adminNav{"jobs", "/admin/jobs", "admin.nav.jobs"}, rolesAdmin},
		{adminNav{"integrations", "/admin/integrations", "admin.nav.integrations"}, rolesAdmin},
	} {
		if slices.Contains(n.roles, a.Role) {
			b.Menu = append(b.Menu, n.adminNav)
		}
	}
	return b
}

// adminPage sends a back-office page, or its fragment for an htmx partial
// request. It is never cached.
func (s *Server) adminPage(c fiber.Ctx, status int, page, fragment string, data any) error {
	body, err := s.render(c, page, fragment, data)
	if err != nil {
		return err
	}
	pageHeaders(c)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Status(status).Send(body)
}

// dashboardPage is the data of the back office's front page. Staff see the
// programme and the site's recent changes; an artist sees their own.
type dashboardPage struct {
	adminBase
	Events events.Dashboard
	Posts  dashboardPostsPanel
	Recent []audit.Logged
}

func (s *Server) adminDashboard(c fiber.Ctx) error {
	ctx, lang, a := c.Context(), langOf(c), s.actor(c)
	if !a.IsStaff() && a.ArtistID != 0 {
		// An artist's back office is their own page: profile and sets.
		return s.redirectTo(c, artistPath(a.ArtistID))
	}
	data := dashboardPage{
		adminBase: s.adminBase(c, "dashboard", s.Bundle.T(lang, "admin.dashboard.title", nil)),
	}
	if a.IsStaff() {
		// "Today" is the club's day: the programme is planned in club time.
		d, err := s.Events.Dashboard(ctx, lang, s.Now().In(s.zones.club.Location()))
		if err != nil {
			return err
		}
		recent, err := s.Audit.Recent(ctx, 20)
		if err != nil {
			return err
		}
		posts, err := s.dashboardPosts(c)
		if err != nil {
			return err
		}
		data.Events, data.Posts, data.Recent = d, posts, recent
	}
	return s.adminPage(c, fiber.StatusOK, "admin/dashboard", "", data)
}

// RouteAccess is one back-office route and the roles that may use it.
type RouteAccess struct {
	Methods []string
	Path    string
	Roles   []actor.Role
}

// AdminAccess lists every back-office route with its roles, for the
// authorisation test that walks them all.
func (s *Server) AdminAccess() []RouteAccess {
	routes := s.adminRoutes()
	out := make([]RouteAccess, len(routes))
	for i, r := range routes {
		out[i] = RouteAccess{Methods: r.methods, Path: r.path, Roles: r.roles}
	}
	return out
}

// newCreateKey is the one-time key a create form carries, so submitting it
// twice makes one row.
func newCreateKey() string {
	return rand.Text()
}
