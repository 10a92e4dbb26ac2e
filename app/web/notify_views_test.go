package web

import (
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/notify"
)

// addNotifySamples adds the unsubscribe page, the notification
// preferences and the admin's queue page to the sample data, with hostile
// text where a user's or a mail server's text goes.
func addNotifySamples(pages, fragments map[string]any, base Base, evil string) {
	pages["notify/unsubscribe"] = unsubscribePage{Base: base, Token: "1-reminder-" + evil, WhatID: "notify.unsubscribe.kind.reminder"}
	ab := adminBase{Base: base, Actor: actor.Actor{UserID: 1, Role: actor.RoleAdmin}, CSRF: "tok" + evil, Section: "notifications",
		Menu: []adminNav{{"notifications", "/admin/notifications", "notify.admin.nav"}}}
	pages["admin/notifications/index"] = notifyAdminPage{adminBase: ab, Retried: true,
		Statuses: []statusCount{{"pending", 3}, {"failed", 1}},
		Failed:   []notify.Failed{{ID: 4, Kind: "reminder", To: evil + "@example.org", Attempts: 8, Max: 8, LastError: "554 " + evil, CreatedAt: time.Now()}}}
	acct := pages["account/index"].(accountPage)
	acct.Notify = notify.Prefs{Reminders: true, LeadMinutes: 60, Posts: true}
	acct.NotifyLead = evil
	acct.Errors = map[string]string{"lead_minutes": evil}
	acct.Saved = "notify"
	fragments["account-notify"] = acct
}
