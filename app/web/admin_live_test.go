package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/media"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// adminClub is one row of each entity the back office shows live, in a
// database of its own (the settings' versions are summed, so no other
// test may save one under it).
type adminClub struct {
	srv    *web.Server
	sqlDB  *sql.DB
	venue  testenv.LocationRow
	artist testenv.ArtistRow
	event  testenv.EventRow // a draft: admin topics serve drafts too
	post   int64
	now    time.Time
}

func newAdminClub(t *testing.T) adminClub {
	t.Helper()
	dsn, sqlDB := testenv.ScratchDB(t, "adminlive")
	q := db.New(sqlDB)
	c := adminClub{sqlDB: sqlDB, now: time.Now().UTC().Truncate(time.Minute)}
	c.venue = testenv.Location(t, q, testenv.LocationOpts{Slug: "rev-cave", Name: "Secret Venue Name"})
	c.artist = testenv.Artist(t, q, testenv.ArtistOpts{Slug: "dj-rev", Name: "Secret Artist Name"})
	c.event = testenv.Event(t, q, testenv.EventOpts{Location: c.venue, Start: c.now.Add(48 * time.Hour), Title: "Secret Draft Title"})
	c.post, _ = testenv.Post(t, sqlDB, testenv.PostOpts{Slug: "rev-post", Status: "draft",
		Texts: map[string]testenv.PostText{"en": {Title: "Secret Post Title", Body: "Secret body"}}})
	cfg := testenv.Config(t)
	cfg.DatabaseDSN = dsn
	rdb, prefix := testenv.Redis(t)
	cfg.RedisKeyPrefix = prefix
	c.srv = testenv.Build(t, cfg, sqlDB, rdb, c.now)
	return c
}

// adminFrame renders topic and checks it is a lone marker: one hidden,
// empty element swapped out of band, with the id the page's marker has.
// It returns the version the marker carries.
func adminFrame(t *testing.T, srv *web.Server, topic, domID string) int64 {
	t.Helper()
	out, err := srv.RenderTopic(t.Context(), topic, slt)
	require.NoError(t, err, topic)
	require.Less(t, len(out), 120, "a marker, not a fragment: %s", out)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(out)))
	require.NoError(t, err)
	require.Equal(t, []string{domID}, roots(t, doc))
	m := doc.Find("#" + domID)
	require.Equal(t, "div", goquery.NodeName(m))
	_, hidden := m.Attr("hidden")
	_, marked := m.Attr("data-admin-rev")
	require.True(t, hidden && marked, "%s", out)
	require.Empty(t, strings.TrimSpace(m.Text()))
	require.Zero(t, m.Children().Length())
	v, err := strconv.ParseInt(m.AttrOr("data-version", ""), 10, 64)
	require.NoError(t, err, "%s", out)
	return v
}

// The frame of an admin topic says only which row changed and its version:
// no title, name or text, whatever the row holds; a row that does not
// exist, or a topic spelled otherwise, is no topic at all.
func TestAdminTopicFrames(t *testing.T) {
	t.Parallel()
	c := newAdminClub(t)
	ctx := t.Context()
	ed := actor.Actor{Role: actor.RoleEditor}

	ev, err := c.srv.Events.AdminGet(ctx, c.event.ID)
	require.NoError(t, err)
	topic := live.AdminTopic(live.AdminEvent, c.event.ID)
	domID := fmt.Sprintf("admin-rev-event-%d", c.event.ID)
	require.EqualValues(t, ev.Version, adminFrame(t, c.srv, topic, domID))
	// A hostile title is not in the frame either.
	_, err = c.srv.Events.Patch(ctx, ed, ev.ID, ev.Version, "title.en", `<script>alert(1)</script> Secret`)
	require.NoError(t, err)
	require.EqualValues(t, ev.Version+1, adminFrame(t, c.srv, topic, domID), "the new version")

	loc, err := c.srv.Locations.AdminGet(ctx, c.venue.ID)
	require.NoError(t, err)
	require.EqualValues(t, loc.Version, adminFrame(t, c.srv, live.AdminTopic(live.AdminLocation, c.venue.ID),
		fmt.Sprintf("admin-rev-location-%d", c.venue.ID)))
	art, err := c.srv.Artists.AdminGet(ctx, c.artist.ID)
	require.NoError(t, err)
	require.EqualValues(t, art.Version, adminFrame(t, c.srv, live.AdminTopic(live.AdminArtist, c.artist.ID),
		fmt.Sprintf("admin-rev-artist-%d", c.artist.ID)))
	post, err := c.srv.Blog.AdminGet(ctx, c.post)
	require.NoError(t, err)
	require.EqualValues(t, post.Version, adminFrame(t, c.srv, live.AdminTopic(live.AdminPost, c.post),
		fmt.Sprintf("admin-rev-post-%d", c.post)))

	before := adminFrame(t, c.srv, live.TopicAdminSettings, "admin-rev-settings")
	entries, err := c.srv.Settings.List(ctx)
	require.NoError(t, err)
	_, err = c.srv.Settings.Set(ctx, actor.System(), entries[0].Name, entries[0].Version, "Renamed Club")
	require.NoError(t, err)
	require.Equal(t, before+1, adminFrame(t, c.srv, live.TopicAdminSettings, "admin-rev-settings"), "a saved setting raises the sum")

	for _, topic := range []string{
		// Rows that do not exist: nothing to enumerate.
		"admin:event:999999999", "admin:location:999999999", "admin:artist:999999999", "admin:post:999999999",
		"admin:event:9223372036854775807",
		// Spellings of no admin topic.
		"admin:", "admin", "admin:event", "admin:event:", "admin:event:0", "admin:event:-1", "admin:event:01",
		"admin:event:1x", "admin:event:99999999999999999999", "admin:user:1", "admin:media:1", "admin:events",
		"admin:location:rev-cave", "admin:artist:dj-rev", "admin:settings:1", "admin:event:1:2",
		"admin:event:<b>", "admin:admin:event:1", "admin:event:" + strings.Repeat("9", 500),
	} {
		out, err := c.srv.RenderTopic(ctx, topic, slt)
		require.ErrorIs(t, err, live.ErrUnknownTopic, "%q", topic)
		require.Empty(t, out)
	}
}

// A back-office page follows its own admin topic, and carries the marker
// that the topic's frames replace, at the version it shows.
func TestAdminPagesFollowTheirTopic(t *testing.T) {
	t.Parallel()
	c := newAdminClub(t)
	admin := testenv.User(t, c.sqlDB, testenv.UserOpts{Role: actor.RoleAdmin})
	sess := testenv.SignIn(t, c.srv, admin.Email, testenv.DefaultPassword)
	ev, err := c.srv.Events.AdminGet(t.Context(), c.event.ID)
	require.NoError(t, err)
	for _, tc := range []struct {
		page, topic string
	}{
		{fmt.Sprintf("/admin/events/%d", c.event.ID), live.AdminTopic(live.AdminEvent, c.event.ID)},
		{fmt.Sprintf("/admin/locations/%d", c.venue.ID), live.AdminTopic(live.AdminLocation, c.venue.ID)},
		{fmt.Sprintf("/admin/artists/%d", c.artist.ID), live.AdminTopic(live.AdminArtist, c.artist.ID)},
		{fmt.Sprintf("/admin/blog/%d", c.post), live.AdminTopic(live.AdminPost, c.post)},
		{"/admin/settings", live.TopicAdminSettings},
	} {
		res := sess.Do(t, c.srv, sess.Request(http.MethodGet, tc.page+"?lang=en", nil))
		require.Equal(t, http.StatusOK, res.StatusCode, tc.page)
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(res.Body))
		require.NoError(t, err)
		socket := doc.Find("#live-socket")
		require.Equal(t, 1, socket.Length(), tc.page)
		require.Equal(t, "/ws?topic="+url.QueryEscape(tc.topic), socket.AttrOr("hx-ws:connect", ""), tc.page)
		require.NotEmpty(t, socket.AttrOr("data-live-changed", ""), "the notice's text, in the page's language")
		require.Equal(t, 1, doc.Find(`script[src*="hx-ws"]`).Length(), tc.page)
		// The frame's marker has the page marker's id and version.
		out, err := c.srv.RenderTopic(t.Context(), tc.topic, slt)
		require.NoError(t, err)
		frame, err := goquery.NewDocumentFromReader(strings.NewReader(string(out)))
		require.NoError(t, err)
		id := frame.Find("[data-admin-rev]").AttrOr("id", "")
		marker := doc.Find("#" + id)
		require.Equal(t, 1, marker.Length(), "%s: marker #%s", tc.page, id)
		require.Equal(t, frame.Find("#"+id).AttrOr("data-version", "x"), marker.AttrOr("data-version", "y"), tc.page)
		_, oob := marker.Attr("hx-swap-oob")
		require.False(t, oob, "the page's marker is in place, not out of band")
	}
	require.Contains(t, sess.Do(t, c.srv, sess.Request(http.MethodGet, fmt.Sprintf("/admin/events/%d", ev.ID), nil)).Body,
		fmt.Sprintf(`data-version="%d"`, ev.Version))

	// A page of no single entity follows nothing.
	res := sess.Do(t, c.srv, sess.Request(http.MethodGet, "/admin/events", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NotContains(t, res.Body, "live-socket")
	require.NotContains(t, res.Body, "data-admin-rev")
}

// adminChanges is a live.Publisher that keeps each change with its id, which
// an admin topic is made from.
type adminChanges struct {
	mu      sync.Mutex
	changes []live.Change
}

// tinyPNG is a small picture, a different one for each shade.
func tinyPNG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for i := range img.Pix {
		img.Pix[i] = shade + uint8(i%7)
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func (l *adminChanges) Changed(_ context.Context, topic string, id int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changes = append(l.changes, live.Change{Topic: topic, ID: id})
	return nil
}

// twins returns the admin topics of the changes published since the last
// call.
func (l *adminChanges) twins() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range l.changes {
		if a, ok := live.AdminTwin(c); ok {
			out = append(out, a.Topic)
		}
	}
	l.changes = nil
	return out
}

// What each service publishes after a save reaches the row's admin topic:
// the id a venue, artist or post change carries is that row's.
func TestServiceSavesReachAdminTopics(t *testing.T) {
	t.Parallel()
	c := newAdminClub(t)
	ctx := t.Context()
	log := &adminChanges{}
	cfg := testenv.Config(t)
	cfg.MediaDir = t.TempDir()
	rdb, prefix := testenv.Redis(t)
	cfg.RedisKeyPrefix = prefix
	svc := services.New(cfg, c.sqlDB, rdb, log, testenv.Logger(t), func() time.Time { return c.now })
	ed := actor.Actor{Role: actor.RoleEditor}
	admin := actor.System()

	ev, err := svc.Events.AdminGet(ctx, c.event.ID)
	require.NoError(t, err)
	_, err = svc.Events.Patch(ctx, ed, ev.ID, ev.Version, "summary.en", "New summary")
	require.NoError(t, err)
	require.Contains(t, log.twins(), live.AdminTopic(live.AdminEvent, c.event.ID), "a draft event's save")

	loc, err := svc.Locations.AdminGet(ctx, c.venue.ID)
	require.NoError(t, err)
	_, err = svc.Locations.Patch(ctx, ed, loc.ID, loc.Version, "tagline.en", "New tagline")
	require.NoError(t, err)
	require.Contains(t, log.twins(), live.AdminTopic(live.AdminLocation, c.venue.ID))

	art, err := svc.Artists.AdminGet(ctx, c.artist.ID)
	require.NoError(t, err)
	_, err = svc.Artists.Patch(ctx, admin, art.ID, art.Version, "genre.en", "Ambient")
	require.NoError(t, err)
	require.Contains(t, log.twins(), live.AdminTopic(live.AdminArtist, c.artist.ID))

	post, err := svc.Blog.AdminGet(ctx, c.post)
	require.NoError(t, err)
	_, err = svc.Blog.Patch(ctx, ed, post.ID, post.Version, "title.en", "New post title")
	require.NoError(t, err)
	require.Contains(t, log.twins(), live.AdminTopic(live.AdminPost, c.post))

	entries, err := svc.Settings.List(ctx)
	require.NoError(t, err)
	_, err = svc.Settings.Set(ctx, admin, entries[0].Name, entries[0].Version, "Another Club")
	require.NoError(t, err)
	require.Contains(t, log.twins(), live.TopicAdminSettings)

	// A picture's alt text changes the pages that show it: the artist's
	// change carries the artist's id, not the picture's.
	uploader := testenv.User(t, c.sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	up := actor.Actor{UserID: uploader.ID, Role: actor.RoleEditor}
	var pic media.Media
	for i := range 3 { // past the artist's id, so the two cannot be mistaken
		pic, err = svc.Media.Upload(ctx, up, fmt.Sprintf("pic%d.png", i), bytes.NewReader(tinyPNG(t, uint8(i))))
		require.NoError(t, err)
	}
	require.NotEqual(t, c.artist.ID, pic.ID)
	art, err = svc.Artists.AdminGet(ctx, c.artist.ID)
	require.NoError(t, err)
	_, err = svc.Artists.Patch(ctx, admin, art.ID, art.Version, "photo", strconv.FormatInt(pic.ID, 10))
	require.NoError(t, err)
	log.twins()
	require.NoError(t, svc.Media.SetAlt(ctx, up, pic.ID, "en", "A lantern"))
	require.Equal(t, []string{live.AdminTopic(live.AdminArtist, c.artist.ID)}, log.twins())

	// A refused save publishes nothing, so no admin page refreshes.
	_, err = svc.Events.Patch(ctx, ed, ev.ID, ev.Version, "title.en", "Stale")
	require.Error(t, err)
	require.Empty(t, log.twins())
}

// Over the socket: an editor's save through HTTP reaches a page following
// the event's admin topic as a marker with the new version, and nothing of
// what was typed.
func TestAdminTopicOverSocket(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	rdb, prefix := testenv.Redis(t)
	site := startLive(t, cfg, rdb, prefix)
	sqlDB := testenv.DB(t)
	ev := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Title: "Quiet Draft"})
	editor := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	sess := testenv.SignIn(t, site.srv, editor.Email, testenv.DefaultPassword)
	d, err := site.srv.Events.AdminGet(t.Context(), ev.ID)
	require.NoError(t, err)

	origin := http.Header{"Origin": {cfg.BaseURL.Scheme + "://" + cfg.BaseURL.Host}}
	ws, _, err := site.dial(t, origin, topics(live.AdminTopic(live.AdminEvent, ev.ID)))
	require.NoError(t, err)
	marker := fmt.Sprintf(`id="admin-rev-event-%d"`, ev.ID)
	first := testenv.NextFrame(t, ws)
	require.Contains(t, first, marker, "a fresh marker on connect")
	require.Contains(t, first, fmt.Sprintf(`data-version="%d"`, d.Version))

	form := url.Values{"value": {"Loud <b>Secret</b> Title"}, "version": {strconv.Itoa(int(d.Version))}}
	req := htmx(sess.Request(http.MethodPatch, fmt.Sprintf("/admin/events/%d/fields/title.en", ev.ID), strings.NewReader(form.Encode())))
	res := sess.Do(t, site.srv, req)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)

	frame := testenv.NextFrame(t, ws)
	require.Contains(t, frame, marker)
	require.Contains(t, frame, fmt.Sprintf(`data-version="%d"`, d.Version+1))
	require.NotContains(t, frame, "Secret")
	require.NotContains(t, frame, "Quiet")
}
