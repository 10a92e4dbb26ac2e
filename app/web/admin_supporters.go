package web

import (
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/patreon"
)

// Supporters in the back office, for admins only: the Patreon members the
// webhook reported, supporters first, with the user each is linked to.
// The list only reads; Patreon is where memberships change.

// supporterRoutes are the back office's supporter routes.
func (s *Server) supporterRoutes() []adminRoute {
	return []adminRoute{{methodsRead, "/admin/supporters", rolesAdmin, s.adminSupporters}}
}

func supporterListSpec() listSpec {
	return listSpec{
		sorts: []string{""},
		filters: []listFilterSpec{{name: "supporter", labelID: "admin.supporters.filter", options: []fieldOption{
			{Value: "", LabelID: "admin.list.any"},
			{Value: "yes", LabelID: "admin.supporters.filter.yes"},
			{Value: "no", LabelID: "admin.supporters.filter.no"},
		}}},
	}
}

type supportersAdminPage struct {
	adminBase
	List adminList
}

func (s *Server) adminSupporters(c fiber.Ctx) error {
	spec := supporterListSpec()
	q := parseList(c, spec)
	lang, z := langOf(c), zoneOf(c)
	f := patreon.Filter{Q: q.Q, Page: q.Page, PerPage: usersPerPage}
	if v := q.Filters["supporter"]; v != "" {
		yes := v == "yes"
		f.Supporter = &yes
	}
	page, err := s.Patreon.List(c.Context(), f)
	if err != nil {
		return err
	}
	if page.Page > page.Pages {
		f.Page = page.Pages
		if page, err = s.Patreon.List(c.Context(), f); err != nil {
			return err
		}
	}
	q.Page = page.Page
	l := newAdminList("admin-supporters", "/admin/supporters", "admin.supporters.title", spec, q, page.Total, page.PerPage, [][2]string{
		{"admin.supporters.name", ""},
		{"admin.supporters.email", ""},
		{"admin.supporters.status", ""},
		{"admin.supporters.tier", ""},
		{"admin.supporters.amount", ""},
		{"admin.supporters.user", ""},
		{"admin.supporters.last_event", ""},
		{"admin.supporters.supporter", ""},
	})
	l.EmptyID = "admin.supporters.empty"
	for _, m := range page.Members {
		status, badge := memberBadge(m)
		user := listCell{Text: s.Bundle.T(lang, "admin.supporters.unlinked", nil)}
		if m.UserID != 0 {
			user = listCell{Text: m.UserEmail, Href: userPath(m.UserID)}
		}
		last := m.LastEvent
		if !m.LastEventAt.IsZero() {
			last = s.Bundle.T(lang, "admin.supporters.event_at", map[string]any{"Event": m.LastEvent, "When": s.Bundle.When(lang, m.LastEventAt, z)})
		}
		yes := "admin.supporters.no"
		if m.Supporter {
			yes = "admin.supporters.yes"
		}
		l.Rows = append(l.Rows, listRow{Cells: []listCell{
			{Text: m.Name},
			{Text: m.Email},
			{Text: s.Bundle.T(lang, status, nil), Badge: badge},
			{Text: m.Tiers},
			{Text: s.Bundle.T(lang, "admin.supporters.cents", map[string]any{"Now": money(m.EntitledCents), "Next": money(m.WillPayCents)})},
			user,
			{Text: last},
			{Text: s.Bundle.T(lang, yes, nil)},
		}})
	}
	data := supportersAdminPage{adminBase: s.adminBase(c, "supporters", s.Bundle.T(lang, "admin.supporters.title", nil)), List: l}
	return s.listPage(c, "admin/supporters/index", data, l)
}

// memberBadge names a member's state and its badge.
func memberBadge(m patreon.Member) (msgID, badge string) {
	switch {
	case m.Former || m.Status == "former_patron":
		return "admin.supporters.status.former", "off"
	case m.Status == "declined_patron":
		return "admin.supporters.status.declined", "disabled"
	case m.Status == "active_patron":
		return "admin.supporters.status.active", "active"
	}
	return "admin.supporters.status.none", "unverified"
}

// money shows cents in the campaign's currency units, as Patreon counts.
func money(cents int) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }
