package web

import (
	"github.com/dreamerscave/tdc/app/actor"
)

// addSupporterSamples adds sample data for the supporters list, with
// hostile text where Patreon's members' names and tiers go.
func addSupporterSamples(pages, _ map[string]any, base Base, evil string) {
	ab := adminBase{
		Base: base, Actor: actor.Actor{UserID: 1, Role: actor.RoleAdmin}, CSRF: "tok" + evil, Section: "supporters",
		Menu: []adminNav{{"supporters", "/admin/supporters", "admin.nav.supporters"}},
	}
	list := adminList{
		ID: "admin-supporters", Path: "/admin/supporters", TitleID: "admin.supporters.title", Q: evil, Total: 1, EmptyID: "admin.supporters.empty",
		Columns: []listColumn{{LabelID: "admin.supporters.name"}, {LabelID: "admin.supporters.status"}},
		Rows:    []listRow{{Cells: []listCell{{Text: evil}, {Text: evil, Badge: "active"}, {Text: evil + "@example.org", Href: "/admin/users/3"}}}},
		Pager:   pager{Page: 1, Pages: 1, Target: "admin-supporters"},
	}
	pages["admin/supporters/index"] = supportersAdminPage{adminBase: ab, List: list}
}
