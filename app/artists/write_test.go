package artists_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// recorder remembers the topics a service publishes.
type recorder = testenv.Published

var (
	editor = actor.Actor{Role: actor.RoleEditor}
	member = actor.Actor{Role: actor.RoleMember}
)

type bundle struct {
	svc   *artists.Service
	pub   *recorder
	sqlDB *sql.DB
	q     *db.Queries
	now   time.Time
}

func setup(t *testing.T) bundle {
	t.Helper()
	b := bundle{pub: &recorder{}, sqlDB: testenv.DB(t), now: time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC)}
	b.q = db.New(b.sqlDB)
	b.svc = artists.New(b.sqlDB, []string{"en", "de"}, func() time.Time { return b.now }, b.pub, testenv.Logger(t))
	return b
}

// name is a unique artist name that sorts like the database sorts it.
func name(prefix string) string { return prefix + " " + strings.ToUpper(testenv.Unique("X")) }

func input(n string) artists.ArtistInput {
	return artists.ArtistInput{
		Name:  n,
		Texts: map[string]artists.Text{"en": {Genre: "Deep house", Bio: "Line one\nLine two"}, "de": {Genre: "Deep House"}},
		Links: []artists.Link{{Kind: "soundcloud", URL: "https://soundcloud.com/x"}, {Kind: "website", URL: "https://x.example"}},
	}
}

func requireField(t *testing.T, err error, field, msg string) {
	t.Helper()
	inv, ok := errors.AsType[*apperr.Invalid](err)
	require.Truef(t, ok, "want *apperr.Invalid, got %v", err)
	require.Containsf(t, inv.Fields, field, "fields: %v", inv)
	if msg != "" {
		require.Equal(t, msg, inv.Fields[field].ID)
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	n := name("Mister Lowtide")
	d, err := b.svc.Create(t.Context(), editor, input(n))
	require.NoError(t, err)
	require.Equal(t, strings.ToLower(strings.ReplaceAll(n, " ", "-")), d.Slug)
	require.Equal(t, int32(1), d.Version)
	require.Equal(t, []artists.Link{{Kind: "soundcloud", URL: "https://soundcloud.com/x"}, {Kind: "website", URL: "https://x.example"}}, d.Links)
	require.Equal(t, "Line one\nLine two", d.Texts["en"].Bio)
	require.Equal(t, []string{live.ArtistTopic(d.Slug), live.TopicArtists}, b.pub.Take())

	// Public at once, in both languages.
	pub, err := b.svc.Get(t.Context(), "de", d.Slug)
	require.NoError(t, err)
	require.Equal(t, "Deep House", pub.Genre.Value)
	require.True(t, pub.Bio.Fallback)

	// Without any text the artist still shows (the default-language row
	// the public pages read through is there, empty).
	bare, err := b.svc.Create(t.Context(), editor, artists.ArtistInput{Name: name("Bare")})
	require.NoError(t, err)
	_, err = b.svc.Get(t.Context(), "en", bare.Slug)
	require.NoError(t, err)
	require.Empty(t, bare.Texts)

	// The same name again: the next slug.
	again, err := b.svc.Create(t.Context(), editor, input(n))
	require.NoError(t, err)
	require.Equal(t, d.Slug+"-2", again.Slug)

	entries, err := audit.New(b.sqlDB).ForEntity(t.Context(), audit.KindArtist, d.ID, 5)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, artists.ActionCreate, entries[0].Action)
}

func TestCreateRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name  string
		edit  func(in *artists.ArtistInput)
		field string
		msg   string
	}{
		{"no name", func(in *artists.ArtistInput) { in.Name = " " }, "name", "error.content.required"},
		{"name too long", func(in *artists.ArtistInput) { in.Name = strings.Repeat("N", 201) }, "name", "error.content.too_long"},
		{"invalid utf-8 name", func(in *artists.ArtistInput) { in.Name = "DJ \xc0\xaf" }, "name", "error.content.invalid_utf8"},
		{"line break in name", func(in *artists.ArtistInput) { in.Name = "DJ\nTwo" }, "name", "error.content.no_line_breaks"},
		{"genre too long", func(in *artists.ArtistInput) { in.Texts["de"] = artists.Text{Genre: strings.Repeat("g", 201)} }, "genre.de", "error.content.too_long"},
		{"10 MB bio", func(in *artists.ArtistInput) { in.Texts["en"] = artists.Text{Bio: strings.Repeat("b", 10<<20)} }, "bio.en", "error.content.too_long"},
		{"unknown language", func(in *artists.ArtistInput) { in.Texts["es"] = artists.Text{Genre: "x"} }, "genre.es", "error.content.unknown_language"},
		{"unknown link kind", func(in *artists.ArtistInput) { in.Links[1].Kind = "myspace" }, "links.1.kind", artists.MsgUnknownLinkKind},
		{"javascript link", func(in *artists.ArtistInput) { in.Links[0].URL = "javascript:alert(1)" }, "links.0.url", "error.content.bad_url"},
		{"empty link", func(in *artists.ArtistInput) { in.Links[0].URL = "" }, "links.0.url", "error.content.required"},
		{"too many links", func(in *artists.ArtistInput) {
			in.Links = make([]artists.Link, artists.MaxLinks+1)
		}, "links", artists.MsgTooManyLinks},
		{"unknown photo", func(in *artists.ArtistInput) { in.PhotoMediaID = 1 << 50 }, "photo", "error.content.unknown_image"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := name("Rule")
			in := input(n)
			tc.edit(&in)
			_, err := b.svc.Create(t.Context(), editor, in)
			requireField(t, err, tc.field, tc.msg)
			var count int
			require.NoError(t, b.sqlDB.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM artists WHERE name = ?", in.Name).Scan(&count))
			require.Zero(t, count, "a refused create writes nothing")
		})
	}

	hostile := `<script>alert(1)</script>` + testenv.Unique("t")
	in := input(hostile)
	in.Texts["en"] = artists.Text{Genre: hostile, Bio: hostile}
	d, err := b.svc.Create(t.Context(), editor, in)
	require.NoError(t, err)
	require.Equal(t, hostile, d.Name)
	require.Equal(t, hostile, d.Texts["en"].Bio)
}

func TestPatchFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res, err := b.sqlDB.ExecContext(t.Context(), "INSERT INTO media (sha256, content_type, size_bytes) VALUES (?, 'image/jpeg', 10)", testenv.Unique("m"))
	require.NoError(t, err)
	photo, _ := res.LastInsertId()
	cases := []struct {
		field, value string
		errField     string
		msg          string
		check        func(t *testing.T, d artists.Draft)
	}{
		{"name", " Luma Vesper II ", "", "", func(t *testing.T, d artists.Draft) { require.Equal(t, "Luma Vesper II", d.Name) }},
		{"name", "", "name", "error.content.required", nil},
		{"name", "bad\xff", "name", "error.content.invalid_utf8", nil},
		{"genre.de", "Techno", "", "", func(t *testing.T, d artists.Draft) { require.Equal(t, "Techno", d.Texts["de"].Genre) }},
		{"genre.de", "", "", "", func(t *testing.T, d artists.Draft) { require.NotContains(t, d.Texts, "de") }},
		{"bio.en", "<b>bold</b>", "", "", func(t *testing.T, d artists.Draft) { require.Equal(t, "<b>bold</b>", d.Texts["en"].Bio) }},
		{"bio.en", "", "", "", func(t *testing.T, d artists.Draft) { require.Empty(t, d.Texts["en"].Bio) }},
		{"bio.en", strings.Repeat("ü", artists.MaxBio+1), "bio.en", "error.content.too_long", nil},
		{"bio.it", "x", "bio.it", "error.content.unknown_language", nil},
		{"photo", fmt.Sprint(photo), "", "", func(t *testing.T, d artists.Draft) { require.Equal(t, photo, d.PhotoMediaID) }},
		{"photo", "photo.jpg", "photo", "error.content.unknown_image", nil},
		{"links", "https://soundcloud.com/a\n\n  mixcloud   https://www.mixcloud.com/a/ \r\nhttps://artist.bandcamp.com\nhttps://example.org\nother https://example.net", "", "",
			func(t *testing.T, d artists.Draft) {
				require.Equal(t, []artists.Link{
					{Kind: "soundcloud", URL: "https://soundcloud.com/a"},
					{Kind: "mixcloud", URL: "https://www.mixcloud.com/a/"},
					{Kind: "bandcamp", URL: "https://artist.bandcamp.com"},
					{Kind: "website", URL: "https://example.org"},
					{Kind: "other", URL: "https://example.net"},
				}, d.Links)
			}},
		{"links", "", "", "", func(t *testing.T, d artists.Draft) { require.Empty(t, d.Links) }},
		{"links", "https://ok.example\nmyspace https://myspace.com/x", "links", artists.MsgLinkLine, nil},
		{"links", "website https://a.example extra", "links", artists.MsgLinkLine, nil},
		{"links", "javascript:alert(1)", "links", artists.MsgLinkLine, nil},
		{"links", strings.Repeat("https://a.example\n", artists.MaxLinks+1), "links", artists.MsgTooManyLinks, nil},
		{"links", "https://a.example/\xff", "links", "error.content.invalid_utf8", nil},
		{"slug", "new", "slug", "error.content.unknown_field", nil},
		{"genre", "x", "genre", "error.content.unknown_field", nil},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", i, tc.field), func(t *testing.T) {
			t.Parallel()
			d, err := b.svc.Create(t.Context(), editor, input(name("Patch")))
			require.NoError(t, err)
			got, err := b.svc.Patch(t.Context(), editor, d.ID, d.Version, tc.field, tc.value)
			if tc.errField == "" {
				require.NoError(t, err)
				require.Equal(t, d.Version+1, got.Version)
				require.Equal(t, d.Slug, got.Slug, "stable after create")
				tc.check(t, got)
				return
			}
			requireField(t, err, tc.errField, tc.msg)
			after, err := b.svc.AdminGet(t.Context(), d.ID)
			require.NoError(t, err)
			require.Equal(t, d, after, "a refused patch writes nothing")
		})
	}
}

func TestArtistsEditOnlyThemselves(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	own, err := b.svc.Create(ctx, editor, input(name("Own")))
	require.NoError(t, err)
	other, err := b.svc.Create(ctx, editor, input(name("Other")))
	require.NoError(t, err)
	me := actor.Actor{Role: actor.RoleArtist, ArtistID: own.ID}

	own, err = b.svc.Patch(ctx, me, own.ID, own.Version, "bio.en", "Written by me")
	require.NoError(t, err)
	own, err = b.svc.SetLinks(ctx, me, own.ID, own.Version, []artists.Link{{Kind: "instagram", URL: "https://instagram.com/me"}})
	require.NoError(t, err)
	require.Len(t, own.Links, 1)
	in := input(own.Name)
	in.Links = nil
	own, err = b.svc.Update(ctx, me, own.ID, own.Version, in)
	require.NoError(t, err)
	require.Len(t, own.Links, 1, "nil links stay")

	_, err = b.svc.Patch(ctx, me, other.ID, other.Version, "bio.en", "Hijacked")
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.Update(ctx, me, other.ID, other.Version, input("Hijacked"))
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.SetLinks(ctx, me, other.ID, other.Version, nil)
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.Create(ctx, me, input(name("Second me")))
	require.ErrorIs(t, err, apperr.ErrForbidden)
	require.ErrorIs(t, b.svc.Delete(ctx, me, own.ID, own.Version), apperr.ErrForbidden)
	// An artist-role user without an artist, and a member, own nothing.
	_, err = b.svc.Patch(ctx, actor.Actor{Role: actor.RoleArtist}, other.ID, other.Version, "name", "x")
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.Patch(ctx, member, other.ID, other.Version, "name", "x")
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.Patch(ctx, actor.Actor{}, other.ID, other.Version, "name", "x")
	require.ErrorIs(t, err, apperr.ErrForbidden)

	after, err := b.svc.AdminGet(ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, other, after)
}

func TestConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d, err := b.svc.Create(t.Context(), editor, input(name("Tabs")))
	require.NoError(t, err)
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "genre.en", "Dub")
	require.NoError(t, err)
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "genre.en", "Dubstep")
	require.ErrorIs(t, err, apperr.ErrConflict)
	after, err := b.svc.AdminGet(t.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, "Dub", after.Texts["en"].Genre)
	require.ErrorIs(t, b.svc.Delete(t.Context(), editor, d.ID, d.Version), apperr.ErrConflict)
}

func TestRenameReachesTheirEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, input(name("Renamed")))
	require.NoError(t, err)
	row := testenv.ArtistRow{ID: d.ID, Slug: d.Slug, Name: d.Name}
	upcoming := testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(48 * time.Hour), Published: true, Lineup: []testenv.ArtistRow{row}})
	testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(72 * time.Hour), Lineup: []testenv.ArtistRow{row}}) // a draft
	testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(-72 * time.Hour), Published: true, Lineup: []testenv.ArtistRow{row}})
	b.pub.Take()

	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "bio.en", "Only the page")
	require.NoError(t, err)
	require.Equal(t, []string{live.ArtistTopic(d.Slug), live.TopicArtists}, b.pub.Take())

	_, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "name", name("Renamed"))
	require.NoError(t, err)
	require.Equal(t, []live.Change{
		{Topic: live.ArtistTopic(d.Slug), ID: d.ID}, {Topic: live.TopicArtists, ID: d.ID},
		{Topic: live.TopicEvents}, // the programme's id names one event, 0 any
		{Topic: live.EventTopic(upcoming.ID), ID: upcoming.ID}, {Topic: live.LocationTopic(upcoming.LocationSlug, "schedule"), ID: d.ID},
	}, b.pub.TakeChanges(), "public events not yet over show the new name")
}

func TestDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	busy, err := b.svc.Create(ctx, editor, input(name("Busy")))
	require.NoError(t, err)
	row := testenv.ArtistRow{ID: busy.ID, Slug: busy.Slug}
	testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(24 * time.Hour), Lineup: []testenv.ArtistRow{row}})
	testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(48 * time.Hour), Published: true, Lineup: []testenv.ArtistRow{row}})
	testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(96 * time.Hour), Cancelled: true, Lineup: []testenv.ArtistRow{row}})
	err = b.svc.Delete(ctx, editor, busy.ID, busy.Version)
	requireField(t, err, "events", artists.MsgHasUpcomingEvents)
	inv, _ := errors.AsType[*apperr.Invalid](err)
	require.Equal(t, 2, inv.Fields["events"].Args["Count"], "cancelled events do not count")

	gone, err := b.svc.Create(ctx, editor, input(name("Retired")))
	require.NoError(t, err)
	past := testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.AddDate(0, -1, 0), Published: true,
		Lineup: []testenv.ArtistRow{{ID: gone.ID, Slug: gone.Slug}}})
	require.ErrorIs(t, b.svc.Delete(ctx, member, gone.ID, gone.Version), apperr.ErrForbidden)
	b.pub.Take()
	require.NoError(t, b.svc.Delete(ctx, editor, gone.ID, gone.Version))
	require.Equal(t, []live.Change{
		{Topic: live.ArtistTopic(gone.Slug), ID: gone.ID}, {Topic: live.TopicArtists, ID: gone.ID}, {Topic: live.TopicEvents},
	}, b.pub.TakeChanges())
	_, err = b.svc.AdminGet(ctx, gone.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	var acts int
	require.NoError(t, b.sqlDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM event_artists WHERE event_id = ?", past.ID).Scan(&acts))
	require.Zero(t, acts, "the past lineup loses them")
	entries, err := audit.New(b.sqlDB).ForEntity(ctx, audit.KindArtist, gone.ID, 5)
	require.NoError(t, err)
	require.Equal(t, artists.ActionDelete, entries[0].Action)
}

func TestAdminList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	tag := strings.ToUpper(testenv.Unique("Q"))
	var ids []int64
	for _, n := range []string{"Alpha " + tag, "Beta " + tag, "Gamma " + tag} {
		d, err := b.svc.Create(ctx, editor, input(n))
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	p, err := b.svc.AdminList(ctx, artists.AdminFilter{Q: strings.ToLower(tag), PerPage: 2})
	require.NoError(t, err)
	require.Equal(t, 3, p.Total)
	require.Equal(t, 2, p.Pages)
	require.Equal(t, []int64{ids[0], ids[1]}, []int64{p.Artists[0].ID, p.Artists[1].ID})
	p, err = b.svc.AdminList(ctx, artists.AdminFilter{Q: tag, PerPage: 2, Page: 7})
	require.NoError(t, err)
	require.Equal(t, 2, p.Page)
	require.Len(t, p.Artists, 1)
	require.Equal(t, ids[2], p.Artists[0].ID)
	p, err = b.svc.AdminList(ctx, artists.AdminFilter{Q: "%_" + tag})
	require.NoError(t, err)
	require.Zero(t, p.Total, "wildcards are literal")
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d, err := b.svc.Create(t.Context(), editor, input(name("Survivor")))
	require.NoError(t, err)
	b.pub.Take()
	trigger := strings.ReplaceAll(testenv.Unique("fail_audit"), "-", "_")
	_, err = b.sqlDB.ExecContext(t.Context(), fmt.Sprintf(
		"CREATE TRIGGER %s BEFORE INSERT ON audit_log FOR EACH ROW BEGIN "+
			"IF NEW.entity_kind = 'artist' AND NEW.entity_id = %d THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused'; END IF; END",
		trigger, d.ID))
	require.NoError(t, err)
	t.Cleanup(func() { b.sqlDB.ExecContext(context.Background(), "DROP TRIGGER IF EXISTS "+trigger) })

	in := input(name("Changed"))
	in.Texts = map[string]artists.Text{"en": {Genre: "Changed"}, "de": {}}
	in.Links = []artists.Link{{Kind: "youtube", URL: "https://youtube.com/x"}}
	_, err = b.svc.Update(t.Context(), editor, d.ID, d.Version, in)
	require.ErrorContains(t, err, "audit refused")
	after, err := b.svc.AdminGet(t.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, d, after)
	require.Empty(t, b.pub.Take())
}

func TestCreateKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := input(name("Twice"))
	in.CreateKey = testenv.Unique("form")
	first, err := b.svc.Create(t.Context(), editor, in)
	require.NoError(t, err)
	b.pub.Take()
	second, err := b.svc.Create(t.Context(), editor, in)
	require.NoError(t, err)
	require.Equal(t, first.ID, second.ID, "a double-submitted form makes one artist")
	require.Empty(t, b.pub.Take())
	var n int
	require.NoError(t, b.sqlDB.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM artists WHERE name = ?", in.Name).Scan(&n))
	require.Equal(t, 1, n)
}
