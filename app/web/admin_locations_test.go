package web_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// places is the app with a signed-in editor, for the venue and artist
// pages of the back office.
type places struct {
	srv   *web.Server
	sqlDB *sql.DB
	q     *db.Queries
	staff *testenv.Session
}

func setupPlaces(t *testing.T) places {
	t.Helper()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	return places{srv: srv, sqlDB: sqlDB, q: db.New(sqlDB), staff: signInAs(t, srv, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})}
}

func signInAs(t *testing.T, srv *web.Server, sqlDB *sql.DB, o testenv.UserOpts) *testenv.Session {
	t.Helper()
	u := testenv.User(t, sqlDB, o)
	s := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	return &s
}

// send is a request of sess's browser: partial as htmx sends it for an
// element, else as a plain browser does.
func (p places) send(t *testing.T, sess *testenv.Session, method, target string, body io.Reader, partial bool) testenv.Response {
	t.Helper()
	req := sess.Request(method, target, body)
	if partial {
		htmx(req)
	}
	return sess.Do(t, p.srv, req)
}

// as is send with the editor's browser.
func (p places) as(t *testing.T, method, target string, body io.Reader, partial bool) testenv.Response {
	t.Helper()
	return p.send(t, p.staff, method, target, body, partial)
}

// requireAdminHTML checks what every back-office HTML answer carries, and
// that a partial is the fragment alone and a full answer the whole page.
func requireAdminHTML(t *testing.T, res testenv.Response, status int, partial bool, rootID string) *goquery.Document {
	t.Helper()
	require.Equal(t, status, res.StatusCode, res.Body)
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	require.Contains(t, res.Header.Get("Vary"), "HX-Request-Type")
	if partial {
		require.NotContains(t, res.Body, "<html")
		require.Regexp(t, `^\s*<[a-z]+ [^>]*\bid="`+rootID+`"`, res.Body)
	} else {
		require.Contains(t, res.Body, "<html")
	}
	d := doc(t, res.Body)
	require.Equal(t, 1, d.Find("#"+rootID).Length(), "#%s", rootID)
	return d
}

// sendHuge sends the editor's request with a form of prefix and size bytes
// over a real connection: the server refuses a body over its limit before
// any handler runs, and app.Test reports that as an error, not an answer.
func (p places) sendHuge(t *testing.T, method, path, prefix string, size int) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(serve(t, p.srv), "http://"))
	require.NoError(t, err)
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n", method, path, size)
	fmt.Fprintf(&head, "X-CSRF-Token: %s\r\nHX-Request: true\r\nHX-Request-Type: partial\r\n", p.staff.CSRF)
	for _, c := range p.staff.Cookies {
		fmt.Fprintf(&head, "Cookie: %s=%s\r\n", c.Name, c.Value)
	}
	head.WriteString("\r\n")
	body := prefix + strings.Repeat("x", size-len(prefix))
	// The server may answer and close before the body is written: the
	// writer's errors say nothing about the answer.
	go func() {
		conn.Write([]byte(head.String()))
		conn.Write([]byte(body))
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// requireCreateForm checks what the new-entity forms share: the page in
// both shapes with a one-time key, an error of no field still shown, and
// a double submit making one entity. It returns that entity's id.
func (p places) requireCreateForm(t *testing.T, entity, fragment string, valid url.Values) int64 {
	t.Helper()
	list := "/admin/" + entity
	for _, partial := range []bool{false, true} {
		res := p.as(t, http.MethodGet, list+"/new", nil, partial)
		d := requireAdminHTML(t, res, http.StatusOK, partial, fragment)
		require.NotEmpty(t, d.Find(`input[name="create_key"]`).AttrOr("value", ""))
	}
	long := url.Values{}
	for k, v := range valid {
		long[k] = v
	}
	long.Set("create_key", strings.Repeat("k", 65))
	res := p.as(t, http.MethodPost, list, strings.NewReader(long.Encode()), true)
	d := requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, fragment)
	require.Contains(t, d.Find("#"+fragment+" > .field__error").Text(), "at most 64", "an error of no field is still shown")

	valid.Set("create_key", testenv.Unique("key"))
	res = p.as(t, http.MethodPost, list, strings.NewReader(valid.Encode()), true)
	require.Equal(t, http.StatusNoContent, res.StatusCode, res.Body)
	where := res.Header.Get("HX-Location")
	require.Regexp(t, `^`+list+`/\d+$`, where)
	res = p.as(t, http.MethodPost, list, strings.NewReader(valid.Encode()), false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, where, res.Header.Get("Location"), "submitted twice: one %s", entity)
	id, err := strconv.ParseInt(strings.TrimPrefix(where, list+"/"), 10, 64)
	require.NoError(t, err)
	res = p.as(t, http.MethodGet, where, nil, false)
	require.NotContains(t, res.Body, "<script>alert")
	return id
}

// request is a request a test sends; body is a urlencoded form or "".
type request struct{ method, path, body string }

// requireForbidden sends each request as sess, from a plain browser and
// from htmx, and requires every one refused.
func (p places) requireForbidden(t *testing.T, sess *testenv.Session, reqs []request) {
	t.Helper()
	for _, r := range reqs {
		for _, partial := range []bool{false, true} {
			var body io.Reader
			if r.body != "" {
				body = strings.NewReader(r.body)
			}
			res := p.send(t, sess, r.method, r.path, body, partial)
			require.Equal(t, http.StatusForbidden, res.StatusCode, "%s %s", r.method, r.path)
		}
	}
}

func (p places) location(t *testing.T, id int64) locations.Draft {
	t.Helper()
	d, err := p.srv.Locations.AdminGet(t.Context(), id)
	require.NoError(t, err)
	return d
}

func TestAdminLocationsList(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	tag := strings.ToLower(testenv.Unique("list"))
	alpha := testenv.Location(t, p.q, testenv.LocationOpts{Name: "Alpha " + tag + ` <script>alert(1)</script>`})
	beta := testenv.Location(t, p.q, testenv.LocationOpts{Name: "Beta " + tag, StreamKind: db.LocationsStreamKindPush})
	start := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	testenv.Event(t, p.q, testenv.EventOpts{Location: beta, Start: start})
	testenv.Event(t, p.q, testenv.EventOpts{Location: beta, Start: start.Add(6 * time.Hour)})
	names := func(d *goquery.Document) []string {
		var out []string
		d.Find("#admin-locations tbody tr td:first-child").Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		return out
	}

	for _, partial := range []bool{false, true} {
		res := p.as(t, http.MethodGet, "/admin/locations?sort=name&q="+url.QueryEscape(tag), nil, partial)
		d := requireAdminHTML(t, res, http.StatusOK, partial, "admin-locations")
		require.Equal(t, []string{alpha.Name, beta.Name}, names(d), "the search finds both, by name")
		require.NotContains(t, res.Body, "<script>alert(1)", "a hostile name is escaped")
		require.Equal(t, tag, d.Find("#admin-locations-q").AttrOr("value", ""), "the search stays in its box")
		require.Equal(t, fmt.Sprintf("/admin/locations/%d", alpha.ID), d.Find("#admin-locations tbody a").First().AttrOr("href", ""))
		row := d.Find("#admin-locations tbody tr").Eq(1).Find("td")
		require.Equal(t, "2", row.Eq(2).Text(), "the events column counts the venue's events")
		require.Equal(t, "Pushed by DJ software", row.Eq(3).Text())
	}

	res := p.as(t, http.MethodGet, "/admin/locations?sort=-events&q="+url.QueryEscape(tag), nil, false)
	require.Equal(t, []string{beta.Name, alpha.Name}, names(doc(t, res.Body)), "sorted by events, most first")
	res = p.as(t, http.MethodGet, "/admin/locations?stream=push&q="+url.QueryEscape(tag), nil, false)
	d := doc(t, res.Body)
	require.Equal(t, []string{beta.Name}, names(d), "filtered by the kind of stream")
	require.Equal(t, "push", d.Find("#admin-locations-stream option[selected]").AttrOr("value", ""))
	// Nonsense in the address falls back to the defaults.
	res = p.as(t, http.MethodGet, "/admin/locations?stream=%3Cscript%3E&sort=bogus&page=-3&q="+url.QueryEscape(tag+"\xff"), nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode)
	res = p.as(t, http.MethodGet, "/admin/locations?q=nothing-is-called-this-"+tag, nil, false)
	require.Contains(t, res.Body, "Nothing matches.")
}

func TestAdminLocationPage(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{Name: "Grotto <b>deep</b>", Names: map[string]string{"de": "Grotte"}})
	path := fmt.Sprintf("/admin/locations/%d", loc.ID)
	for _, partial := range []bool{false, true} {
		res := p.as(t, http.MethodGet, path, nil, partial)
		d := requireAdminHTML(t, res, http.StatusOK, partial, "admin-location")
		require.Equal(t, "Grotto <b>deep</b>", d.Find("#admin-location h1").Text())
		require.NotContains(t, res.Body, "<b>deep</b>")
		for _, f := range []string{"name-en", "name-de", "tagline-de", "description-en", "position", "teleport-url",
			"stream-kind", "stream-status-url", "stream-listen-url", "screen-layout", "screen-days-ahead", "screen-rotate-seconds"} {
			require.Equal(t, 1, d.Find(fmt.Sprintf("#field-locations-%d-%s a.field__value", loc.ID, f)).Length(), f)
		}
		require.Equal(t, 1, d.Find(fmt.Sprintf("#field-locations-%d-background a.media-field__choose", loc.ID)).Length(), "the background is picked from the library")
		require.Equal(t, "Grotte", strings.TrimSpace(d.Find(fmt.Sprintf(`#field-locations-%d-name-de a`, loc.ID)).Contents().First().Text()))
		require.Equal(t, path+"/fields/name.de/edit", d.Find(fmt.Sprintf(`#field-locations-%d-name-de a`, loc.ID)).AttrOr("href", ""))
		require.Equal(t, "de", d.Find(`.side-by-side__lang`).Eq(1).AttrOr("lang", ""), "texts side by side per language")
		theme := d.Find("form#admin-location-theme")
		require.Equal(t, path+"/theme", theme.AttrOr("action", ""))
		scope := theme.Find("[data-theme-scope]")
		require.Equal(t, "--bg:#0d0b1a;--surface:#1a1630;--text:#f3efff;--accent:#b18cff;", scope.AttrOr("style", ""))
		require.Equal(t, 4, scope.Find(`input[type="color"][data-var]`).Length())
		require.Equal(t, 1, scope.Find(".theme-preview__card").Length())
		require.Equal(t, "/admin/locations/"+strconv.FormatInt(loc.ID, 10)+"/token", d.Find("#admin-location-token form").AttrOr("action", ""))
		require.Contains(t, d.Find("#admin-location-token").Text(), "There is no token yet")
		require.Equal(t, 1, d.Find(`#admin-location-delete input[name="confirm"][required]`).Length())
		require.Equal(t, 1, d.Find(fmt.Sprintf("#history-location-%d", loc.ID)).Length())
		require.Equal(t, "/locations/"+loc.Slug, d.Find(`a[href^="/locations/"]`).AttrOr("href", ""))
	}
	res := p.as(t, http.MethodGet, "/admin/locations/987654321", nil, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestAdminLocationInlineEditing(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{})
	field := func(name string) string { return fmt.Sprintf("/admin/locations/%d/fields/%s", loc.ID, name) }
	version := func() string { return strconv.Itoa(int(p.location(t, loc.ID).Version)) }

	// The editor opens the field: a form with the value and the version.
	res := p.as(t, http.MethodGet, field("name.en")+"/edit", nil, true)
	d := requireAdminHTML(t, res, http.StatusOK, true, fmt.Sprintf("field-locations-%d-name-en", loc.ID))
	require.Equal(t, version(), d.Find(`input[name="version"]`).AttrOr("value", ""))
	require.Equal(t, loc.Name, d.Find(`input[name="value"]`).AttrOr("value", ""))
	res = p.as(t, http.MethodGet, field("name.en")+"/edit", nil, false)
	requireAdminHTML(t, res, http.StatusOK, false, fmt.Sprintf("field-locations-%d-name-en", loc.ID))

	// Hostile text is stored as typed and shown escaped; the history grows
	// out of band.
	evil := `Cave <script>alert("x")</script>`
	res = p.as(t, http.MethodPatch, field("name.en"), form("version", version(), "value", evil, "original", loc.Name), true)
	d = requireAdminHTML(t, res, http.StatusOK, true, fmt.Sprintf("field-locations-%d-name-en", loc.ID))
	require.NotContains(t, res.Body, "<script>alert")
	require.Contains(t, d.Find("a.field__value").Text(), evil)
	history := d.Find(fmt.Sprintf(`#history-location-%d[hx-swap-oob="true"]`, loc.ID))
	require.Equal(t, 1, history.Length())
	require.Contains(t, history.Text(), "name.en")
	require.Equal(t, evil, p.location(t, loc.ID).Texts["en"].Name)

	// Refusals come back beside the field, 422.
	for _, tc := range []struct{ name, field, value, message string }{
		{"required name", "name.en", "  ", "Give the venue a name"},
		{"invalid UTF-8", "tagline.en", "bad \xff\xfe", "not valid text"},
		{"too long", "tagline.de", strings.Repeat("x", locations.MaxTagline+1), "at most 300"},
		{"unknown stream kind", "stream_kind", "<script>", "Choose a type of stream"},
		{"status address first", "stream_kind", "icecast", "need a status address"},
		{"not a number", "screen.days_ahead", "seven", "whole number"},
		{"out of range", "screen.rotate_seconds", "1", "from 5 to 3600"},
		{"not an image", "background", "987654321", "no such image"},
		{"bad teleport", "teleport_url", "javascript:alert(1)", "secondlife://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := p.as(t, http.MethodPatch, field(tc.field), form("version", version(), "value", tc.value), true)
			d := requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, fmt.Sprintf("field-locations-%d-%s", loc.ID, strings.NewReplacer(".", "-", "_", "-").Replace(tc.field)))
			// A text field's form or the background's picker carries the refusal.
			require.Contains(t, d.Find(".field--invalid .field__error").Text(), tc.message)
			require.NotContains(t, res.Body, "<script>")
		})
	}
	require.Equal(t, evil, p.location(t, loc.ID).Texts["en"].Name, "nothing refused was written")

	// A colleague saved the tagline meanwhile: the editor sees theirs and
	// keeps their own text, with the version to save it over.
	stale := version()
	res = p.as(t, http.MethodPatch, field("tagline.en"), form("version", stale, "value", "Theirs", "original", ""), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	res = p.as(t, http.MethodPatch, field("tagline.en"), form("version", stale, "value", "Mine <i>", "original", ""), true)
	d = requireAdminHTML(t, res, http.StatusConflict, true, fmt.Sprintf("field-locations-%d-tagline-en", loc.ID))
	require.Contains(t, d.Find(".field__theirs").Text(), "Theirs")
	require.Equal(t, "Mine <i>", d.Find(`input[name="value"]`).AttrOr("value", ""))
	require.Equal(t, version(), d.Find(`input[name="version"]`).AttrOr("value", ""))
	require.Equal(t, "Theirs", p.location(t, loc.ID).Texts["en"].Tagline)
	// A stale version is fine when the field itself did not change.
	res = p.as(t, http.MethodPatch, field("position"), form("version", stale, "value", "7", "original", "0"), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Equal(t, 7, p.location(t, loc.ID).Position)

	// Without JavaScript the form posts and the browser goes back to the page.
	res = p.as(t, http.MethodPost, field("screen.layout"), form("version", version(), "value", "schedule"), false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, fmt.Sprintf("/admin/locations/%d", loc.ID), res.Header.Get("Location"))
	require.Equal(t, "schedule", p.location(t, loc.ID).Screen.Layout)
	res = p.as(t, http.MethodPost, field("screen.layout"), form("version", version(), "value", "diagonal"), false)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, false, fmt.Sprintf("field-locations-%d-screen-layout", loc.ID))
	require.Contains(t, d.Find(".field__error").Text(), "Choose a screen layout")

	// Missing version, a 10 MB value, no or a forged CSRF token: refused.
	res = p.as(t, http.MethodPatch, field("tagline.en"), form("value", "x"), true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Equal(t, http.StatusRequestEntityTooLarge, p.sendHuge(t, http.MethodPatch, field("tagline.en"), "version="+version()+"&value=", 10<<20))
	for _, token := range []string{"", "forged-token"} {
		sess := *p.staff
		sess.CSRF = token
		res = p.send(t, &sess, http.MethodPatch, field("tagline.en"), form("version", version(), "value", "csrf"), true)
		require.Equal(t, http.StatusForbidden, res.StatusCode, "token %q", token)
	}
	require.Equal(t, "Theirs", p.location(t, loc.ID).Texts["en"].Tagline)
	res = p.as(t, http.MethodGet, fmt.Sprintf("/admin/locations/%d/fields/nonsense/edit", loc.ID), nil, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

// Every choice the selects offer is one the service takes, so the lists in
// the web layer cannot drift from the service's.
func TestAdminLocationChoicesAreAccepted(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{})
	field := func(name string) string { return fmt.Sprintf("/admin/locations/%d/fields/%s", loc.ID, name) }
	save := func(name, value string) {
		t.Helper()
		v := strconv.Itoa(int(p.location(t, loc.ID).Version))
		res := p.as(t, http.MethodPatch, field(name), form("version", v, "value", value), true)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s=%s: %s", name, value, res.Body)
	}
	save("stream_status_url", "https://radio.example.org/status-json.xsl")
	for _, name := range []string{"stream_kind", "screen.layout"} {
		res := p.as(t, http.MethodGet, field(name)+"/edit", nil, true)
		options := doc(t, res.Body).Find("select option")
		require.Positive(t, options.Length())
		options.Each(func(_ int, o *goquery.Selection) {
			save(name, o.AttrOr("value", ""))
			require.NotContains(t, o.Text(), "admin.location", "every choice has a label")
		})
	}
}

func themeForm(version int32, typed, original locations.Theme) io.Reader {
	return form("version", strconv.Itoa(int(version)),
		"theme.background", typed.Background, "theme.surface", typed.Surface, "theme.text", typed.Text, "theme.accent", typed.Accent,
		"original.background", original.Background, "original.surface", original.Surface, "original.text", original.Text, "original.accent", original.Accent)
}

func TestAdminLocationTheme(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{Background: "#000000", Surface: "#111111", Text: "#ffffff", Accent: "#ff8800"})
	path := fmt.Sprintf("/admin/locations/%d/theme", loc.ID)
	cur := p.location(t, loc.ID)
	light := locations.Theme{Background: "#ffffff", Surface: "#eeeeee", Text: "#111111", Accent: "#0055cc"}

	// Turning a dark theme light passes through white text on white one
	// colour at a time, which the contrast rule refuses; the form saves the
	// four at once.
	_, err := p.srv.Locations.Patch(t.Context(), actor.System(), loc.ID, cur.Version, "theme.background", light.Background)
	require.ErrorAs(t, err, new(*apperr.Invalid))
	res := p.as(t, http.MethodPost, path, themeForm(cur.Version, light, cur.Theme), true)
	d := requireAdminHTML(t, res, http.StatusOK, true, "admin-location-theme")
	require.Contains(t, d.Find("#admin-location-theme").Text(), "The theme is saved.")
	require.Equal(t, "--bg:#ffffff;--surface:#eeeeee;--text:#111111;--accent:#0055cc;", d.Find("[data-theme-scope]").AttrOr("style", ""))
	require.Contains(t, d.Find(fmt.Sprintf(`#history-location-%d[hx-swap-oob]`, loc.ID)).Text(), "theme.background")
	cur = p.location(t, loc.ID)
	require.Equal(t, light, cur.Theme)

	// Unreadable text is refused beside its colour, with what was typed.
	grey := locations.Theme{Background: "#ffffff", Surface: "#eeeeee", Text: "#dddddd", Accent: "#0055cc"}
	for _, partial := range []bool{true, false} {
		res = p.as(t, http.MethodPost, path, themeForm(cur.Version, grey, cur.Theme), partial)
		d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, partial, "admin-location-theme")
		require.Contains(t, d.Find("#admin-location-theme .field__error").Text(), "contrast of only 1.")
		require.Equal(t, "#dddddd", d.Find(`input[name="theme.text"]`).AttrOr("value", ""))
	}
	res = p.as(t, http.MethodPost, path, themeForm(cur.Version, locations.Theme{Background: "red", Surface: "#eeeeee", Text: "#111111", Accent: `"><script>`}, cur.Theme), true)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-location-theme")
	require.Equal(t, 2, d.Find(".field__error").Length())
	require.Contains(t, d.Find(".field__error").First().Text(), "#rrggbb")
	require.NotContains(t, res.Body, "<script>")
	require.Equal(t, light, p.location(t, loc.ID).Theme)

	// Another field changed since the form was shown: the theme still saves.
	stale := cur.Version
	_, err = p.srv.Locations.Patch(t.Context(), actor.System(), loc.ID, cur.Version, "position", "3")
	require.NoError(t, err)
	blue := locations.Theme{Background: "#f0f4ff", Surface: "#ffffff", Text: "#101030", Accent: "#3344aa"}
	res = p.as(t, http.MethodPost, path, themeForm(stale, blue, light), false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, fmt.Sprintf("/admin/locations/%d#admin-location-theme", loc.ID), res.Header.Get("Location"))
	cur = p.location(t, loc.ID)
	require.Equal(t, blue, cur.Theme)
	require.Equal(t, 3, cur.Position)

	// A colleague changed the theme meanwhile: theirs is shown, mine kept.
	_, err = p.srv.Locations.Update(t.Context(), actor.System(), loc.ID, cur.Version, locations.LocationInput{
		Position: cur.Position, Theme: light, StreamKind: cur.StreamKind, Screen: cur.Screen,
	})
	require.NoError(t, err)
	res = p.as(t, http.MethodPost, path, themeForm(cur.Version, grey, blue), true)
	d = requireAdminHTML(t, res, http.StatusConflict, true, "admin-location-theme")
	require.Contains(t, d.Find(".field__conflict").Text(), "colleague changed the theme")
	require.Equal(t, "#111111", d.Find(`input[name="theme.text"]`).Parent().Find(".field__theirs code").Text())
	require.Equal(t, "#dddddd", d.Find(`input[name="theme.text"]`).AttrOr("value", ""))
	require.Equal(t, strconv.Itoa(int(p.location(t, loc.ID).Version)), d.Find(`input[name="version"]`).AttrOr("value", ""))
	require.Equal(t, light, p.location(t, loc.ID).Theme)

	res = p.as(t, http.MethodPost, path, form("theme.background", "#000000"), true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "no version")

	// The service judges the whole venue: a rule about another field that
	// stops the theme is shown too.
	odd := testenv.Location(t, p.q, testenv.LocationOpts{StreamKind: db.LocationsStreamKindIcecast})
	oddCur := p.location(t, odd.ID)
	res = p.as(t, http.MethodPost, fmt.Sprintf("/admin/locations/%d/theme", odd.ID), themeForm(oddCur.Version, light, oddCur.Theme), true)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-location-theme")
	require.Contains(t, d.Find(".field__error").Text(), "need a status address")
	res = p.as(t, http.MethodPost, "/admin/locations/987654321/theme", themeForm(1, light, light), true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestAdminLocationToken(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{})
	path := fmt.Sprintf("/admin/locations/%d/token", loc.ID)

	res := p.as(t, http.MethodPost, path, nil, true)
	d := requireAdminHTML(t, res, http.StatusOK, true, "admin-location-token")
	first := d.Find(fmt.Sprintf("input#now-playing-token-%d[readonly]", loc.ID)).AttrOr("value", "")
	require.Greater(t, len(first), 30)
	require.Contains(t, d.Find(".token-once").Text(), "shown only this once")
	require.Contains(t, d.Find("#admin-location-token").Text(), "/api/locations/"+loc.Slug+"/now-playing")
	require.Contains(t, d.Find(fmt.Sprintf(`#history-location-%d[hx-swap-oob]`, loc.ID)).Text(), "rotated the now-playing token")
	require.NotContains(t, d.Find(fmt.Sprintf(`#history-location-%d`, loc.ID)).Text(), first, "the log never holds the token")
	id, _, err := p.srv.Locations.ByNowPlayingToken(t.Context(), first)
	require.NoError(t, err)
	require.Equal(t, loc.ID, id)

	// Without JavaScript the answer is the page, with the new token in it.
	res = p.as(t, http.MethodPost, path, nil, false)
	d = requireAdminHTML(t, res, http.StatusOK, false, "admin-location")
	second := d.Find(fmt.Sprintf("input#now-playing-token-%d", loc.ID)).AttrOr("value", "")
	require.Greater(t, len(second), 30)
	require.NotEqual(t, first, second)
	_, _, err = p.srv.Locations.ByNowPlayingToken(t.Context(), first)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the old token stopped working")

	// The page never shows a token again.
	res = p.as(t, http.MethodGet, fmt.Sprintf("/admin/locations/%d", loc.ID), nil, false)
	d = doc(t, res.Body)
	require.Equal(t, 0, d.Find(".token-once").Length())
	require.NotContains(t, res.Body, second)
	require.Contains(t, d.Find("#admin-location-token").Text(), "A token is set.")
	require.NotEmpty(t, d.Find("#admin-location-token form").AttrOr("hx-confirm", ""), "replacing asks first")
}

func TestAdminLocationDelete(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	busy := testenv.Location(t, p.q, testenv.LocationOpts{})
	testenv.Event(t, p.q, testenv.EventOpts{Location: busy, Start: time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -30)})
	del := func(id int64) string { return fmt.Sprintf("/admin/locations/%d/delete", id) }

	res := p.as(t, http.MethodPost, del(busy.ID), form("confirm", "yes"), true)
	d := requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-location-delete")
	require.Contains(t, d.Find(".field__error").Text(), "still has events (1)")
	res = p.as(t, http.MethodPost, del(busy.ID), form("confirm", "yes"), false)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, false, "admin-location")
	require.Contains(t, d.Find("#admin-location-delete .field__error").Text(), "Move them to another venue")
	p.location(t, busy.ID)

	free := testenv.Location(t, p.q, testenv.LocationOpts{})
	res = p.as(t, http.MethodPost, del(free.ID), form("confirm", "no"), true)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-location-delete")
	require.Contains(t, d.Find(".field__error").Text(), "Tick the box")
	p.location(t, free.ID)

	res = p.as(t, http.MethodPost, del(free.ID), form("confirm", "yes"), true)
	require.Equal(t, http.StatusNoContent, res.StatusCode, res.Body)
	require.Equal(t, "/admin/locations", res.Header.Get("HX-Location"))
	_, err := p.srv.Locations.AdminGet(t.Context(), free.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)

	other := testenv.Location(t, p.q, testenv.LocationOpts{})
	res = p.as(t, http.MethodPost, del(other.ID), form("confirm", "yes"), false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/locations", res.Header.Get("Location"))
	res = p.as(t, http.MethodPost, del(other.ID), form("confirm", "yes"), false)
	require.Equal(t, http.StatusNotFound, res.StatusCode, "already gone")
}

func TestAdminLocationCreate(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	name := "Lagoon " + testenv.Unique("new") + ` <script>alert(1)</script>`
	id := p.requireCreateForm(t, "locations", "admin-location-new", url.Values{"name.en": {name}, "tagline.de": {"Am Wasser"}})
	d := p.location(t, id)
	require.Equal(t, name, d.Texts["en"].Name, "stored as typed")
	require.Equal(t, "Am Wasser", d.Texts["de"].Tagline)
	all, err := p.srv.Locations.AdminList(t.Context(), "en")
	require.NoError(t, err)
	n := 0
	for _, l := range all {
		if l.Name.Value == name {
			n++
		}
	}
	require.Equal(t, 1, n)

	// No default-language name: refused with what was typed.
	res := p.as(t, http.MethodPost, "/admin/locations", form("name.de", "Nur Deutsch <b>", "tagline.en", "kept"), true)
	doc := requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-location-new")
	require.Contains(t, doc.Find("#new-location-name-en-error").Text(), "Give the venue a name")
	require.Equal(t, "Nur Deutsch <b>", doc.Find(`input[name="name.de"]`).AttrOr("value", ""))
	require.Equal(t, "kept", doc.Find(`input[name="tagline.en"]`).AttrOr("value", ""))
	res = p.as(t, http.MethodPost, "/admin/locations", form("name.en", strings.Repeat("n", locations.MaxName+1)), false)
	doc = requireAdminHTML(t, res, http.StatusUnprocessableEntity, false, "admin-location-new")
	require.Contains(t, doc.Find("#new-location-name-en-error").Text(), "at most 200")
	res = p.as(t, http.MethodPost, "/admin/locations", form("name.en", "Bad \xff"), true)
	doc = requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-location-new")
	require.Contains(t, doc.Find("#new-location-name-en-error").Text(), "not valid text")
}

// Artists and members may not see or change venues, whatever they send.
func TestAdminLocationsForbidden(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{})
	before := p.location(t, loc.ID)
	artist := testenv.Artist(t, p.q, testenv.ArtistOpts{})
	for _, o := range []testenv.UserOpts{{Role: actor.RoleArtist, ArtistID: artist.ID}, {Role: actor.RoleMember}} {
		sess := signInAs(t, p.srv, p.sqlDB, o)
		base := fmt.Sprintf("/admin/locations/%d", loc.ID)
		p.requireForbidden(t, sess, []request{
			{http.MethodGet, "/admin/locations", ""},
			{http.MethodGet, "/admin/locations/new", ""},
			{http.MethodGet, base, ""},
			{http.MethodGet, base + "/fields/name.en/edit", ""},
			{http.MethodPatch, base + "/fields/name.en", "version=1&value=Mine"},
			{http.MethodPost, base + "/theme", "version=1&theme.text=%23000000"},
			{http.MethodPost, base + "/token", ""},
			{http.MethodPost, base + "/delete", "confirm=yes"},
			{http.MethodPost, "/admin/locations", "name.en=Mine"},
		})
	}
	after := p.location(t, loc.ID)
	require.Equal(t, before.Version, after.Version)
	require.False(t, after.HasNowPlayingToken)
}
