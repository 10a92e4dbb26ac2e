package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/nowplaying"
)

// addPlacesSamples adds the back office's venue and artist pages and
// fragments to the sample data every template is rendered with: hostile
// text wherever an editor types, every error shown and a token on display.
func addPlacesSamples(pages, fragments map[string]any, base Base, evil string) {
	admin := adminBase{Base: base, Actor: actor.Actor{UserID: 1, Role: actor.RoleEditor}, CSRF: evil, Section: "locations",
		Menu: []adminNav{{"locations", "/admin/locations", "admin.nav.locations"}}}
	msg := &apperr.Message{ID: "error.content.too_long", Args: map[string]any{"Max": 200}}
	errs := map[string]apperr.Message{"name.en": *msg, "tagline.de": *msg, "description.en": *msg, "name": *msg, "genre.de": *msg, "bio.en": *msg}
	f := field{Entity: "locations", ID: 7, Name: "name.en", LabelID: "admin.location.name", Lang: "en", Input: inputText, Value: evil, CSRF: evil, Page: "/admin/locations/7"}
	history := entityHistory{Kind: audit.KindLocation, ID: 7, Zone: base.Zone, Entries: []audit.Logged{{
		Action: "update", Kind: audit.KindLocation, EntityID: 7, Summary: evil, Changes: []audit.Change{{Field: "name.en", Old: evil, New: evil}},
		At: base.Now, UserName: evil,
	}}}
	theme := locations.Theme{Background: "#101010", Surface: "#202020", Text: "#ffffff", Accent: "#ff00ff"}
	bad := locations.Theme{Background: evil, Surface: "#202020", Text: "#ffffff", Accent: "#ff00ff"}
	langs := []langFields{{Lang: "en", Fields: []field{f}}, {Lang: "de", Fields: []field{f}}}
	loc := locationAdminPage{
		adminBase: admin, Location: locations.Draft{ID: 7, Slug: "main-" + evil}, Title: evil, PublicURL: "/locations/main",
		General: []field{f}, Stream: []field{f}, Screen: []field{f}, Langs: langs,
		Theme: locationTheme{ID: 7, Version: 3, CSRF: evil, Name: evil, Theme: bad, Original: theme, Theirs: &theme,
			Errors: map[string]apperr.Message{"theme.text": {ID: locations.MsgLowContrast, Args: map[string]any{"Ratio": "1.2", "Min": 4.5}}}, MinContrast: 4.5},
		Token: locationToken{ID: 7, CSRF: evil, HasToken: true, RotatedAt: base.Now, Zone: base.Zone, Endpoint: "http://localhost:8080/api/locations/" + evil, Token: evil,
			Polled: true, Health: nowplaying.Health{LastError: evil, Since: base.Now, Failures: 3}},
		Delete:  entityDelete{Entity: "locations", ID: 7, CSRF: evil, Error: &apperr.Message{ID: locations.MsgHasEvents, Args: map[string]any{"Count": 3}}},
		History: history,
	}
	del := entityDelete{Entity: "artists", ID: 8, CSRF: evil, Error: &apperr.Message{ID: artists.MsgHasUpcomingEvents, Args: map[string]any{"Count": 1}}}
	set := setForm{EventID: 5, ArtistID: 8, Title: i18n.Text{Value: evil, Fallback: true}, LocationName: i18n.Text{Value: evil},
		StartsAt: base.Now, EndsAt: base.Now.Add(3 * time.Hour), Published: true, PublicURL: "/events/x", Version: 4, CSRF: evil,
		Start: evil, End: "2026-12-05T22:00", OriginalStart: evil, OriginalEnd: evil, Zone: base.Zone, Theirs: evil, Saved: true,
		Errors: fieldErrors{"set_starts_at": {ID: "error.event.set_outside"}, "set_ends_at": {ID: "admin.error.datetime_invalid"}, "set": *msg}}
	draftSet := set
	draftSet.EventID, draftSet.Published, draftSet.Errors, draftSet.Theirs, draftSet.Saved = 6, false, nil, "", false
	art := artistAdminPage{
		adminBase: admin, Artist: artists.Draft{ID: 8, Slug: "dj-" + evil, Name: evil}, Title: evil, PublicURL: "/artists/dj",
		General: []field{f}, Langs: langs, Delete: &del, History: history,
		Sets: artistSets{Sets: []setForm{set, draftSet}, Zone: base.Zone, Now: base.Now},
	}
	list := adminListPage{adminBase: admin, List: adminList{ID: "admin-locations", Path: "/admin/locations", TitleID: "admin.locations.title",
		Q: evil, Rows: []listRow{{Cells: []listCell{{Text: evil, Href: "/admin/locations/7"}}}}, EmptyID: "admin.list.empty"}}
	newLoc := locationNewForm{adminBase: admin, Langs: []string{"en", "de"}, CreateKey: evil, Errors: errs, Other: []apperr.Message{*msg},
		Texts: map[string]locations.Text{"en": {Name: evil, Tagline: evil, Description: evil}}}
	newArt := artistNewForm{adminBase: admin, Name: evil, Langs: []string{"en", "de"}, CreateKey: evil, Errors: errs, Other: []apperr.Message{*msg},
		Texts: map[string]artists.Text{"de": {Genre: evil, Bio: evil}}}
	pages["admin/locations/index"] = list
	pages["admin/locations/new"] = newLoc
	pages["admin/locations/show"] = loc
	pages["admin/artists/index"] = list
	pages["admin/artists/new"] = newArt
	pages["admin/artists/show"] = art
	fragments["admin-location"] = loc
	fragments["admin-location-new"] = newLoc
	fragments["admin-location-theme"] = loc.Theme
	fragments["admin-location-token"] = loc.Token
	fragments["admin-location-delete"] = loc.Delete
	fragments["admin-location-screen-key"] = locationScreenKey{ID: 7, CSRF: evil, HasKey: true, URL: "https://club.example/screens/" + evil, KeyURL: "https://club.example/screens/x?key=" + evil}
	fragments["admin-artist"] = art
	fragments["admin-artist-new"] = newArt
	fragments["admin-artist-delete"] = del
	fragments["admin-artist-sets"] = art.Sets
	fragments["admin-set"] = set
	fragments["admin-texts"] = map[string]any{"ID": "x-texts", "TitleID": "admin.location.texts", "Langs": langs}
}

// isPlaces reports whether a page or fragment is one of the back office's
// venue and artist templates.
func isPlaces(name string) bool {
	for _, p := range []string{"admin/locations/", "admin/artists/", "admin-location", "admin-artist", "admin-texts"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Every venue and artist page and fragment renders in every language and
// escapes what editors type; a fragment's root element has its name as id
// (the admin-texts partial's is the caller's).
// (TestEveryTemplateRenders covers them too, once every admin page has
// sample data.)
func TestPlacesTemplatesRender(t *testing.T) {
	t.Parallel()
	r, b := renderer(t)
	pages, fragments := sample(t)
	for _, name := range append(r.Pages(), r.Fragments()...) {
		if isPlaces(name) {
			require.True(t, pages[name] != nil || fragments[name] != nil, "add sample data for %s", name)
		}
	}
	for _, lang := range b.Languages() {
		for _, set := range []map[string]any{pages, fragments} {
			for name, data := range set {
				if !isPlaces(name) {
					continue
				}
				var buf bytes.Buffer
				if strings.Contains(name, "/") {
					require.NoError(t, r.Page(&buf, lang, name, data), "%s/%s", lang, name)
				} else {
					require.NoError(t, r.Fragment(&buf, lang, name, data), "%s/%s", lang, name)
				}
				if strings.HasPrefix(name, "admin-location") || strings.HasPrefix(name, "admin-artist") {
					require.Regexp(t, `^\s*<[a-z]+ [^>]*\bid="`+name+`"`, buf.String(), "%s/%s", lang, name)
				}
				require.NotContains(t, buf.String(), "<script>alert", "%s/%s leaks unescaped HTML", lang, name)
				require.NotContains(t, buf.String(), "ZgotmplZ", "%s/%s", lang, name)
			}
		}
	}
}

// The preview takes only valid colours into its style: a hostile value the
// editor typed stays in its input, escaped, and never reaches the CSS.
func TestThemePreviewKeepsBadColoursOut(t *testing.T) {
	t.Parallel()
	r, _ := renderer(t)
	_, fragments := sample(t)
	var buf bytes.Buffer
	require.NoError(t, r.Fragment(&buf, "en", "admin-location-theme", fragments["admin-location-theme"]))
	out := buf.String()
	require.Contains(t, out, `data-theme-scope style="--surface:#202020;--text:#ffffff;--accent:#ff00ff;"`)
	require.Contains(t, out, `name="theme.background" value="&lt;script&gt;`)
	for _, v := range []string{"--bg", "--surface", "--text", "--accent"} {
		require.Contains(t, out, `data-var="`+v+`"`)
	}
	require.Contains(t, out, "1.2:1")
	require.Contains(t, out, `style="--swatch:#ffffff"`)
}
