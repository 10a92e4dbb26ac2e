package web

import (
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

// addAdminSamples adds the back office's pages and fragments to the sample
// data every template is rendered with, hostile text wherever an editor
// types.
func addAdminSamples(pages, fragments map[string]any, base Base, evil string) {
	ab := adminBase{
		Base: base, Actor: actor.Actor{UserID: 1, Role: actor.RoleEditor}, CSRF: "tok" + evil, Section: "events",
		Menu: []adminNav{{"dashboard", "/admin", "admin.nav.dashboard"}, {"events", "/admin/events", "admin.nav.events"}},
	}
	msg := &apperr.Message{ID: "error.event.ends_before_start"}
	f := field{Entity: "events", ID: 7, Name: "title.en", LabelID: "admin.event.title", Lang: "en", Input: inputText,
		Value: evil, MaxLen: 200, Required: true, Version: 3, CSRF: evil, Page: "/admin/events/7", Error: msg}
	conflict := f
	conflict.Error, conflict.Conflict, conflict.Theirs, conflict.TheirsValue = nil, true, "Theirs "+evil, evil
	sel := field{Entity: "events", ID: 7, Name: "kind", LabelID: "admin.event.kind", Input: inputSelect, Value: "talk",
		Options: kindOptions(false), Version: 3}
	area := field{Entity: "events", ID: 7, Name: "description.de", LabelID: "admin.event.description", Lang: "de", Input: inputTextarea, Value: evil}
	check := field{Entity: "events", ID: 7, Name: "allow_overlap", LabelID: "admin.event.allow_overlap", Input: inputCheckbox, Value: "true", ReadOnly: true}
	when := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)
	history := entityHistory{Kind: audit.KindEvent, ID: 7, Zone: base.Zone, Entries: []audit.Logged{
		{ID: 1, At: when, UserEmail: evil, Action: "update", Kind: audit.KindEvent, EntityID: 7, Summary: evil,
			Changes: []audit.Change{{Field: "title.en", Old: evil, New: ""}}},
		{ID: 2, At: when, Action: "create", Kind: audit.KindEvent, EntityID: 7},
	}}
	summary := events.AdminSummary{ID: 7, Slug: "ev", Kind: events.KindTalk, Title: i18n.Text{Value: evil, Fallback: true},
		LocationName: i18n.Text{Value: evil}, StartsAt: when, EndsAt: when.Add(time.Hour), Cancelled: true}
	list := adminList{ID: "admin-events", Path: "/admin/events", TitleID: "admin.events.title", Q: evil, Total: 1, EmptyID: "admin.list.empty",
		Filters: []listFilter{{Name: "status", LabelID: "admin.event.status", Value: "draft", Options: statusOptions()}},
		Columns: []listColumn{{LabelID: "admin.event.title", SortURL: "/admin/events?sort=title", Sorted: "ascending"}, {LabelID: "admin.event.kind"}},
		Rows:    []listRow{{Cells: []listCell{{Text: evil, Href: "/admin/events/7"}, {Text: evil, Badge: "draft"}}}},
		Pager:   pager{Page: 1, Pages: 2, NextURL: "/admin/events?page=2", Target: "admin-events"}, NewURL: "/admin/events/new", NewLabel: evil}
	status := eventStatus{ID: 7, Published: true, StatusID: "admin.event.status.published", Badge: "published", CSRF: evil, PublicURL: "/events/ev", Error: msg}
	lineup := lineupForm{EventID: 7, Version: 3, CSRF: evil, Artists: []fieldOption{{Value: "1", Label: evil}},
		Rows:   []lineupRow{{Index: 0, ArtistID: "1", SetStart: "2026-12-04T20:00", Invalid: true}, {Index: 1}},
		Errors: map[string]apperr.Message{"lineup": {ID: "admin.lineup.conflict"}, "lineup.0": {ID: "error.event.set_outside"}}}
	event := eventAdminPage{adminBase: ab, Title: evil, General: []field{sel, check}, Status: status, Lineup: lineup, History: history,
		Langs: []langFields{{Lang: "en", NameID: "language.name", Fields: []field{f, conflict}}, {Lang: "de", NameID: "language.name", Fields: []field{area}}}}
	newForm := eventNewForm{adminBase: ab, Kind: "talk", Location: "1", StartsAt: evil, Texts: map[string]events.Text{"en": {Title: evil}},
		Langs: []string{"en", "de"}, Kinds: kindOptions(false), Locations: []fieldOption{{Value: "1", Label: evil}}, CreateKey: evil,
		Errors: map[string]apperr.Message{"starts_at": *msg, "title.en": *msg}, Other: []apperr.Message{*msg}}

	pages["admin/dashboard"] = dashboardPage{adminBase: ab, Recent: history.Entries,
		Events: events.Dashboard{Today: []events.AdminSummary{summary}, Week: []events.AdminSummary{summary}, Drafts: 2}}
	pages["admin/field"] = fieldPage{adminBase: ab, Entity: evil, EntityPage: "/admin/events/7", Field: conflict}
	pages["admin/events/index"] = adminListPage{adminBase: ab, List: list}
	pages["admin/events/show"] = event
	pages["admin/events/new"] = newForm
	fragments["admin"] = ab // the layout
	fragments["admin-field"] = f
	fragments["admin-field-edit"] = conflict
	fragments["admin-history"] = history
	fragments["admin-list"] = list
	fragments["admin-event"] = event
	fragments["admin-event-status"] = status
	fragments["admin-lineup"] = lineup
	fragments["admin-event-new"] = newForm
	fragments["admin-dashboard-events"] = map[string]any{"Events": []events.AdminSummary{summary}, "Zone": base.Zone, "Empty": "admin.dashboard.week_none"}
}
