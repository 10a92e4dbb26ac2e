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

type flagSeed struct {
	name    string
	enabled bool
}

var demoSettings = []settingSeed{
	{settings.ClubName, "The Dreamer's Cave"},
	{settings.ClubTagline, "Live music and DJ sets in Second Life, every night of the week."},
}

// demoFlags start with the integrations off: a demo has no credentials for
// them. The settings service stores a flag only when it differs from the
// code's default, as it does a setting.
var demoFlags = []flagSeed{
	{settings.FlagScreens, true},
	{settings.FlagPatreon, false},
	{settings.FlagGoogleCalendar, false},
	{settings.FlagFacebook, false},
}

// applySettings sets the demo's settings and flags through the settings
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

	flags, err := svc.Flags(ctx)
	if err != nil {
		return fmt.Errorf("seed: list feature flags: %w", err)
	}
	version = make(map[string]int, len(flags))
	for _, f := range flags {
		version[f.Name] = f.Version
	}
	for _, f := range demoFlags {
		if version[f.name] != 0 {
			continue
		}
		if _, err := svc.SetFlag(ctx, a, f.name, 0, f.enabled); err != nil {
			return fmt.Errorf("seed: set feature flag %s: %w", f.name, err)
		}
	}
	return nil
}
