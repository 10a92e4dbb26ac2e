package seed

import (
	"context"
	"fmt"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/settings"
)

type settingSeed struct {
	name, value string
}

var demoSettings = []settingSeed{
	{settings.ClubName, "The Dreamer's Cave"},
	{settings.ClubTagline, "Live music and DJ sets in Second Life, every night of the week."},
}

// applySettings sets the demo's settings through the settings
// service. One that an admin already stored keeps its value: settings are
// not content, so a database without content may have them.
func applySettings(ctx context.Context, svc *settings.Service, a actor.Actor) error {
	entries, err := svc.List(ctx)
	if err != nil {
		return fmt.Errorf("seed: list settings: %w", err)
	}
	version := make(map[string]int, len(entries))
	for _, e := range entries {
		version[e.Name] = e.Version
	}
	for _, s := range demoSettings {
		if version[s.name] != 0 {
			continue
		}
		if _, err := svc.Set(ctx, a, s.name, 0, s.value); err != nil {
			return fmt.Errorf("seed: set %s: %w", s.name, err)
		}
	}
	return nil
}
