package nowplaying_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/nowplaying"
	"github.com/dreamerscave/tdc/app/testenv"
)

// Real shapes of Icecast 2.4's status-json.xsl and SHOUTcast DNAS 2's
// stats?sid=1&json=1 (WIRE-CONTRACTS.md §4): the source object for one
// mount, an array for several, no source at all when nothing is live,
// titles the XSLT turned into numbers, booleans and null, the mount only in
// listenurl, dates with +HHMM offsets.
const (
	icecastHead = `{"icestats":{"admin":"icemaster@localhost","host":"localhost","location":"Earth","server_id":"Icecast 2.4.4",` +
		`"server_start":"Sun, 19 Jan 2025 10:30:59 +1100","server_start_iso8601":"2025-01-19T10:30:59+1100"`
	icecastOneMount = icecastHead + `,"source":{"audio_info":"bitrate=128","bitrate":128,"genre":"Electronic","listener_peak":12,` +
		`"listeners":7,"listenurl":"http://localhost:8000/live","server_description":"Unspecified description",` +
		`"server_name":"Dreamer's Cave","server_type":"audio/mpeg","server_url":"http://example.org",` +
		`"stream_start":"Sun, 19 Jan 2025 10:31:00 +1100","stream_start_iso8601":"2025-01-19T10:31:00+1100",` +
		`"title":"Nyx Calloway - Deep Blue","dummy":null}}}`
	icecastTwoMounts = icecastHead + `,"source":[` +
		`{"listeners":3,"listenurl":"http://localhost:8000/backup","server_name":"Unspecified name","stream_start_iso8601":"2025-01-19T10:31:00+1100","artist":"Backup Artist","title":"Backup Title","dummy":null},` +
		`{"listeners":9,"listenurl":"http://localhost:8000/live","server_name":"Live","stream_start_iso8601":"2025-01-19T10:31:00+1100","artist":"Solar Fields","title":"Sol","dummy":null}]}}`
	icecastNoSource  = icecastHead + `}}`
	icecastNumber    = icecastHead + `,"source":{"listenurl":"http://localhost:8000/live","title":1979,"dummy":null}}}`
	icecastBoolean   = icecastHead + `,"source":{"listenurl":"http://localhost:8000/live","artist":"The Band","title":true,"dummy":null}}}`
	icecastNullTitle = icecastHead + `,"source":{"listenurl":"http://localhost:8000/live","title":null,"dummy":null}}}`
	icecastByMount   = `{"icestats":{"server_id":"Icecast 2.5.0","source":{"/live":{"listenurl":"http://localhost:8000/live","artist":"Keyed","title":"By Mount"}}}}`
	shoutcastLive    = `{"currentlisteners":3,"peaklisteners":8,"maxlisteners":100,"uniquelisteners":3,"averagetime":120,"servergenre":"Electronic","serverurl":"http://example.org","servertitle":"Dreamer's Cave","songtitle":"Nyx Calloway - Deep Blue","dj":"Marlo","streamhits":40,"streamstatus":1,"backupstatus":0,"streamlisted":1,"streamlistederror":200,"streampath":"/stream","streamuptime":3600,"bitrate":"320","content":"audio/mpeg","version":"2.6.1.777 (posix(linux x64))"}`
	shoutcastOffAir  = `{"currentlisteners":0,"peaklisteners":8,"maxlisteners":100,"uniquelisteners":0,"averagetime":0,"servergenre":"Electronic","serverurl":"http://example.org","servertitle":"Dreamer's Cave","songtitle":"","nexttitle":"","streamhits":40,"streamstatus":0,"backupstatus":0,"streamlisted":0,"streamlistederror":200,"streampath":"/stream","bitrate":56,"content":"audio/mpeg","version":"2.6.1.777 (posix(linux x64))"}`
)

// serve answers path with body as JSON; any other path is a 404.
func serve(t *testing.T, path, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func serveFunc(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// polledVenue makes a venue whose kind server is polled at statusURL, its
// listeners sent to listenURL.
func polledVenue(t *testing.T, b testBundle, kind db.LocationsStreamKind, statusURL, listenURL string) string {
	t.Helper()
	loc := testenv.Location(t, b.q, testenv.LocationOpts{StreamKind: kind, StatusURL: statusURL})
	if listenURL != "" {
		_, err := testenv.DB(t).ExecContext(t.Context(), "UPDATE locations SET stream_listen_url = ? WHERE id = ?", listenURL, loc.ID)
		require.NoError(t, err)
	}
	return loc.Slug
}

// One poll of many venues: each server's real answer is read, off air is
// detected, only changes are published; hostile servers are logged and
// marked unhealthy, and the poll goes on past them. Not parallel: a poll
// asks every venue in the package's database.
func TestPoll(t *testing.T) {
	b := setup(t)
	ctx := t.Context()
	const ice, sc = db.LocationsStreamKindIcecast, db.LocationsStreamKindShoutcast
	const status = "/status-json.xsl"

	type want struct{ artist, title, dj string }
	good := map[string]want{}
	off := []string{}
	add := func(kind db.LocationsStreamKind, statusURL, listenURL string, w *want) string {
		slug := polledVenue(t, b, kind, statusURL, listenURL)
		if w != nil {
			good[slug] = *w
		} else {
			off = append(off, slug)
			// Something was playing before the source went away.
			_, err := b.svc.Record(ctx, slug, nowplaying.Track{Title: "Before - Silence"})
			require.NoError(t, err)
		}
		return slug
	}
	add(ice, serve(t, status, icecastOneMount).URL+status, "", &want{"Nyx Calloway", "Deep Blue", ""})
	add(ice, serve(t, status, icecastTwoMounts).URL+status, "https://stream.example.org/live", &want{"Solar Fields", "Sol", ""})
	add(ice, serve(t, status, icecastTwoMounts).URL+status, "https://stream.example.org/backup", &want{"Backup Artist", "Backup Title", ""})
	add(ice, serve(t, status, icecastTwoMounts).URL+status, "", &want{"Backup Artist", "Backup Title", ""})
	add(ice, serve(t, status, icecastNumber).URL+status, "", &want{"", "1979", ""})
	add(ice, serve(t, status, icecastBoolean).URL+status, "", &want{"The Band", "true", ""})
	add(ice, serve(t, status, icecastByMount).URL+"/", "http://localhost:8000/live", &want{"Keyed", "By Mount", ""})
	add(sc, serve(t, "/stats", shoutcastLive).URL, "", &want{"Nyx Calloway", "Deep Blue", "Marlo"})
	add(ice, serve(t, status, icecastNoSource).URL+status, "", nil)
	add(ice, serve(t, status, icecastNullTitle).URL+status, "", nil)
	add(ice, serve(t, status, icecastTwoMounts).URL+status, "https://stream.example.org/elsewhere", nil)
	add(sc, serve(t, "/stats", shoutcastOffAir).URL+"/stats?sid=1&json=1", "", nil)
	same := serve(t, status, icecastOneMount)
	moved := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, same.URL+status, http.StatusFound)
	})
	local := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, status, http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(icecastOneMount))
	})
	add(ice, local.URL+"/old", "", &want{"Nyx Calloway", "Deep Blue", ""})

	hang := make(chan struct{})
	hostile := map[string]string{ // slug → what the editor is told
		polledVenue(t, b, ice, serve(t, status, `}{ not json`).URL+status, ""): "not JSON",
		polledVenue(t, b, ice, serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("<html><body><h1>500 Internal Server Error</h1></body></html>"))
		}).URL+status, ""): "answered 500 Internal Server Error",
		polledVenue(t, b, ice, serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><title>Login</title><p>Please sign in"))
		}).URL+status, ""): "HTML page",
		polledVenue(t, b, ice, serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for range 160 { // 10 MB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}).URL+status, ""): "larger than 1048576 bytes",
		polledVenue(t, b, ice, moved.URL+status, ""): "redirected to another host",
		polledVenue(t, b, ice, serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}).URL+status, ""): "no answer within 1s",
		polledVenue(t, b, ice, serve(t, "/stats", shoutcastLive).URL+"/stats", ""):                 "no icestats",
		polledVenue(t, b, sc, serve(t, status, icecastOneMount).URL+status, ""):                    "no streamstatus",
		polledVenue(t, b, ice, serve(t, status, `{"icestats":{"source":"/live"}}`).URL+status, ""): "neither a mount nor a list",
		polledVenue(t, b, ice, serve(t, status, `[1,2,3]`).URL+status, ""):                         "not a status object",
		polledVenue(t, b, ice, "ftp://example.org/status", ""):                                     "not an http(s) address",
	}
	t.Cleanup(func() { close(hang) })
	b.pub.Take()

	require.NoError(t, b.svc.Poll(ctx))
	cur, err := b.svc.ByLocation(ctx)
	require.NoError(t, err)
	for slug, w := range good {
		got, ok := cur[slug]
		require.True(t, ok, "%s: a track", slug)
		require.Equal(t, want{got.Artist, got.Title, got.DJ}, w, slug)
		h, err := b.svc.SourceHealth(ctx, slug)
		require.NoError(t, err)
		require.False(t, h.Unhealthy(), "%s: %s", slug, h.LastError)
		require.False(t, h.LastOK.IsZero())
	}
	for _, slug := range off {
		require.NotContains(t, cur, slug, "off air")
		recent, err := b.svc.Recent(ctx, slug, 5)
		require.NoError(t, err)
		require.Equal(t, []string{"Silence"}, titles(recent), "the track before is history")
	}
	for slug, reason := range hostile {
		h, err := b.svc.SourceHealth(ctx, slug)
		require.NoError(t, err)
		require.True(t, h.Unhealthy(), slug)
		require.Contains(t, h.LastError, reason, slug)
		require.NotContains(t, h.LastError, status, "the status URL is not repeated")
		require.Equal(t, 1, h.Failures)
		require.Equal(t, *b.clock.Load(), h.Since)
		require.Len(t, b.logs.Lines("nowplaying: poll failed", "location="+slug), 1, b.logs.String())
		require.NotContains(t, cur, slug)
	}
	published := b.pub.Take()
	require.Len(t, published, 2*(len(good)+len(off)), "each change once, to the fragment and the screen")

	// The same answers again: nothing stored, nothing published; the
	// failures count up.
	require.NoError(t, b.svc.Poll(ctx))
	require.Empty(t, b.pub.Take())
	for slug := range hostile {
		h, err := b.svc.SourceHealth(ctx, slug)
		require.NoError(t, err)
		require.Equal(t, 2, h.Failures)
	}
}

// A server that stays down leaves the track as it was (the stream may
// well play on) and counts its failures for the editor. Not parallel (see
// TestPoll).
func TestPollKeepsTrackWhileServerIsDown(t *testing.T) {
	b := setup(t)
	ctx := t.Context()
	var up atomic.Bool
	down := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		if up.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(icecastNumber))
			return
		}
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	slug := polledVenue(t, b, db.LocationsStreamKindIcecast, down.URL+"/status-json.xsl", "")
	_, err := b.svc.Record(ctx, slug, nowplaying.Track{Artist: "Nyx Calloway", Title: "Deep Blue"})
	require.NoError(t, err)
	for range 5 {
		require.NoError(t, b.svc.Poll(ctx))
	}
	cur, err := b.svc.ByLocation(ctx)
	require.NoError(t, err)
	require.Equal(t, "Deep Blue", cur[slug].Title)
	h, err := b.svc.SourceHealth(ctx, slug)
	require.NoError(t, err)
	require.Equal(t, 5, h.Failures)
	require.Contains(t, h.LastError, "answered 503 Service Unavailable")

	// Back up: healthy again, and the new track is read.
	up.Store(true)
	require.NoError(t, b.svc.Poll(ctx))
	h, err = b.svc.SourceHealth(ctx, slug)
	require.NoError(t, err)
	require.Equal(t, nowplaying.Health{LastOK: *b.clock.Load()}, h)
	cur, err = b.svc.ByLocation(ctx)
	require.NoError(t, err)
	require.Equal(t, "1979", cur[slug].Title)
}
