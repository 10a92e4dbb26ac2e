package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// pushVenue makes a venue with a now-playing token and returns its slug
// and the token.
func pushVenue(t *testing.T) (string, string) {
	t.Helper()
	now := testenv.Seeded(t)
	sqlDB := testenv.DB(t)
	loc := testenv.Location(t, db.New(sqlDB), testenv.LocationOpts{StreamKind: db.LocationsStreamKindPush})
	token, err := testenv.Services(t, sqlDB, now).Locations.RotateNowPlayingToken(t.Context(), actor.System(), loc.ID)
	require.NoError(t, err)
	return loc.Slug, token
}

type pushAnswer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Changed bool   `json:"changed"`
	Artist  string `json:"artist"`
	Title   string `json:"title"`
	DJ      string `json:"dj"`
}

func push(t *testing.T, srv *web.Server, slug, token, contentType, body string) (*http.Response, pushAnswer) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/locations/"+slug+"/now-playing", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := srv.App.Test(req)
	require.NoError(t, err)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var a pushAnswer
	require.NoError(t, json.Unmarshal(raw, &a), "answers are JSON: %s", raw)
	return res, a
}

// A push is stored and shown; the same track again changes nothing; the
// home page shows the track, escaped.
func TestNowPlayingPush(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	slug, token := pushVenue(t)

	res, a := push(t, srv, slug, token, "application/json", `{"artist":"Nyx <b>Calloway</b>","title":"Deep\u0000 Blue","dj":"Marlo"}`)
	require.Equal(t, 200, res.StatusCode, a.Error)
	require.True(t, a.OK)
	require.True(t, a.Changed)
	require.Equal(t, "Nyx <b>Calloway</b>", a.Artist)
	require.Equal(t, "Deep Blue", a.Title, "control characters are stripped")
	require.Equal(t, "Marlo", a.DJ)

	_, a = push(t, srv, slug, token, "application/json; charset=utf-8", `{"artist":"Nyx <b>Calloway</b>","title":"Deep Blue","dj":"Marlo"}`)
	require.True(t, a.OK)
	require.False(t, a.Changed, "the same track again stores nothing")

	// A form, with "Artist - Title" in one field.
	res, a = push(t, srv, slug, token, "application/x-www-form-urlencoded", url.Values{"song": {"Solar Fields - Sol"}, "dj": {"Kai & Mo"}}.Encode())
	require.Equal(t, 200, res.StatusCode, a.Error)
	require.True(t, a.Changed)
	require.Equal(t, "Solar Fields", a.Artist)
	require.Equal(t, "Sol", a.Title)
	srv.Invalidate()
	require.Contains(t, get(t, srv, "/locations/"+slug).Body, "with Kai &amp; Mo", "the current track's DJ")

	// Bytes that are not UTF-8 are read as Windows-1252, in JSON as in a form.
	_, a = push(t, srv, slug, token, "application/json", "{\"artist\":\"Beyonc\xe9\",\"title\":\"D\xe9j\xe0 Vu\"}")
	require.True(t, a.Changed)
	require.Equal(t, "Beyoncé", a.Artist)
	require.Equal(t, "Déjà Vu", a.Title)
	_, a = push(t, srv, slug, token, "application/x-www-form-urlencoded", "title=Caf%E9+-+Noir")
	require.Equal(t, "Café", a.Artist)
	require.Equal(t, "Noir", a.Title)

	// The venue page shows it and lists the track before it, escaped.
	srv.Invalidate()
	page := get(t, srv, "/locations/"+slug)
	require.Equal(t, 200, page.StatusCode)
	require.Contains(t, page.Body, "Noir")
	require.Contains(t, page.Body, "Solar Fields", "in the list of recent tracks")
	require.Contains(t, page.Body, "Nyx &lt;b&gt;Calloway&lt;/b&gt;")
	require.NotContains(t, page.Body, "<b>Calloway</b>")
}

// Every way a push can be wrong gets its status and a reason, and nothing
// is stored.
func TestNowPlayingPushBadInput(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	slug, token := pushVenue(t)
	_, other := pushVenue(t)
	cases := []struct {
		name, slug, token, ctype, body string
		status                         int
		reason                         string
	}{
		{"no token", slug, "", "application/json", `{"title":"x"}`, 401, "token"},
		{"wrong token", slug, "not-the-token", "application/json", `{"title":"x"}`, 401, "token"},
		{"another venue's token", slug, other, "application/json", `{"title":"x"}`, 401, "token"},
		{"unknown venue", "atlantis-" + slug, token, "application/json", `{"title":"x"}`, 404, "unknown location"},
		{"overlong slug", strings.Repeat("a", 5000), token, "application/json", `{"title":"x"}`, 404, "unknown location"},
		{"html in slug", url.PathEscape(`<script>x`), token, "application/json", `{"title":"x"}`, 404, "unknown location"},
		{"body over 16 KB", slug, token, "application/json", `{"title":"` + strings.Repeat("x", 17<<10) + `"}`, 413, "16384"},
		{"invalid JSON", slug, token, "application/json", `{"title":`, 400, "invalid JSON"},
		{"JSON syntax", slug, token, "application/json", `{"title" "x"}`, 400, "invalid JSON at byte"},
		{"two values", slug, token, "application/json", `{"title":"x"} {"title":"y"}`, 400, "more than one value"},
		{"number title", slug, token, "application/json", `{"title":1979}`, 400, "title must be a string"},
		{"object artist", slug, token, "application/json", `{"artist":{"a":1},"title":"x"}`, 400, "artist must be a string"},
		{"array body", slug, token, "application/json", `["x"]`, 400, "want a JSON object"},
		{"empty body", slug, token, "application/json", ``, 400, "empty or cut short"},
		{"no title", slug, token, "application/json", `{"artist":"Someone"}`, 400, "title (or song) is required"},
		{"only control characters", slug, token, "application/json", `{"title":"\u0001\u0002 \t"}`, 400, "required"},
		{"empty form", slug, token, "application/x-www-form-urlencoded", ``, 400, "required"},
		{"plain text", slug, token, "text/plain", `Artist - Title`, 415, "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, a := push(t, srv, tc.slug, tc.token, tc.ctype, tc.body)
			require.Equal(t, tc.status, res.StatusCode, a.Error)
			require.False(t, a.OK)
			require.Contains(t, a.Error, tc.reason)
			if tc.status == 401 {
				require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
	// None of it reached the venue.
	page := get(t, srv, "/locations/"+slug)
	require.NotContains(t, page.Body, "now-playing__track")
}

// A flood from one address is cut off with 429 and Retry-After, wrong
// tokens included, so guessing one gets nowhere.
func TestNowPlayingPushFlood(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	slug, token := pushVenue(t)
	for i := range 30 {
		res, _ := push(t, srv, slug, "guess-"+strconv.Itoa(i), "application/json", `{"title":"x"}`)
		require.Equal(t, 401, res.StatusCode)
	}
	res, a := push(t, srv, slug, token, "application/json", `{"title":"x"}`)
	require.Equal(t, 429, res.StatusCode)
	require.Equal(t, "too many requests", a.Error)
	n, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Positive(t, n)
}

// The location editor says when the venue's stream server fails, with the
// reason (escaped) and since when, and says so no more once it answers.
func TestLocationEditorShowsStreamHealth(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	var broken atomic.Bool
	broken.Store(true)
	stream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<h1>502 Bad Gateway</h1>"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"icestats":{"server_id":"Icecast 2.4.4"}}`))
	}))
	t.Cleanup(stream.Close)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{StreamKind: db.LocationsStreamKindIcecast, StatusURL: stream.URL + "/status-json.xsl"})
	editor := "/admin/locations/" + strconv.FormatInt(loc.ID, 10)

	res := p.as(t, http.MethodGet, editor, nil, false)
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, res.Body, "The stream server has not been polled yet.")

	require.NoError(t, p.srv.NowPlaying.Poll(t.Context()))
	res = p.as(t, http.MethodGet, editor, nil, false)
	d := doc(t, res.Body)
	health := d.Find("#admin-location-token .stream-health--bad").Text()
	require.Contains(t, health, "Stream source unhealthy: answered 502 Bad Gateway, since ")
	require.Contains(t, health, "Failed polls in a row: 1")

	broken.Store(false)
	require.NoError(t, p.srv.NowPlaying.Poll(t.Context()))
	res = p.as(t, http.MethodGet, editor, nil, false)
	require.NotContains(t, res.Body, "stream-health--bad")
	require.Contains(t, res.Body, "The stream server answered at ")
}
