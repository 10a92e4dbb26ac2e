package web

import (
	"time"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/nowplaying"
)

// addScreenSamples adds the venue screen's page and fragments, with
// hostile text in every string they show.
func addScreenSamples(pages, fragments map[string]any, base Base, evil string) {
	now := base.Now
	info := locations.ScreenInfo{Panels: locations.Panels(), Announcements: []string{evil, "Two"}}
	ev := events.Summary{ID: 1, Slug: "ev", Title: i18n.Text{Value: evil}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour),
		Lineup: []events.Act{{ArtistSlug: "a", ArtistName: evil, SetStartsAt: now}}}
	later := ev
	later.StartsAt, later.EndsAt = now.Add(2*time.Hour), now.Add(3*time.Hour)
	qr, err := qrSVG("https://club.example/events/" + evil)
	if err != nil {
		panic(err)
	}
	v := screenView{
		Slug: "main-cave", Info: info, Layout: "split", RotateSeconds: 20, Zone: base.Zone, Now: now,
		Track:  nowPlayingView{Slug: "main-cave", Zone: base.Zone, Track: &nowplaying.Track{Artist: evil, Title: evil, DJ: evil, StartedAt: now}},
		Events: []screenEvent{{Summary: ev, QR: qr, State: "current", Progress: 500}, {Summary: later, State: "next"}},
		Soon:   2, OOB: true,
	}
	page := screenPage{Base: base, Screen: v, Name: i18n.Text{Value: evil}, Bg: "/media/x.jpg"}
	page.Socket = liveURL("location:main-cave:screen")
	page.Screen.OOB = false
	pages["screens/show"] = page
	fragments["screen"] = nil // the layout, rendered through the page
	for _, f := range []string{"screen-now-playing", "screen-current", "screen-next", "screen-announcements"} {
		fragments[f] = v
	}
}
