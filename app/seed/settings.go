package seed

import (
	"context"
	"fmt"

	"github.com/dreamerscave/tdc/app/db"
)

type settingSeed struct {
	name, value string
}

type flagSeed struct {
	name        string
	enabled     bool
	description string
}

var settings = []settingSeed{
	{"club.name", "The Dreamer's Cave"},
	{"club.tagline", "Live music and DJ sets in Second Life, every night of the week."},
}

// flags start with the integrations off: a demo has no credentials for them.
var flags = []flagSeed{
	{"screens.enabled", true, "Venue screens at /screens/{location} show the schedule and now playing."},
	{"patreon.enabled", false, "Accept Patreon webhooks and show supporter perks."},
	{"google_calendar.enabled", false, "Sync published events to the club's Google Calendar."},
	{"facebook.enabled", false, "Sync published events to the club's Facebook page."},
}

func insertSettings(ctx context.Context, q *db.Queries) error {
	for _, s := range settings {
		if err := q.SettingUpsert(ctx, db.SettingUpsertParams{Name: s.name, Value: s.value}); err != nil {
			return fmt.Errorf("seed: insert setting %s: %w", s.name, err)
		}
	}
	for _, f := range flags {
		err := q.FeatureFlagUpsert(ctx, db.FeatureFlagUpsertParams{Name: f.name, Enabled: f.enabled, Description: f.description})
		if err != nil {
			return fmt.Errorf("seed: insert feature flag %s: %w", f.name, err)
		}
	}
	return nil
}
