package web

import (
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/syncstate"
)

// addIntegrationSamples adds the integrations page: one integration off,
// one on with a problem and rows in every state, hostile text in errors.
func addIntegrationSamples(pages map[string]any, base Base, evil string) {
	ab := adminBase{
		Base: base, Actor: actor.Actor{UserID: 1, Role: actor.RoleAdmin}, CSRF: "tok" + evil, Section: "integrations",
		Menu: []adminNav{{"integrations", "/admin/integrations", "admin.nav.integrations"}},
	}
	o := syncstate.Overview{Pending: 2, Synced: 40, Failed: 1, Problems: []syncstate.Problem{
		{EventID: 7, Slug: "night", Title: "Night " + evil, Status: db.SyncStateStatusFailed, Attempts: 3, Error: evil},
		{EventID: 8, Status: db.SyncStateStatusPending, Attempts: 1, Error: evil, NextAttempt: base.Now},
	}}
	pages["admin/integrations/index"] = integrationsPage{adminBase: ab, Zone: base.Zone, Queued: 3, Panels: []integrationPanel{
		{Key: "gcal", TitleID: "admin.integrations.gcal", HelpID: "admin.integrations.gcal.help", Configured: true, CanResync: true, Overview: o},
		{Key: "facebook", TitleID: "admin.integrations.facebook", HelpID: "admin.integrations.facebook.help", Configured: true, Problem: evil, Overview: o},
		{Key: "facebook", TitleID: "admin.integrations.facebook", HelpID: "admin.integrations.facebook.help"},
	}}
}
