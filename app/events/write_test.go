package events_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// recorder is a live.Publisher that keeps what was published.
// recorder remembers the topics a service publishes.
type recorder = testenv.Published

var (
	admin  = actor.Actor{Role: actor.RoleAdmin}
	editor = actor.Actor{Role: actor.RoleEditor}
	member = actor.Actor{Role: actor.RoleMember}
)

// writeBundle is a service with a recording publisher, a clock, and a venue
// and artists of the test's own.
type writeBundle struct {
	svc    *events.Service
	pub    *recorder
	sqlDB  *sql.DB
	q      *db.Queries
	now    time.Time
	loc    testenv.LocationRow
	loc2   testenv.LocationRow
	a1, a2 testenv.ArtistRow
}

func setupWrite(t *testing.T) writeBundle {
	t.Helper()
	sqlDB := testenv.DB(t)
	b := writeBundle{
		pub: &recorder{}, sqlDB: sqlDB, q: db.New(sqlDB),
		now: time.Date(2031, 3, 14, 20, 0, 0, 0, time.UTC),
	}
	b.svc = events.New(sqlDB, []string{"en", "de"}, func() time.Time { return b.now }, b.pub, testenv.Logger(t))
	b.loc = testenv.Location(t, b.q, testenv.LocationOpts{})
	b.loc2 = testenv.Location(t, b.q, testenv.LocationOpts{})
	b.a1 = testenv.Artist(t, b.q, testenv.ArtistOpts{})
	b.a2 = testenv.Artist(t, b.q, testenv.ArtistOpts{})
	return b
}

// input is a valid event at the bundle's venue, a day after now.
func (b writeBundle) input(title string) events.EventInput {
	start := b.now.Add(24 * time.Hour)
	return events.EventInput{
		Kind: events.KindLive, LocationID: b.loc.ID, StartsAt: start, EndsAt: start.Add(3 * time.Hour),
		Texts: map[string]events.Text{
			"en": {Title: title, Summary: "A summary", Description: "First line\nSecond line"},
			"de": {Title: title + " (de)"},
		},
		Lineup: []events.LineupInput{
			{ArtistID: b.a2.ID, Position: 2, SetStartsAt: start.Add(time.Hour), SetEndsAt: start.Add(2 * time.Hour)},
			{ArtistID: b.a1.ID, Position: 1, SetStartsAt: start, SetEndsAt: start.Add(time.Hour)},
		},
	}
}

// eventsAt counts the events at a venue, to prove a refused write left none.
func (b writeBundle) eventsAt(t *testing.T, locID int64) int {
	t.Helper()
	var n int
	require.NoError(t, b.sqlDB.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM events WHERE location_id = ?", locID).Scan(&n))
	return n
}

func requireField(t *testing.T, err error, field, msg string) {
	t.Helper()
	inv, ok := errors.AsType[*apperr.Invalid](err)
	require.Truef(t, ok, "want *apperr.Invalid, got %v", err)
	require.Containsf(t, inv.Fields, field, "fields: %v", inv)
	if msg != "" {
		require.Equal(t, msg, inv.Fields[field].ID, "field %s", field)
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	tag := testenv.Unique("t")
	in := b.input("Nacht über Köln & Straße " + tag)
	d, err := b.svc.Create(t.Context(), editor, in)
	require.NoError(t, err)
	require.Equal(t, "nacht-ueber-koeln-and-strasse-"+tag, d.Slug)
	require.Equal(t, int32(1), d.Version)
	require.False(t, d.Published)
	require.False(t, d.Cancelled)
	require.Equal(t, b.loc.Slug, d.LocationSlug)
	require.Equal(t, "First line\nSecond line", d.Texts["en"].Description)
	require.Equal(t, "Nacht über Köln & Straße "+tag+" (de)", d.Texts["de"].Title)
	require.Len(t, d.Lineup, 2)
	require.Equal(t, b.a1.ID, d.Lineup[0].ArtistID, "ordered by position")
	require.Equal(t, 1, d.Lineup[0].Position)
	require.Equal(t, b.a1.Slug, d.Lineup[0].ArtistSlug)
	require.True(t, d.Lineup[1].SetStartsAt.Equal(in.StartsAt.Add(time.Hour)))
	require.Equal(t, time.UTC, d.StartsAt.Location())

	// A draft shows on the back office only.
	require.Equal(t, []string{live.EventTopic(d.ID)}, b.pub.Take())

	entries, err := audit.New(b.sqlDB).ForEntity(t.Context(), audit.KindEvent, d.ID, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, events.ActionCreate, entries[0].Action)
	fields := map[string]audit.Change{}
	for _, c := range entries[0].Changes {
		fields[c.Field] = c
	}
	require.Equal(t, "Nacht über Köln & Straße "+tag, fields["title.en"].New)
	require.Equal(t, "", fields["title.en"].Old)
	require.Equal(t, b.loc.Slug, fields["location"].New)
	require.Contains(t, fields["lineup"].New, b.a1.Slug)

	// The same title again gets the next free slug.
	d2, err := b.svc.Create(t.Context(), editor, b.moved(in, 48*time.Hour))
	require.NoError(t, err)
	require.Equal(t, "nacht-ueber-koeln-and-strasse-"+tag+"-2", d2.Slug)
}

// moved returns in moved by delta, set times too.
func (b writeBundle) moved(in events.EventInput, delta time.Duration) events.EventInput {
	in.StartsAt, in.EndsAt = in.StartsAt.Add(delta), in.EndsAt.Add(delta)
	acts := make([]events.LineupInput, len(in.Lineup))
	for i, a := range in.Lineup {
		a.SetStartsAt, a.SetEndsAt = a.SetStartsAt.Add(delta), a.SetEndsAt.Add(delta)
		acts[i] = a
	}
	in.Lineup = acts
	return in
}

func TestCreateRules(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	// An event already at the venue, and one an admin allowed to overlap
	// at the second venue.
	// Far from the cases' own events, which start a week apart.
	busy := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc, Start: b.now.Add(2000 * 24 * time.Hour), Duration: 4 * time.Hour})
	festival := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc2, Start: b.now.Add(2100 * 24 * time.Hour), Duration: 48 * time.Hour, AllowOverlap: true})
	var pdfID int64
	res, err := b.sqlDB.ExecContext(t.Context(), "INSERT INTO media (sha256, content_type, size_bytes) VALUES (?, 'application/pdf', 10)", testenv.Unique("pdf"))
	require.NoError(t, err)
	pdfID, _ = res.LastInsertId()

	big := strings.Repeat("x", 10<<20)
	cases := []struct {
		name   string
		edit   func(in *events.EventInput)
		field  string
		msg    string
		forbid bool
		ok     bool
	}{
		{"valid", func(in *events.EventInput) {}, "", "", false, true},
		{"no kind", func(in *events.EventInput) { in.Kind = "" }, "kind", events.MsgUnknownKind, false, false},
		{"unknown kind", func(in *events.EventInput) { in.Kind = "rave'; DROP TABLE events" }, "kind", events.MsgUnknownKind, false, false},
		{"no location", func(in *events.EventInput) { in.LocationID = 0 }, "location", "error.content.required", false, false},
		{"unknown location", func(in *events.EventInput) { in.LocationID = 1 << 50 }, "location", events.MsgUnknownLocation, false, false},
		{"no start", func(in *events.EventInput) { in.StartsAt = time.Time{} }, "starts_at", events.MsgTimeRequired, false, false},
		{"no end", func(in *events.EventInput) { in.EndsAt = time.Time{} }, "ends_at", events.MsgTimeRequired, false, false},
		{"seconds", func(in *events.EventInput) { in.StartsAt = in.StartsAt.Add(30 * time.Second) }, "starts_at", events.MsgTimeNotMinute, false, false},
		{"year 1999", func(in *events.EventInput) { in.StartsAt = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) }, "starts_at", events.MsgTimeOutOfRange, false, false},
		{"ends before start", func(in *events.EventInput) { in.EndsAt = in.StartsAt.Add(-time.Hour) }, "ends_at", events.MsgEndsBeforeStart, false, false},
		{"ends at start", func(in *events.EventInput) { in.EndsAt = in.StartsAt; in.Lineup = nil }, "ends_at", events.MsgEndsBeforeStart, false, false},
		{"over a week", func(in *events.EventInput) { in.EndsAt = in.StartsAt.Add(7*24*time.Hour + time.Minute) }, "ends_at", events.MsgTooLong, false, false},
		{"exactly a week", func(in *events.EventInput) { in.EndsAt = in.StartsAt.Add(7 * 24 * time.Hour) }, "", "", false, true},
		{"no title", func(in *events.EventInput) { in.Texts = map[string]events.Text{"en": {Summary: "only a summary"}} }, "title.en", events.MsgTitleRequired, false, false},
		{"german title only", func(in *events.EventInput) { in.Texts = map[string]events.Text{"de": {Title: "Nur Deutsch"}} }, "", "", false, true},
		{"unknown language", func(in *events.EventInput) { in.Texts["fr"] = events.Text{Title: "Soirée"} }, "title.fr", "error.content.unknown_language", false, false},
		{"title too long", func(in *events.EventInput) { in.Texts["en"] = events.Text{Title: strings.Repeat("é", 201)} }, "title.en", "error.content.too_long", false, false},
		{"title at the limit", func(in *events.EventInput) { in.Texts["en"] = events.Text{Title: strings.Repeat("é", 200)} }, "", "", false, true},
		{"10 MB description", func(in *events.EventInput) { in.Texts["en"] = events.Text{Title: "T", Description: big} }, "description.en", "error.content.too_long", false, false},
		{"description at the limit", func(in *events.EventInput) {
			in.Texts["en"] = events.Text{Title: "T", Description: strings.Repeat("😀", events.MaxDescription)}
		}, "", "", false, true},
		{"summary too long", func(in *events.EventInput) { in.Texts["de"] = events.Text{Summary: strings.Repeat("a", 501)} }, "summary.de", "error.content.too_long", false, false},
		{"invalid utf-8 title", func(in *events.EventInput) { in.Texts["en"] = events.Text{Title: "bad \xff\xfe"} }, "title.en", "error.content.invalid_utf8", false, false},
		{"invalid utf-8 summary", func(in *events.EventInput) { in.Texts["de"] = events.Text{Title: "x", Summary: "\xc3\x28"} }, "summary.de", "error.content.invalid_utf8", false, false},
		{"invalid utf-8 description", func(in *events.EventInput) { in.Texts["en"] = events.Text{Title: "x", Description: "ok \xed\xa0\x80"} }, "description.en", "error.content.invalid_utf8", false, false},
		{"line break in title", func(in *events.EventInput) { in.Texts["en"] = events.Text{Title: "two\nlines"} }, "title.en", "error.content.no_line_breaks", false, false},
		{"control character", func(in *events.EventInput) { in.Texts["en"] = events.Text{Title: "bell\a"} }, "title.en", "error.content.control_chars", false, false},
		{"overlap", func(in *events.EventInput) {
			in.StartsAt, in.EndsAt, in.Lineup = busy.StartsAt.Add(time.Hour), busy.EndsAt.Add(time.Hour), nil
		}, "starts_at", events.MsgOverlap, false, false},
		{"touching is no overlap", func(in *events.EventInput) {
			in.StartsAt, in.EndsAt, in.Lineup = busy.EndsAt, busy.EndsAt.Add(time.Hour), nil
		}, "", "", false, true},
		{"overlap with an event allowed to overlap", func(in *events.EventInput) {
			in.LocationID, in.StartsAt, in.EndsAt, in.Lineup = b.loc2.ID, festival.StartsAt.Add(time.Hour), festival.StartsAt.Add(2*time.Hour), nil
		}, "", "", false, true},
		{"editor allowing overlap", func(in *events.EventInput) { in.AllowOverlap = true }, "", "", true, false},
		{"unknown artist", func(in *events.EventInput) { in.Lineup[0].ArtistID = 1 << 50 }, fmt.Sprintf("lineup.%d.artist", 1<<50), events.MsgUnknownArtist, false, false},
		{"artist twice", func(in *events.EventInput) { in.Lineup[0].ArtistID = b.a1.ID }, fmt.Sprintf("lineup.%d.artist", b.a1.ID), events.MsgDuplicateArtist, false, false},
		{"too many acts", func(in *events.EventInput) { in.Lineup = make([]events.LineupInput, events.MaxLineup+1) }, "lineup", events.MsgLineupTooLong, false, false},
		{"set before the event", func(in *events.EventInput) { in.Lineup[1].SetStartsAt = in.StartsAt.Add(-time.Minute) }, fmt.Sprintf("lineup.%d.set_starts_at", b.a1.ID), events.MsgSetOutside, false, false},
		{"set after the event", func(in *events.EventInput) { in.Lineup[0].SetEndsAt = in.EndsAt.Add(time.Minute) }, fmt.Sprintf("lineup.%d.set_ends_at", b.a2.ID), events.MsgSetOutside, false, false},
		{"set ends before it starts", func(in *events.EventInput) { in.Lineup[1].SetEndsAt = in.Lineup[1].SetStartsAt }, fmt.Sprintf("lineup.%d.set_ends_at", b.a1.ID), events.MsgSetEndBeforeStart, false, false},
		{"set end without start", func(in *events.EventInput) { in.Lineup[1].SetStartsAt = time.Time{} }, fmt.Sprintf("lineup.%d.set_starts_at", b.a1.ID), events.MsgSetEndWithoutStart, false, false},
		{"unannounced sets", func(in *events.EventInput) {
			in.Lineup[0].SetStartsAt, in.Lineup[0].SetEndsAt = time.Time{}, time.Time{}
		}, "", "", false, true},
		{"unknown cover", func(in *events.EventInput) { in.CoverMediaID = 1 << 50 }, "cover", "error.content.unknown_image", false, false},
		{"cover not an image", func(in *events.EventInput) { in.CoverMediaID = pdfID }, "cover", "error.content.unknown_image", false, false},
		{"create key too long", func(in *events.EventInput) { in.CreateKey = strings.Repeat("k", 65) }, "create_key", "", false, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := b.moved(b.input(fmt.Sprintf("Rule %d", i)), time.Duration(i)*8*24*time.Hour)
			in.Texts = map[string]events.Text{"en": in.Texts["en"], "de": in.Texts["de"]}
			in.Lineup = append([]events.LineupInput(nil), in.Lineup...)
			tc.edit(&in)
			before := b.eventsAt(t, in.LocationID)
			d, err := b.svc.Create(t.Context(), editor, in)
			switch {
			case tc.ok:
				require.NoError(t, err)
				require.NotZero(t, d.ID)
				return
			case tc.forbid:
				require.ErrorIs(t, err, apperr.ErrForbidden)
			default:
				requireField(t, err, tc.field, tc.msg)
			}
			if in.LocationID > 0 {
				require.Equal(t, before, b.eventsAt(t, in.LocationID), "a refused create writes nothing")
			}
		})
	}
}

func TestHostileTextStoredAsTyped(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	tag := testenv.Unique("t")
	hostile := `<script>alert("x")</script> & <b onmouseover='y'>` + tag
	in := b.input(hostile)
	in.Texts["en"] = events.Text{Title: hostile, Summary: hostile, Description: hostile}
	d, err := b.svc.Create(t.Context(), editor, in)
	require.NoError(t, err)
	require.Equal(t, hostile, d.Texts["en"].Title)
	require.Equal(t, hostile, d.Texts["en"].Summary)
	require.Equal(t, hostile, d.Texts["en"].Description)
	require.Equal(t, "script-alert-x-script-and-b-onmouseover-y-"+tag, d.Slug)
	d, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "title.de", "  "+hostile+"  ")
	require.NoError(t, err)
	require.Equal(t, hostile, d.Texts["de"].Title, "trimmed, otherwise as typed")
}

func TestPatchFields(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	var imageID int64
	res, err := b.sqlDB.ExecContext(t.Context(), "INSERT INTO media (sha256, content_type, size_bytes) VALUES (?, 'image/webp', 10)", testenv.Unique("img"))
	require.NoError(t, err)
	imageID, _ = res.LastInsertId()
	start := b.now.Add(24 * time.Hour)
	cases := []struct {
		field, value string
		errField     string // "" when the patch must succeed
		msg          string
		check        func(t *testing.T, d events.Draft)
	}{
		{"title.en", "  New title  ", "", "", func(t *testing.T, d events.Draft) { require.Equal(t, "New title", d.Texts["en"].Title) }},
		{"title.en", "", "", "", func(t *testing.T, d events.Draft) {
			require.Empty(t, d.Texts["en"].Title)
			require.True(t, strings.HasPrefix(d.Slug, "patch-1-de"), "a draft's slug follows the title it has: %s", d.Slug)
		}},
		{"title.de", "Neuer Titel", "", "", func(t *testing.T, d events.Draft) { require.Equal(t, "Neuer Titel", d.Texts["de"].Title) }},
		{"title.fr", "Nouveau", "title.fr", "error.content.unknown_language", nil},
		{"title.en", strings.Repeat("a", 201), "title.en", "error.content.too_long", nil},
		{"title.en", "a\xffb", "title.en", "error.content.invalid_utf8", nil},
		{"summary.en", "Line one\r\nLine two", "", "", func(t *testing.T, d events.Draft) { require.Equal(t, "Line one\nLine two", d.Texts["en"].Summary) }},
		{"summary.de", strings.Repeat("ä", 501), "summary.de", "error.content.too_long", nil},
		{"description.en", "<script>alert(1)</script>", "", "", func(t *testing.T, d events.Draft) {
			require.Equal(t, "<script>alert(1)</script>", d.Texts["en"].Description)
		}},
		{"description.en", strings.Repeat("x", 10<<20), "description.en", "error.content.too_long", nil},
		{"kind", "talk", "", "", func(t *testing.T, d events.Draft) { require.Equal(t, events.KindTalk, d.Kind) }},
		{"kind", "concert", "kind", events.MsgUnknownKind, nil},
		{"location", b.loc2.Slug, "", "", func(t *testing.T, d events.Draft) {
			require.Equal(t, b.loc2.ID, d.LocationID)
			require.Equal(t, b.loc2.Slug, d.LocationSlug)
		}},
		{"location", "no-such-venue", "location", events.MsgUnknownLocation, nil},
		{"location", "", "location", "error.content.required", nil},
		{"starts_at", start.Add(-time.Hour).Format(time.RFC3339), "", "", func(t *testing.T, d events.Draft) {
			require.True(t, d.StartsAt.Equal(start.Add(-time.Hour)))
		}},
		{"starts_at", "2031-03-15T21:00:00+02:00", "", "", func(t *testing.T, d events.Draft) {
			require.True(t, d.StartsAt.Equal(time.Date(2031, 3, 15, 19, 0, 0, 0, time.UTC)))
		}},
		{"starts_at", "tomorrow", "starts_at", "error.content.bad_time", nil},
		{"starts_at", "2031-02-30T20:00:00Z", "starts_at", "error.content.bad_time", nil},
		{"starts_at", "", "starts_at", events.MsgTimeRequired, nil},
		{"starts_at", start.Add(30 * time.Second).Format(time.RFC3339), "starts_at", events.MsgTimeNotMinute, nil},
		{"starts_at", start.Add(4 * time.Hour).Format(time.RFC3339), "starts_at", events.MsgEndsBeforeStart, nil},
		{"ends_at", start.Add(8 * 24 * time.Hour).Format(time.RFC3339), "ends_at", events.MsgTooLong, nil},
		{"ends_at", start.Add(90 * time.Minute).Format(time.RFC3339), "ends_at", events.MsgSetsOutside, nil},
		{"ends_at", start.Add(4 * time.Hour).Format(time.RFC3339), "", "", func(t *testing.T, d events.Draft) {
			require.True(t, d.EndsAt.Equal(start.Add(4*time.Hour)))
		}},
		{"cover", fmt.Sprint(imageID), "", "", func(t *testing.T, d events.Draft) { require.Equal(t, imageID, d.CoverMediaID) }},
		{"cover", "12abc", "cover", "error.content.unknown_image", nil},
		{"cover", "99999999999", "cover", "error.content.unknown_image", nil},
		{"allow_overlap", "maybe", "allow_overlap", "error.content.bad_bool", nil},
		{"slug", "my-slug", "slug", "error.content.unknown_field", nil},
		{"published", "true", "published", "error.content.unknown_field", nil},
		{"title", "x", "title", "error.content.unknown_field", nil},
		{"nonsense.en", "x", "nonsense.en", "error.content.unknown_field", nil},
		{strings.Repeat("f", 1000), "x", "field", "error.content.unknown_field", nil},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d %.20s", i, tc.field), func(t *testing.T) {
			t.Parallel()
			in := b.input(fmt.Sprintf("Patch %d", i))
			in.LocationID = testenv.Location(t, b.q, testenv.LocationOpts{}).ID
			d, err := b.svc.Create(t.Context(), editor, in)
			require.NoError(t, err)
			got, err := b.svc.Patch(t.Context(), editor, d.ID, d.Version, tc.field, tc.value)
			if tc.errField == "" {
				require.NoError(t, err)
				require.Equal(t, d.Version+1, got.Version)
				tc.check(t, got)
				return
			}
			requireField(t, err, tc.errField, tc.msg)
			after, err := b.svc.AdminGet(t.Context(), d.ID)
			require.NoError(t, err)
			require.Equal(t, d.Version, after.Version, "a refused patch writes nothing")
		})
	}
}

func TestPatchConflict(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	d, err := b.svc.Create(t.Context(), editor, b.input("Two tabs"))
	require.NoError(t, err)

	// Two tabs, both based on version 1, save the same field.
	first, err := b.svc.Patch(t.Context(), editor, d.ID, d.Version, "title.en", "Tab one")
	require.NoError(t, err)
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "title.en", "Tab two")
	require.ErrorIs(t, err, apperr.ErrConflict)
	now, err := b.svc.AdminGet(t.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, "Tab one", now.Texts["en"].Title, "no silent overwrite")
	require.Equal(t, first.Version, now.Version)

	// A colleague's change to another field also conflicts: the editor's
	// form is stale.
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "summary.en", "Stale")
	require.ErrorIs(t, err, apperr.ErrConflict)

	// A double submit of the change already made is answered with the
	// event as it is, and writes nothing.
	b.pub.Take()
	again, err := b.svc.Patch(t.Context(), editor, d.ID, d.Version, "title.en", "Tab one")
	require.NoError(t, err)
	require.Equal(t, first.Version, again.Version)
	require.Empty(t, b.pub.Take())
	entries, err := audit.New(b.sqlDB).ForEntity(t.Context(), audit.KindEvent, d.ID, 10)
	require.NoError(t, err)
	require.Len(t, entries, 2, "create and one update")

	// The full form conflicts the same way.
	_, err = b.svc.Update(t.Context(), editor, d.ID, d.Version, b.input("Old form"))
	require.ErrorIs(t, err, apperr.ErrConflict)
}

func TestConcurrentPatches(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	d, err := b.svc.Create(t.Context(), editor, b.input("Race"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "summary.en", fmt.Sprintf("writer %d", i))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		require.ErrorIs(t, err, apperr.ErrConflict)
	}
	require.Equal(t, 1, won, "exactly one writer wins")
	after, err := b.svc.AdminGet(t.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, d.Version+1, after.Version)
}

func TestAuditOfPatch(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	res, err := b.sqlDB.ExecContext(t.Context(), "INSERT INTO users (email, role) VALUES (?, 'editor')", testenv.Unique("ed")+"@example.com")
	require.NoError(t, err)
	uid, _ := res.LastInsertId()
	who := actor.Actor{UserID: uid, Role: actor.RoleEditor, IP: "198.51.100.7", RequestID: "req-1"}
	tag := testenv.Unique("t")
	d, err := b.svc.Create(t.Context(), who, b.input("Before "+tag))
	require.NoError(t, err)
	_, err = b.svc.Patch(t.Context(), who, d.ID, d.Version, "title.en", "After "+tag)
	require.NoError(t, err)
	entries, err := audit.New(b.sqlDB).ForEntity(t.Context(), audit.KindEvent, d.ID, 10)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	e := entries[0]
	require.Equal(t, events.ActionUpdate, e.Action)
	require.Equal(t, uid, e.UserID)
	require.Equal(t, "198.51.100.7", e.IP)
	require.True(t, e.At.Equal(b.now))
	require.Equal(t, []audit.Change{
		{Field: "slug", Old: "before-" + tag, New: "after-" + tag},
		{Field: "title.en", Old: "Before " + tag, New: "After " + tag},
	}, e.Changes)
}

func TestSlugFollowsTitleUntilPublished(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	tag := testenv.Unique("t")
	in := b.input("x")
	in.Texts = map[string]events.Text{"de": {Title: "Größte Nacht " + tag}}
	d, err := b.svc.Create(ctx, editor, in)
	require.NoError(t, err)
	require.Equal(t, "groesste-nacht-"+tag, d.Slug, "no default-language title yet: the German one")

	_, err = b.svc.Publish(ctx, editor, d.ID, d.Version)
	requireField(t, err, "title.en", events.MsgDefaultTitle)

	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "title.en", "Biggest Night "+tag)
	require.NoError(t, err)
	require.Equal(t, "biggest-night-"+tag, d.Slug, "the default language's title wins")
	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "title.de", "Andere Nacht")
	require.NoError(t, err)
	require.Equal(t, "biggest-night-"+tag, d.Slug, "another language's title leaves it")

	b.pub.Take()
	d, err = b.svc.Publish(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	require.True(t, d.Published)
	require.True(t, d.FirstPublishedAt.Equal(b.now))
	require.ElementsMatch(t, []string{
		live.EventTopic(d.ID), live.TopicEvents, live.LocationTopic(b.loc.Slug, "schedule"),
		live.LocationTopic(b.loc.Slug, "screen"), live.ArtistTopic(b.a1.Slug), live.ArtistTopic(b.a2.Slug),
	}, b.pub.Take())

	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "title.en", "Renamed Night")
	require.NoError(t, err)
	require.Equal(t, "biggest-night-"+tag, d.Slug, "stable once published")
	d, err = b.svc.Unpublish(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "title.en", "Renamed Again")
	require.NoError(t, err)
	require.Equal(t, "biggest-night-"+tag, d.Slug, "and after unpublishing")

	_, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "title.de", "")
	require.NoError(t, err)
	d, err = b.svc.Publish(ctx, editor, d.ID, d.Version+1)
	require.NoError(t, err)
	_, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "title.en", "")
	requireField(t, err, "title.en", events.MsgDefaultTitle)

	// Titles that leave nothing for a slug still get one.
	in = b.moved(b.input("x"), 72*time.Hour)
	in.Texts = map[string]events.Text{"en": {Title: "🎉🎉"}}
	d, err = b.svc.Create(ctx, editor, in)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(d.Slug, "event"), d.Slug)
}

func TestCancelAndReinstate(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, b.input("Called off"))
	require.NoError(t, err)
	d, err = b.svc.Publish(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	d, err = b.svc.Cancel(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	require.True(t, d.Cancelled)
	require.True(t, d.CancelledAt.Equal(b.now))
	require.True(t, d.Published, "stays visible")

	// Still on the programme, marked.
	ev, err := b.svc.Get(ctx, "en", d.Slug)
	require.NoError(t, err)
	require.True(t, ev.Cancelled)
	require.False(t, ev.Live(d.StartsAt.Add(time.Minute)), "a cancelled event is never live")
	page, err := b.svc.List(ctx, "en", events.Filter{Location: b.loc.Slug, From: b.now})
	require.NoError(t, err)
	require.Len(t, page.Events, 1)
	require.True(t, page.Events[0].Cancelled)

	// Cannot be published anew without reinstating.
	d, err = b.svc.Unpublish(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	_, err = b.svc.Publish(ctx, editor, d.ID, d.Version)
	requireField(t, err, "published", events.MsgPublishCancelled)

	// Its slot is free: another event takes it.
	other, err := b.svc.Create(ctx, editor, b.input("Replacement"))
	require.NoError(t, err)
	_, err = b.svc.Reinstate(ctx, editor, d.ID, d.Version)
	requireField(t, err, "starts_at", events.MsgOverlap)
	other, err = b.svc.Cancel(ctx, editor, other.ID, other.Version)
	require.NoError(t, err)
	d, err = b.svc.Reinstate(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	require.False(t, d.Cancelled)
	require.True(t, d.CancelledAt.IsZero())
	d, err = b.svc.Publish(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	require.True(t, d.Published)

	// Published events are cancelled, not deleted.
	err = b.svc.Delete(ctx, editor, d.ID, d.Version)
	requireField(t, err, "published", events.MsgDeletePublished)
}

func TestDeleteDraft(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, b.input("Scrapped"))
	require.NoError(t, err)
	require.ErrorIs(t, b.svc.Delete(ctx, member, d.ID, d.Version), apperr.ErrForbidden)
	require.ErrorIs(t, b.svc.Delete(ctx, editor, d.ID, d.Version+1), apperr.ErrConflict)
	require.NoError(t, b.svc.Delete(ctx, editor, d.ID, d.Version))
	_, err = b.svc.AdminGet(ctx, d.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.ErrorIs(t, b.svc.Delete(ctx, editor, d.ID, d.Version), apperr.ErrNotFound)
	entries, err := audit.New(b.sqlDB).ForEntity(ctx, audit.KindEvent, d.ID, 10)
	require.NoError(t, err)
	require.Equal(t, events.ActionDelete, entries[0].Action, "the log outlives the row")
}

func TestDuplicate(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	tag := testenv.Unique("t")
	src, err := b.svc.Create(ctx, editor, b.input("Weekly "+tag))
	require.NoError(t, err)
	src, err = b.svc.Publish(ctx, editor, src.ID, src.Version)
	require.NoError(t, err)

	week := 7 * 24 * time.Hour
	cp, err := b.svc.Duplicate(ctx, editor, src.ID)
	require.NoError(t, err)
	require.NotEqual(t, src.ID, cp.ID)
	require.Equal(t, "weekly-"+tag+"-2", cp.Slug)
	require.False(t, cp.Published)
	require.True(t, cp.StartsAt.Equal(src.StartsAt.Add(week)))
	require.True(t, cp.EndsAt.Equal(src.EndsAt.Add(week)))
	require.Equal(t, src.Texts, cp.Texts)
	require.Len(t, cp.Lineup, 2)
	require.True(t, cp.Lineup[0].SetStartsAt.Equal(src.Lineup[0].SetStartsAt.Add(week)))

	// The next week is taken now: the next copy goes a week further.
	cp2, err := b.svc.Duplicate(ctx, editor, src.ID)
	require.NoError(t, err)
	require.True(t, cp2.StartsAt.Equal(src.StartsAt.Add(2*week)))

	_, err = b.svc.Duplicate(ctx, member, src.ID)
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.Duplicate(ctx, editor, 1<<50)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

func TestMove(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, b.input("Mover"))
	require.NoError(t, err)
	to := d.StartsAt.Add(26 * time.Hour)
	m, err := b.svc.Move(ctx, editor, d.ID, d.Version, to)
	require.NoError(t, err)
	require.True(t, m.StartsAt.Equal(to))
	require.Equal(t, d.EndsAt.Sub(d.StartsAt), m.EndsAt.Sub(m.StartsAt))
	require.True(t, m.Lineup[0].SetStartsAt.Equal(d.Lineup[0].SetStartsAt.Add(26*time.Hour)))

	blocker := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc, Start: to.Add(48 * time.Hour)})
	_, err = b.svc.Move(ctx, editor, m.ID, m.Version, blocker.StartsAt)
	requireField(t, err, "starts_at", events.MsgOverlap)
}

func TestSetLineupAndSetTimes(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, b.input("Sets"))
	require.NoError(t, err)
	start := d.StartsAt
	a1 := actor.Actor{Role: actor.RoleArtist, ArtistID: b.a1.ID}

	// The artist moves their own set.
	d, err = b.svc.SetSetTimes(ctx, a1, d.ID, d.Version, b.a1.ID, start.Add(30*time.Minute), start.Add(90*time.Minute))
	require.NoError(t, err)
	require.True(t, d.Lineup[0].SetStartsAt.Equal(start.Add(30*time.Minute)))

	// ...within the event only.
	_, err = b.svc.SetSetTimes(ctx, a1, d.ID, d.Version, b.a1.ID, start.Add(-time.Hour), start)
	requireField(t, err, "set_starts_at", events.MsgSetOutside)
	_, err = b.svc.SetSetTimes(ctx, a1, d.ID, d.Version, b.a1.ID, start.Add(time.Hour), start)
	requireField(t, err, "set_ends_at", events.MsgSetEndBeforeStart)

	// Not someone else's set, and nothing else of the event.
	_, err = b.svc.SetSetTimes(ctx, a1, d.ID, d.Version, b.a2.ID, start, start.Add(time.Hour))
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.Patch(ctx, a1, d.ID, d.Version, "title.en", "Mine now")
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.SetLineup(ctx, a1, d.ID, d.Version, nil)
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.Publish(ctx, a1, d.ID, d.Version)
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.SetSetTimes(ctx, member, d.ID, d.Version, b.a1.ID, start, start.Add(time.Hour))
	require.ErrorIs(t, err, apperr.ErrForbidden)

	// An artist not in the lineup has no set to time.
	a3 := testenv.Artist(t, b.q, testenv.ArtistOpts{})
	_, err = b.svc.SetSetTimes(ctx, actor.Actor{Role: actor.RoleArtist, ArtistID: a3.ID}, d.ID, d.Version, a3.ID, start, start.Add(time.Hour))
	require.ErrorIs(t, err, apperr.ErrNotFound)

	// Staff replace the lineup.
	d, err = b.svc.SetLineup(ctx, editor, d.ID, d.Version, []events.LineupInput{{ArtistID: a3.ID}, {ArtistID: b.a1.ID}})
	require.NoError(t, err)
	require.Equal(t, []int64{a3.ID, b.a1.ID}, []int64{d.Lineup[0].ArtistID, d.Lineup[1].ArtistID})
	require.True(t, d.Lineup[0].SetStartsAt.IsZero())
	d, err = b.svc.SetLineup(ctx, editor, d.ID, d.Version, []events.LineupInput{})
	require.NoError(t, err)
	require.Empty(t, d.Lineup)
}

func TestRoles(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, b.input("Roles"))
	require.NoError(t, err)
	for _, a := range []actor.Actor{{}, member, {Role: actor.RoleArtist, ArtistID: b.a1.ID}} {
		_, err := b.svc.Create(ctx, a, b.input("Nope"))
		require.ErrorIs(t, err, apperr.ErrForbidden)
		_, err = b.svc.Update(ctx, a, d.ID, d.Version, b.input("Nope"))
		require.ErrorIs(t, err, apperr.ErrForbidden)
		_, err = b.svc.Cancel(ctx, a, d.ID, d.Version)
		require.ErrorIs(t, err, apperr.ErrForbidden)
	}
	// Only an admin says that events may overlap.
	_, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "allow_overlap", "true")
	require.ErrorIs(t, err, apperr.ErrForbidden)
	d, err = b.svc.Patch(ctx, admin, d.ID, d.Version, "allow_overlap", "true")
	require.NoError(t, err)
	require.True(t, d.AllowOverlap)
	// Then an overlapping event is fine, and editing it is too.
	o, err := b.svc.Create(ctx, editor, b.input("Inside"))
	require.NoError(t, err)
	_, err = b.svc.Patch(ctx, editor, o.ID, o.Version, "title.en", "Inside too")
	require.NoError(t, err)
	// An editor's full form that leaves the flag as it is passes.
	in := b.input("Roles again")
	in.AllowOverlap = true
	_, err = b.svc.Update(ctx, editor, d.ID, d.Version, in)
	require.NoError(t, err)
}

func TestUpdateReplacesWhatTheFormHolds(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	tag := testenv.Unique("t")
	d, err := b.svc.Create(ctx, editor, b.input("Full form"))
	require.NoError(t, err)
	in := b.input("Full form, edited")
	in.Kind = events.KindParty
	in.Texts = map[string]events.Text{"en": {Title: "Full form, edited " + tag}, "de": {}}
	in.Lineup = nil
	u, err := b.svc.Update(ctx, editor, d.ID, d.Version, in)
	require.NoError(t, err)
	require.Equal(t, events.KindParty, u.Kind)
	require.Equal(t, "Full form, edited "+tag, u.Texts["en"].Title)
	require.Empty(t, u.Texts["en"].Summary)
	require.NotContains(t, u.Texts, "de", "an emptied language goes")
	require.Len(t, u.Lineup, 2, "a nil lineup stays")
	require.Equal(t, "full-form-edited-"+tag, u.Slug)
}

func TestCreateKey(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	in := b.input("Double submit")
	in.CreateKey = testenv.Unique("form")
	var wg sync.WaitGroup
	got := make([]events.Draft, 4)
	errs := make([]error, 4)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = b.svc.Create(ctx, editor, in) })
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
		require.Equal(t, got[0].ID, got[i].ID)
	}
	require.Equal(t, 1, b.eventsAt(t, b.loc.ID))
	entries, err := audit.New(b.sqlDB).ForEntity(ctx, audit.KindEvent, got[0].ID, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
}

func TestTopicsOfPublicChanges(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, b.input("Topics"))
	require.NoError(t, err)
	d, err = b.svc.Publish(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	b.pub.Take()
	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "location", b.loc2.Slug)
	require.NoError(t, err)
	changes := b.pub.TakeChanges()
	var topics []string
	for _, c := range changes {
		topics = append(topics, c.Topic)
		require.Equal(t, d.ID, c.ID, "%s carries the event's id: the programme re-reads that event alone", c.Topic)
	}
	require.Equal(t, []string{
		live.EventTopic(d.ID), live.TopicEvents,
		live.LocationTopic(b.loc.Slug, "schedule"), live.LocationTopic(b.loc.Slug, "screen"),
		live.LocationTopic(b.loc2.Slug, "schedule"), live.LocationTopic(b.loc2.Slug, "screen"),
		live.ArtistTopic(b.a1.Slug), live.ArtistTopic(b.a2.Slug),
	}, topics)
	a3 := testenv.Artist(t, b.q, testenv.ArtistOpts{})
	_, err = b.svc.SetLineup(ctx, editor, d.ID, d.Version, []events.LineupInput{{ArtistID: a3.ID}})
	require.NoError(t, err)
	require.Contains(t, b.pub.Take(), live.ArtistTopic(b.a1.Slug), "a removed artist's page changes too")
}

// failAudit makes the audit insert fail for entries with summary: a step
// late in a write's transaction, after the event's rows are written.
func failAudit(t *testing.T, sqlDB *sql.DB, summary string) {
	t.Helper()
	name := strings.ReplaceAll(testenv.Unique("fail_audit"), "-", "_")
	_, err := sqlDB.ExecContext(t.Context(), fmt.Sprintf(
		"CREATE TRIGGER %s BEFORE INSERT ON audit_log FOR EACH ROW BEGIN "+
			"IF NEW.summary = '%s' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused'; END IF; END", name, summary))
	require.NoError(t, err)
	t.Cleanup(func() { sqlDB.ExecContext(context.Background(), "DROP TRIGGER IF EXISTS "+name) })
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	doomed := testenv.Unique("Doomed")
	failAudit(t, b.sqlDB, doomed)

	// A create: no event, no texts, no lineup.
	_, err := b.svc.Create(ctx, editor, b.input(doomed))
	require.ErrorContains(t, err, "audit refused")
	require.Zero(t, b.eventsAt(t, b.loc.ID))
	var n int
	require.NoError(t, b.sqlDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM event_translations WHERE title LIKE ?", doomed+"%").Scan(&n))
	require.Zero(t, n)
	require.Empty(t, b.pub.Take(), "nothing published for a rolled-back write")

	// An update: row, texts and lineup as they were.
	d, err := b.svc.Create(ctx, editor, b.input("Survivor"))
	require.NoError(t, err)
	b.pub.Take()
	in := b.moved(b.input(doomed), time.Hour)
	in.Lineup = []events.LineupInput{{ArtistID: b.a2.ID}}
	_, err = b.svc.Update(ctx, editor, d.ID, d.Version, in)
	require.ErrorContains(t, err, "audit refused")
	after, err := b.svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, after)
	require.Empty(t, b.pub.Take())
}

func TestAdminListAndDashboard(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	// A week of its own, far from other tests' events (and from earlier
	// runs' in the same database), on a Wednesday.
	b.now = time.Date(2200+rand.IntN(5000), 6, 6, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	svc := events.New(b.sqlDB, []string{"en", "de"}, func() time.Time { return b.now }, b.pub, testenv.Logger(t))
	before, err := svc.Dashboard(ctx, "en", b.now)
	require.NoError(t, err)
	mk := func(title string, at time.Duration, published, cancelled bool, kind db.EventsKind) testenv.EventRow {
		return testenv.Event(t, b.q, testenv.EventOpts{
			Location: b.loc, Start: b.now.Add(at), Title: title, Published: published, Cancelled: cancelled, Kind: kind,
			Titles: map[string]string{"de": title + " DE"},
		})
	}
	past := mk("Alpha past", -2*day, true, false, db.EventsKindLive)
	today := mk("Bravo today", 2*time.Hour, true, false, db.EventsKindDjSet)
	draft := mk("Charlie draft", 2*day, false, false, db.EventsKindTalk)
	cancelled := mk("Delta cancelled", 3*day, true, true, db.EventsKindDjSet)
	later := mk("Echo 100% later_", 30*day, true, false, db.EventsKindParty)

	ids := func(p events.AdminPage) []int64 {
		out := make([]int64, len(p.Events))
		for i, e := range p.Events {
			out[i] = e.ID
		}
		return out
	}
	cases := []struct {
		name string
		f    events.AdminFilter
		want []int64
	}{
		{"all", events.AdminFilter{}, []int64{past.ID, today.ID, draft.ID, cancelled.ID, later.ID}},
		{"drafts", events.AdminFilter{Status: events.StatusDraft}, []int64{draft.ID}},
		{"published", events.AdminFilter{Status: events.StatusPublished}, []int64{past.ID, today.ID, later.ID}},
		{"cancelled", events.AdminFilter{Status: events.StatusCancelled}, []int64{cancelled.ID}},
		{"past", events.AdminFilter{Status: events.StatusPast}, []int64{past.ID}},
		{"upcoming", events.AdminFilter{Status: events.StatusUpcoming}, []int64{today.ID, draft.ID, cancelled.ID, later.ID}},
		{"kind", events.AdminFilter{Kind: events.KindDJSet}, []int64{today.ID, cancelled.ID}},
		{"search title", events.AdminFilter{Q: "charlie"}, []int64{draft.ID}},
		{"search german title", events.AdminFilter{Q: "Delta cancelled DE"}, []int64{cancelled.ID}},
		{"search slug", events.AdminFilter{Q: today.Slug}, []int64{today.ID}},
		{"search is literal", events.AdminFilter{Q: "100% later_"}, []int64{later.ID}},
		{"wildcards are literal", events.AdminFilter{Q: "%"}, []int64{later.ID}},
		{"range", events.AdminFilter{From: b.now, To: b.now.Add(3 * day)}, []int64{today.ID, draft.ID}},
		{"newest first", events.AdminFilter{Sort: events.SortStartsAtDesc}, []int64{later.ID, cancelled.ID, draft.ID, today.ID, past.ID}},
		{"by title", events.AdminFilter{Sort: events.SortTitle}, []int64{past.ID, today.ID, draft.ID, cancelled.ID, later.ID}},
		{"page two", events.AdminFilter{PerPage: 2, Page: 2}, []int64{draft.ID, cancelled.ID}},
		{"page past the end", events.AdminFilter{PerPage: 2, Page: 99}, []int64{later.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Location = b.loc.Slug
			p, err := svc.AdminList(ctx, tc.f)
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(p))
		})
	}
	p, err := svc.AdminList(ctx, events.AdminFilter{Location: b.loc.Slug, Lang: "de", PerPage: 2})
	require.NoError(t, err)
	require.Equal(t, 5, p.Total)
	require.Equal(t, 3, p.Pages)
	require.Equal(t, "Alpha past DE", p.Events[0].Title.Value)
	require.Equal(t, b.loc.Slug, p.Events[0].LocationSlug)

	for _, f := range []events.AdminFilter{
		{Status: "deleted"}, {Sort: "id; DROP TABLE events"}, {Kind: "rave"}, {Location: "nowhere"},
		{From: b.now, To: b.now.Add(-day)},
	} {
		_, err := svc.AdminList(ctx, f)
		_, ok := errors.AsType[*apperr.Invalid](err)
		require.Truef(t, ok, "%+v: %v", f, err)
	}

	dash, err := svc.Dashboard(ctx, "en", b.now)
	require.NoError(t, err)
	require.Equal(t, []int64{today.ID}, summaryIDs(dash.Today, b.loc.Slug))
	require.Equal(t, []int64{today.ID, draft.ID, cancelled.ID}, summaryIDs(dash.Week, b.loc.Slug))
	require.Equal(t, 1, dash.Drafts-before.Drafts)
}

// summaryIDs lists the ids of the events at one venue.
func summaryIDs(s []events.AdminSummary, venue string) []int64 {
	var out []int64
	for _, e := range s {
		if e.LocationSlug == venue {
			out = append(out, e.ID)
		}
	}
	return out
}

func TestHappeningNowSkipsCancelled(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	on := testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(-time.Hour), Duration: 3 * time.Hour, Published: true})
	off := testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(-time.Hour), Duration: 3 * time.Hour, Published: true, Cancelled: true})
	now, err := b.svc.HappeningNow(t.Context(), "en", 1000)
	require.NoError(t, err)
	var slugs []string
	for _, e := range now {
		slugs = append(slugs, e.Slug)
	}
	require.Contains(t, slugs, on.Slug)
	require.NotContains(t, slugs, off.Slug)
}
