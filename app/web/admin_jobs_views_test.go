package web

import (
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/jobs"
)

// addJobsSamples adds the jobs page and panel: a job never run, one that
// failed with hostile text in its error, one running.
func addJobsSamples(pages, fragments map[string]any, base Base, evil string) {
	ab := adminBase{
		Base: base, Actor: actor.Actor{UserID: 1, Role: actor.RoleAdmin}, CSRF: "tok" + evil, Section: "jobs",
		Menu: []adminNav{{"dashboard", "/admin", "admin.nav.dashboard"}, {"jobs", "/admin/jobs", "admin.nav.jobs"}},
	}
	when := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)
	panel := jobsPanel{CSRF: "tok" + evil, Failed: true,
		Notice: &apperr.Message{ID: "admin.jobs.running", Args: map[string]any{"Job": evil}},
		Jobs: []jobs.Status{
			{Name: "cleanup", Every: time.Hour},
			{Name: "now-playing-poll", Every: 15 * time.Second, LastStart: when, LastDuration: 1500 * time.Millisecond,
				LastResult: jobs.ResultFailed, LastTrigger: jobs.TriggerManual, LastError: evil, LastErrorAt: when,
				NextRun: when.Add(15 * time.Second)},
			{Name: "slow", Every: time.Hour, RunningSince: when, LastStart: when.Add(-time.Hour), LastResult: jobs.ResultSkipped,
				LastTrigger: jobs.TriggerSchedule, LastSuccess: when.Add(-2 * time.Hour)},
		},
	}
	pages["admin/jobs/index"] = jobsAdminPage{adminBase: ab, Panel: panel}
	fragments["admin-jobs"] = map[string]any{"Panel": panel, "Zone": base.Zone}
}
