package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/media"
	"github.com/dreamerscave/tdc/app/nowplaying"
	"github.com/dreamerscave/tdc/app/render"
	"github.com/dreamerscave/tdc/app/static"
	"github.com/dreamerscave/tdc/assets"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views"
)

// sample builds data for every page, with hostile strings where visitors'
// or editors' text would be, to show the templates escape it.
func sample(t *testing.T) (map[string]any, map[string]any) {
	t.Helper()
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	zone := i18n.Zone{Loc: la, Label: "SLT"}
	now := time.Date(2026, 12, 5, 5, 30, 0, 0, time.UTC)
	evil := `<script>alert("x")</script>`
	base := Base{
		Lang: "en", Zone: zone, Now: now, Nav: "events",
		Meta:        Meta{Title: "Title " + evil, Description: evil, Canonical: "http://localhost:8080/events", Image: "http://localhost:8080/og.png"},
		LangLinks:   []langLink{{Code: "en", Name: "English", URL: "/?lang=en", Absolute: "http://localhost:8080/?lang=en", Active: true}, {Code: "de", Name: "Deutsch", URL: "/?lang=de"}},
		ZoneChoices: []zoneChoice{{Value: "America/Los_Angeles", Label: "SLT", Selected: true}},
		Path:        "/events", KeepQuery: []queryParam{{Name: "location", Value: evil}},
	}
	theme := locations.Theme{Background: "#101010", Surface: "#202020", Text: "#ffffff", Accent: "#ff00ff"}
	// Half the text fell back to the default language, as untranslated
	// content does, so the views mark it; the rest is the visitor's own.
	fb := func(s string) i18n.Text { return i18n.Text{Value: s, Fallback: true} }
	own := func(s string) i18n.Text { return i18n.Text{Value: s} }
	// One picture shown everywhere pictures go, with hostile alt text.
	sha := strings.Repeat("ab", 32)
	img := &media.Image{ID: 9, Src: "/media/" + sha + ".jpg", SrcSet: "/media/" + sha + ".jpg 480w, /media/" + sha + ".jpg 960w",
		Width: 960, Height: 540, Alt: fb("Alt " + evil), Thumb: "/media/" + sha + ".png", ThumbWidth: 320, ThumbHeight: 320}
	loc := locations.Location{Background: img, Slug: "main-cave", Name: own("Main " + evil), Tagline: fb(evil), Description: fb(evil), Theme: theme, TeleportURL: "secondlife://Dreamers%20Cave/128/128/25", ListenURL: "http://127.0.0.1:8000/x.mp3"}
	act := events.Act{ArtistSlug: "a", ArtistName: "DJ " + evil, Genre: fb(evil), SetStartsAt: now, SetEndsAt: now.Add(time.Hour)}
	sum := events.Summary{Cover: img, ID: 1, Slug: "ev", Kind: events.KindDJSet, Title: own("Night " + evil), Summary: fb(evil), StartsAt: now.Add(-time.Hour), EndsAt: now.Add(2 * time.Hour),
		Location: events.Location{Slug: "main-cave", Name: fb("Main"), Accent: "#b18cff"}, Lineup: []events.Act{act}}
	ev := events.Event{Summary: sum, Description: fb(evil), Published: true, TeleportURL: "secondlife://Dreamers%20Cave/128/128/25"}
	track := &nowplaying.Track{LocationSlug: "main-cave", Artist: evil, Title: evil, DJ: evil, StartedAt: now}
	playing := nowPlayingView{Slug: "main-cave", Track: track, Zone: zone}
	card := locationCard{L: loc, Playing: playing}
	grid := eventGrid{Events: []events.Summary{sum}, Zone: zone, Now: now}
	compact := eventGrid{Events: []events.Summary{sum}, Zone: zone, Now: now, Compact: true}
	post := blog.Summary{Cover: img, ID: 2, Slug: "p", Title: fb("Post " + evil), Summary: own(evil), Author: evil, PublishedAt: now, Categories: []blog.Category{{Slug: "news", Name: fb(evil)}}}
	pg := pager{Page: 2, Pages: 3, PrevURL: "/events", NextURL: "/events?page=3", Target: "event-list"}
	day := dayGroup{Key: "2026-12-04", Date: now, Grid: grid}
	list := programmeView{Page: events.Page{Events: []events.Summary{sum}, Total: 1, Page: 2, Pages: 3}, Days: []dayGroup{day}, Pager: pg, Filtered: true}
	evLive := eventLive{Event: sum, Zone: zone, OtherZone: &i18n.Zone{Loc: time.UTC}, Now: now}
	cat := blog.Category{Slug: "news", Name: own(evil), Description: fb(evil)}

	pages := map[string]any{
		"home":            homePage{Base: base, HappeningNow: eventsBlock{Grid: grid}, Next: eventsBlock{Grid: grid, OOB: true}, Locations: []locationCard{card}, Posts: []blog.Summary{post}},
		"events/index":    eventsPage{Base: base, Filter: eventFilter{Location: evil, From: evil}, Errors: map[string]string{"from": evil}, List: list, Locations: []locations.Location{loc}, Artists: []artists.Summary{{Slug: "a", Name: evil, Genre: own(evil)}}, Kinds: events.Kinds()},
		"events/show":     eventPage{Base: base, Event: ev, Live: evLive, Paragraphs: []string{evil}, GoogleCalendarURL: "https://calendar.example/x"},
		"locations/index": locationsPage{Base: base, Locations: []locationCard{card, {L: loc}}},
		"locations/show":  locationPage{Base: base, Location: card, Paragraphs: []string{evil}, Schedule: scheduleView{Days: []dayGroup{day}}, Past: compact, Recent: recentView{Slug: "main-cave", Tracks: []nowplaying.Track{*track, {Title: evil, StartedAt: now}}, Zone: zone}},
		"artists/index":   artistsPage{Base: base, Artists: []artists.Summary{{Slug: "a", Name: "Ünder " + evil, Genre: fb(evil)}}},
		"artists/show":    artistPage{Base: base, Artist: artists.Artist{Summary: artists.Summary{Slug: "a", Name: evil, Genre: own(evil)}, Bio: fb(evil), Links: []artists.Link{{Kind: "website", URL: "https://example.org"}}}, Paragraphs: []string{evil}, Upcoming: upcomingView{Grid: grid}, Past: compact},
		"blog/index":      blogPage{Base: base, Category: &cat, Categories: []blog.Category{cat}, Page: blog.Page{Posts: []blog.Summary{post}, Page: 1, Pages: 2}, Pager: pg},
		"blog/show":       postPage{Base: base, Post: blog.Post{Summary: post, Body: template.HTML("<p>sanitised body</p>"), BodyFallback: true}},
		"errors/error":    errorPage{Base: base, Status: 404, TitleID: "error.404.title", MessageID: "error.404.message", Reason: evil},
	}
	as := pages["artists/show"].(artistPage)
	as.Artist.Photo = img
	pages["artists/show"] = as
	ai := pages["artists/index"].(artistsPage)
	ai.Artists = append(ai.Artists, artists.Summary{Slug: "p", Name: "P", Photo: img})
	pages["artists/index"] = ai
	fragments := map[string]any{
		"happening-now":          eventsBlock{Grid: grid, OOB: true},
		"next-events":            eventsBlock{Grid: eventGrid{Zone: zone, Now: now}},
		"event-list":             pages["events/index"],
		"event-detail":           pages["events/show"],
		"location-list":          pages["locations/index"],
		"location-schedule":      scheduleView{Days: []dayGroup{day}, OOB: true},
		"recently-played":        recentView{Slug: "main-cave", Tracks: []nowplaying.Track{*track}, Zone: zone, OOB: true},
		"live-programme":         list,
		"live-programme-refresh": programmeView{Filtered: true, OOB: true},
		"live-artist-upcoming":   upcomingView{Grid: grid, OOB: true},
		"event-live-status":      eventLive{Event: sum, Withdrawn: true, OOB: true},
		"event-live-title":       evLive,
		"event-live-time":        evLive,
		"event-live-lineup":      evLive,
		"artist-list":            pages["artists/index"],
		"artist-detail":          pages["artists/show"],
		"post-list":              pages["blog/index"],
		"post-detail":            pages["blog/show"],
		"flash":                  flash{Kind: "error", MessageID: "error.500.message"},
		"lang-links":             base,
		"zone-form":              base,
		"event-status":           pages["events/index"],
		"now-playing":            playing,
		"location-card":          card,
		"post-card":              map[string]any{"P": post, "Zone": zone},
		"pager":                  pg,
		"event-grid":             compact,
		"day":                    day,
		"image":                  map[string]any{"I": img, "Sizes": "100vw", "Class": "x"},
		"scripts":                "/ws?topic=events",
		"base":                   nil, // the layout, rendered through every page
	}
	addAccountSamples(pages, fragments, base, evil)   // account_views_test.go
	addAdminSamples(pages, fragments, base, evil)     // admin_views_test.go
	addMediaSamples(pages, fragments, base, evil)     // admin_media_views_test.go
	addOfficeSamples(pages, fragments, base, evil)    // admin_blog_views_test.go
	addPlacesSamples(pages, fragments, base, evil)    // admin_locations_views_test.go
	addScreenSamples(pages, fragments, base, evil)    // screens_views_test.go
	addSupporterSamples(pages, fragments, base, evil) // admin_supporters_views_test.go
	addNotifySamples(pages, fragments, base, evil)    // notify_views_test.go
	addJobsSamples(pages, fragments, base, evil)      // admin_jobs_views_test.go
	addIntegrationSamples(pages, base, evil)          // admin_integrations_views_test.go
	return pages, fragments
}

func renderer(t *testing.T) (*render.Renderer, *i18n.Bundle) {
	t.Helper()
	b, err := i18n.New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	a, err := static.New(assets.FS, "/assets")
	require.NoError(t, err)
	r, err := render.New(views.FS, b, a.Path)
	require.NoError(t, err)
	return r, b
}

// Every page and every fragment renders in every language with sample data,
// and hostile text comes out escaped.
func TestEveryTemplateRenders(t *testing.T) {
	t.Parallel()
	r, b := renderer(t)
	pages, fragments := sample(t)
	for _, name := range r.Pages() {
		require.Contains(t, pages, name, "add sample data for page %s", name)
	}
	for _, name := range r.Fragments() {
		require.Contains(t, fragments, name, "add sample data for fragment %s", name)
	}
	for _, lang := range b.Languages() {
		for name, data := range pages {
			var buf bytes.Buffer
			require.NoError(t, r.Page(&buf, lang, name, data), "%s/%s", lang, name)
			out := buf.String()
			require.Contains(t, out, "<html lang=\""+lang+"\"", name)
			require.NotContains(t, out, `<script>alert`, "%s/%s leaks unescaped HTML", lang, name)
			// ZgotmplZ is html/template refusing a value: a broken link or style.
			require.NotContains(t, out, "ZgotmplZ", "%s/%s", lang, name)
		}
		for name, data := range fragments {
			if name == "base" || name == "admin" || name == "screen" { // layouts, rendered with the pages
				continue
			}
			var buf bytes.Buffer
			require.NoError(t, r.Fragment(&buf, lang, name, data), "%s/%s", lang, name)
			require.NotContains(t, buf.String(), `<script>alert`, "%s/%s leaks unescaped HTML", lang, name)
			require.NotContains(t, buf.String(), "ZgotmplZ", "%s/%s", lang, name)
		}
	}
}

// A fragment's root element has the id its name says, so htmx and the live
// hub can swap it in place.
func TestFragmentRootIDs(t *testing.T) {
	t.Parallel()
	r, _ := renderer(t)
	_, fragments := sample(t)
	for _, name := range []string{"happening-now", "next-events", "event-list", "event-detail", "location-list", "location-schedule", "artist-list", "artist-detail", "post-list", "post-detail", "flash", "lang-links", "zone-form", "event-status"} {
		var buf bytes.Buffer
		require.NoError(t, r.Fragment(&buf, "en", name, fragments[name]))
		require.Regexp(t, `^\s*<[a-z]+ id="`+name+`"`, buf.String(), name)
	}
	var buf bytes.Buffer
	require.NoError(t, r.Fragment(&buf, "en", "now-playing", fragments["now-playing"]))
	require.Regexp(t, `^\s*<div id="now-playing-main-cave"`, buf.String())
}

// Every message ID a template names exists in the default language; IDs
// built at run time are listed here.
func TestTemplateMessageIDsExist(t *testing.T) {
	t.Parallel()
	_, b := renderer(t)
	literal := regexp.MustCompile(`\b(?:t|tn) "([a-z0-9_.]+)"`)
	var ids []string
	err := fs.WalkDir(views.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(views.FS, p)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			ids = append(ids, m[1])
		}
		return nil
	})
	require.NoError(t, err)
	for _, k := range events.Kinds() {
		ids = append(ids, "event.kind."+string(k))
	}
	for _, k := range db.AllArtistLinksKindValues() {
		ids = append(ids, "artist.link."+string(k))
	}
	// IDs named in Go code: errors, formats, feed names.
	goLiteral := regexp.MustCompile(`"((?:error|calendar|format|site|language|events|blog|nav)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)
	err = fs.WalkDir(os.DirFS(".."), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.HasPrefix(p, "db/") || strings.HasPrefix(p, "seed/") {
			return err
		}
		src, err := os.ReadFile(filepath.Join("..", p))
		if err != nil {
			return err
		}
		for _, m := range goLiteral.FindAllStringSubmatch(string(src), -1) {
			ids = append(ids, m[1])
		}
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, ids, "error.filter.unknown_location", "Go literals were scanned")
	require.Greater(t, len(ids), 50)
	for _, id := range ids {
		require.True(t, b.Has("en", id), "message %q is missing from locales/en.json", id)
	}
}

// Templates hold no words of their own: every text comes from locales/, so
// no English is left on a German page.
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	t.Parallel()
	actions := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	// A page names its layout ({{define "layout"}}admin{{end}}): a name, not text.
	layout := regexp.MustCompile(`\{\{define "layout"\}\}[a-z]+\{\{end\}\}`)
	scripts := regexp.MustCompile(`(?s)<script[^>]*>.*?</script>`)
	tags := regexp.MustCompile(`(?s)<[^>]*>`)
	word := regexp.MustCompile(`\p{L}{2,}`)
	err := fs.WalkDir(views.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		src, err := fs.ReadFile(views.FS, p)
		if err != nil {
			return err
		}
		text := tags.ReplaceAll(scripts.ReplaceAll(actions.ReplaceAll(layout.ReplaceAll(src, nil), nil), nil), nil)
		require.Empty(t, word.FindAll(text, -1), "%s has literal text; use {{t \"...\"}}", p)
		return nil
	})
	require.NoError(t, err)
}
