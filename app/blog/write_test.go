package blog_test

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
)

// recorder is a live.Publisher that remembers what was published.
// recorder remembers the topics a service publishes.
type recorder = testenv.Published

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

type testBundle struct {
	db     *sql.DB
	pub    *recorder
	clock  *clock
	audit  *audit.Service
	editor actor.Actor
	admin  actor.Actor
	// token is unique to the test, for titles the admin list can find.
	token string
}

var start = time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)

func setupWrite(t *testing.T) (*blog.Service, *testBundle) {
	t.Helper()
	sqlDB := testenv.DB(t)
	b := &testBundle{
		db: sqlDB, pub: &recorder{}, clock: &clock{t: start}, audit: audit.New(sqlDB),
		token: fmt.Sprintf("t%d", time.Now().UnixNano()),
	}
	b.editor = user(t, sqlDB, actor.RoleEditor)
	b.admin = user(t, sqlDB, actor.RoleAdmin)
	return blog.New(sqlDB, []string{"en", "de"}, b.pub, testenv.Logger(t), b.clock.now), b
}

// user inserts a user with role and returns it as an actor.
func user(t *testing.T, sqlDB *sql.DB, role actor.Role) actor.Actor {
	t.Helper()
	email := fmt.Sprintf("%s-%d@example.test", role, time.Now().UnixNano())
	res, err := sqlDB.ExecContext(t.Context(), `INSERT INTO users (email, display_name, role) VALUES (?, ?, ?)`,
		email, "Mira "+string(role), string(role))
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	return actor.Actor{UserID: id, Role: role, IP: "192.0.2.1", RequestID: "req-1"}
}

func post(title, body string) blog.PostInput {
	return blog.PostInput{Texts: map[string]blog.PostText{"en": {Title: title, Body: body}}}
}

// fieldErr returns the message ID of field in err, failing unless err is
// an *apperr.Invalid.
func fieldErr(t *testing.T, err error, field string) string {
	t.Helper()
	inv, ok := errors.AsType[*apperr.Invalid](err)
	require.True(t, ok, "want *apperr.Invalid, got %v", err)
	return inv.Fields[field].ID
}

func TestCreate(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	in := blog.PostInput{Texts: map[string]blog.PostText{
		"en": {Title: "  Über Nacht & Nebel " + b.token + "  ", Summary: "A night", Body: "**Hello**\r\n"},
		"de": {Title: "Über Nacht und Nebel", Body: "Hallo"},
	}}
	d, err := svc.Create(ctx, b.editor, in)
	require.NoError(t, err)
	require.Equal(t, "ueber-nacht-and-nebel-"+b.token, d.Slug)
	require.Equal(t, blog.StatusDraft, d.Status)
	require.Equal(t, 1, d.Version)
	require.Equal(t, "Mira editor", d.AuthorName, "the creator's display name when none is given")
	require.Equal(t, b.editor.UserID, d.AuthorID)
	require.Equal(t, "Über Nacht & Nebel "+b.token, d.Texts["en"].Title, "trimmed")
	require.Equal(t, "**Hello**", d.Texts["en"].Body)
	require.Equal(t, start, d.CreatedAt)
	require.True(t, d.PublishAt.IsZero())
	require.ElementsMatch(t, []string{"post:" + d.Slug, live.TopicPosts}, b.pub.Take())

	logged, err := b.audit.ForEntity(ctx, audit.KindPost, d.ID, 10)
	require.NoError(t, err)
	require.Len(t, logged, 1)
	require.Equal(t, blog.ActionCreate, logged[0].Action)
	require.Equal(t, b.editor.UserID, logged[0].UserID)
	require.Contains(t, logged[0].Changes, audit.Change{Field: "title.de", Old: "", New: "Über Nacht und Nebel"})

	// The same title again gets the next free slug.
	d2, err := svc.Create(ctx, b.editor, in)
	require.NoError(t, err)
	require.Equal(t, d.Slug+"-2", d2.Slug)
	d3, err := svc.Create(ctx, b.editor, in)
	require.NoError(t, err)
	require.Equal(t, d.Slug+"-3", d3.Slug)

	// No default-language title yet: a placeholder slug, fixed once it has one.
	de, err := svc.Create(ctx, b.editor, blog.PostInput{Texts: map[string]blog.PostText{"de": {Title: "Nur Deutsch"}}})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(de.Slug, "post"), de.Slug)
	de, err = svc.Patch(ctx, b.editor, de.ID, de.Version, "title.en", "English at last "+b.token)
	require.NoError(t, err)
	require.Equal(t, "english-at-last-"+b.token, de.Slug)
}

func TestCreateRejectsBadInput(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name, field, msg string
		in               blog.PostInput
	}{
		{"unknown language", "title.fr", blog.MsgLanguageUnknown, blog.PostInput{Texts: map[string]blog.PostText{"fr": {Title: "Bonjour"}}}},
		{"title too long", "title.en", blog.MsgTooLong, post(strings.Repeat("x", blog.MaxTitle+1), "")},
		{"summary too long", "summary.en", blog.MsgTooLong, blog.PostInput{Texts: map[string]blog.PostText{"en": {Title: "t", Summary: strings.Repeat("ü", blog.MaxSummary+1)}}}},
		{"10 MB body", "body.en", blog.MsgBodyTooLong, post("t", strings.Repeat("a", 10<<20))},
		{"invalid UTF-8 title", "title.en", blog.MsgInvalidUTF8, post("bad \xff\xfe", "")},
		{"invalid UTF-8 body", "body.en", blog.MsgInvalidUTF8, post("t", "bad \xc3\x28")},
		{"control characters", "title.en", blog.MsgControlChars, post("bell\x07", "")},
		{"NUL in body", "body.en", blog.MsgControlChars, post("t", "a\x00b")},
		{"bidi override", "title.en", blog.MsgControlChars, post("abc\u202edef", "")},
		{"author name too long", "author_name", blog.MsgTooLong, blog.PostInput{AuthorName: strings.Repeat("n", blog.MaxAuthorName+1)}},
		{"negative cover", "cover", blog.MsgCoverInvalid, blog.PostInput{CoverMediaID: -1}},
		{"unknown cover", "cover", blog.MsgCoverUnknown, blog.PostInput{CoverMediaID: 1 << 60}},
		{"bad category", "categories", blog.MsgCategoriesInvalid, blog.PostInput{CategoryIDs: []int64{0}}},
		{"unknown category", "categories", blog.MsgCategoriesUnknown, blog.PostInput{CategoryIDs: []int64{1 << 60}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Create(ctx, b.editor, tc.in)
			require.Equal(t, tc.msg, fieldErr(t, err, tc.field))
		})
	}
	// The longest title fits, in characters, though it is twice as many bytes.
	d, err := svc.Create(ctx, b.editor, post(strings.Repeat("ü", blog.MaxTitle), ""))
	require.NoError(t, err)
	require.Equal(t, blog.MaxTitle, len([]rune(d.Texts["en"].Title)))
	// Nothing from the refused attempts was written or published.
	require.Equal(t, []string{"post:" + d.Slug, live.TopicPosts}, b.pub.Take())
}

func TestHostileTextIsStoredAsTypedAndPreviewedSafely(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	script := `<script>alert("x")</script>`
	body := script + "\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)> **bold**"
	d, err := svc.Create(ctx, b.editor, blog.PostInput{
		Texts:      map[string]blog.PostText{"en": {Title: script, Summary: script, Body: body}},
		AuthorName: script,
	})
	require.NoError(t, err)
	require.Equal(t, "script-alert-x-script", d.Slug)
	got, err := svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, script, got.Texts["en"].Title)
	require.Equal(t, script, got.Texts["en"].Summary)
	require.Equal(t, body, got.Texts["en"].Body)
	require.Equal(t, script, got.AuthorName)

	html := string(svc.Preview("en", body))
	require.Contains(t, html, "<strong>bold</strong>")
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		require.NotContains(t, html, bad)
	}

	// Published, the public page renders the same sanitised body.
	got, err = svc.Publish(ctx, b.editor, d.ID, d.Version)
	require.NoError(t, err)
	pub, err := svc.Get(ctx, "en", got.Slug)
	require.NoError(t, err)
	require.Equal(t, html, string(pub.Body))
}

func TestPreviewIsBounded(t *testing.T) {
	t.Parallel()
	svc, _ := setupWrite(t)
	out := svc.Preview("en", strings.Repeat("word ", 2<<20)) // 10 MB
	require.Less(t, len(out), blog.MaxBody+1000)
	out = svc.Preview("de", "caf\xe9 *ok*")
	require.Equal(t, "<p>caf <em>ok</em></p>\n", string(out), "invalid bytes dropped")
	require.Empty(t, string(svc.Preview("en", "")))
}

func TestPatchFields(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	cat1, _ := testenv.Category(t, b.db, testenv.CategoryOpts{})
	cat2, _ := testenv.Category(t, b.db, testenv.CategoryOpts{})
	res, err := b.db.ExecContext(ctx, `INSERT INTO media (sha256, content_type, size_bytes) VALUES (?, 'image/png', 1)`,
		fmt.Sprintf("%064d", time.Now().UnixNano()))
	require.NoError(t, err)
	media, err := res.LastInsertId()
	require.NoError(t, err)

	for _, tc := range []struct {
		name, field, value string
		wantErr            string // message ID, "" for success
		check              func(t *testing.T, d blog.PostDraft)
	}{
		{"title", "title.en", " New title ", "", func(t *testing.T, d blog.PostDraft) {
			require.Equal(t, "New title", d.Texts["en"].Title)
		}},
		{"german title", "title.de", "Neuer Titel", "", func(t *testing.T, d blog.PostDraft) {
			require.Equal(t, "Neuer Titel", d.Texts["de"].Title)
		}},
		{"summary", "summary.en", "Line one\nline two", "", func(t *testing.T, d blog.PostDraft) {
			require.Equal(t, "Line one\nline two", d.Texts["en"].Summary)
		}},
		{"body", "body.de", "# Hallo\n\nWelt", "", func(t *testing.T, d blog.PostDraft) {
			require.Equal(t, "# Hallo\n\nWelt", d.Texts["de"].Body)
		}},
		{"author", "author_name", "DJ Nox", "", func(t *testing.T, d blog.PostDraft) {
			require.Equal(t, "DJ Nox", d.AuthorName)
		}},
		{"cover", "cover", fmt.Sprint(media), "", func(t *testing.T, d blog.PostDraft) {
			require.Equal(t, media, d.CoverMediaID)
		}},
		{"cover removed", "cover", "", "", func(t *testing.T, d blog.PostDraft) {
			require.Zero(t, d.CoverMediaID)
		}},
		{"categories", "categories", fmt.Sprintf("%d, %d,%d", cat2, cat1, cat2), "", func(t *testing.T, d blog.PostDraft) {
			require.ElementsMatch(t, []int64{cat1, cat2}, d.CategoryIDs)
		}},
		{"categories cleared", "categories", "", "", func(t *testing.T, d blog.PostDraft) {
			require.Empty(t, d.CategoryIDs)
		}},
		{"publish_at on a draft", "publish_at", "2031-07-01T20:00:00+02:00", "", func(t *testing.T, d blog.PostDraft) {
			require.Equal(t, time.Date(2031, 7, 1, 18, 0, 0, 0, time.UTC), d.PublishAt)
			require.Equal(t, blog.StatusDraft, d.Status, "a time alone publishes nothing")
		}},
		{"publish_at cleared", "publish_at", "", "", func(t *testing.T, d blog.PostDraft) {
			require.True(t, d.PublishAt.IsZero())
		}},
		{"unknown field", "slug", "mine", blog.MsgFieldUnknown, nil},
		{"unknown text field", "teaser.en", "x", blog.MsgFieldUnknown, nil},
		{"unknown language", "title.fr", "Bonjour", blog.MsgLanguageUnknown, nil},
		{"title too long", "title.en", strings.Repeat("t", blog.MaxTitle+1), blog.MsgTooLong, nil},
		{"body 10 MB", "body.en", strings.Repeat("b", 10<<20), blog.MsgBodyTooLong, nil},
		{"invalid UTF-8", "summary.de", "\xed\xa0\x80", blog.MsgInvalidUTF8, nil},
		{"control characters", "author_name", "a\x1b[31mb", blog.MsgControlChars, nil},
		{"cover not a number", "cover", "abc", blog.MsgCoverInvalid, nil},
		{"cover negative", "cover", "-3", blog.MsgCoverInvalid, nil},
		{"cover unknown", "cover", fmt.Sprint(int64(1) << 60), blog.MsgCoverUnknown, nil},
		{"categories not numbers", "categories", "1,x", blog.MsgCategoriesInvalid, nil},
		{"categories unknown", "categories", fmt.Sprint(int64(1) << 60), blog.MsgCategoriesUnknown, nil},
		{"categories too many", "categories", strings.TrimSuffix(manyIDs(blog.MaxCategories+1), ","), blog.MsgCategoriesTooMany, nil},
		{"publish_at not a time", "publish_at", "tomorrow", blog.MsgPublishAtInvalid, nil},
		{"publish_at without zone", "publish_at", "2031-07-01T20:00:00", blog.MsgPublishAtInvalid, nil},
		{"publish_at impossible date", "publish_at", "2031-02-30T20:00:00Z", blog.MsgPublishAtInvalid, nil},
		{"publish_at year 1", "publish_at", "0001-01-01T00:00:00Z", blog.MsgPublishAtInvalid, nil},
		{"publish_at too far", "publish_at", "2099-01-01T00:00:00Z", blog.MsgPublishAtTooFar, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id, _ := testenv.Post(t, b.db, testenv.PostOpts{Status: "draft"})
			before, err := svc.AdminGet(ctx, id)
			require.NoError(t, err)
			d, err := svc.Patch(ctx, b.editor, id, before.Version, tc.field, tc.value)
			if tc.wantErr != "" {
				require.Equal(t, tc.wantErr, fieldErr(t, err, tc.field))
				after, err := svc.AdminGet(ctx, id)
				require.NoError(t, err)
				require.Equal(t, before, after, "a refused patch changes nothing")
				return
			}
			require.NoError(t, err)
			if d.Version == before.Version {
				// Clearing what is already empty changes nothing.
				require.Equal(t, before, d)
			}
			tc.check(t, d)
			again, err := svc.AdminGet(ctx, id)
			require.NoError(t, err)
			require.Equal(t, d, again, "returned as stored")
		})
	}
}

func manyIDs(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%d,", i+1)
	}
	return b.String()
}

func TestUpdateReplacesTheForm(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	cat, _ := testenv.Category(t, b.db, testenv.CategoryOpts{})
	d, err := svc.Create(ctx, b.editor, blog.PostInput{
		Texts: map[string]blog.PostText{"en": {Title: "One " + b.token, Body: "b"}, "de": {Title: "Eins", Body: "d"}},
	})
	require.NoError(t, err)
	b.pub.Take()

	d, err = svc.Update(ctx, b.editor, d.ID, d.Version, blog.PostInput{
		Texts:       map[string]blog.PostText{"en": {Title: "Two " + b.token, Summary: "s", Body: "b2"}},
		AuthorName:  "Nox",
		CategoryIDs: []int64{cat, cat},
	})
	require.NoError(t, err)
	require.Equal(t, 2, d.Version)
	require.Equal(t, map[string]blog.PostText{"en": {Title: "Two " + b.token, Summary: "s", Body: "b2"}}, d.Texts, "German text removed")
	require.Equal(t, []int64{cat}, d.CategoryIDs)
	require.Equal(t, "two-"+b.token, d.Slug, "a draft's slug follows its title")
	require.ElementsMatch(t, []string{"post:one-" + b.token, "post:two-" + b.token, live.TopicPosts}, b.pub.Take())

	logged, err := b.audit.ForEntity(ctx, audit.KindPost, d.ID, 1)
	require.NoError(t, err)
	require.Equal(t, blog.ActionUpdate, logged[0].Action)
	require.Equal(t, []audit.Change{
		{Field: "slug", Old: "one-" + b.token, New: "two-" + b.token},
		{Field: "author_name", Old: "Mira editor", New: "Nox"},
		{Field: "categories", Old: "", New: fmt.Sprint(cat)},
		{Field: "title.en", Old: "One " + b.token, New: "Two " + b.token},
		{Field: "summary.en", Old: "", New: "s"},
		{Field: "body.en", Old: "b", New: "b2"},
		{Field: "title.de", Old: "Eins", New: ""},
		{Field: "body.de", Old: "d", New: ""},
	}, logged[0].Changes)

	// The same form again changes nothing: no version, no audit, no message.
	same, err := svc.Update(ctx, b.editor, d.ID, d.Version, blog.PostInput{
		Texts:      map[string]blog.PostText{"en": {Title: "Two " + b.token, Summary: "s", Body: "b2"}},
		AuthorName: "Nox", CategoryIDs: []int64{cat},
	})
	require.NoError(t, err)
	require.Equal(t, d, same)
	require.Empty(t, b.pub.Take())

	// Bad fields are keyed as Patch keys them, and nothing is written.
	_, err = svc.Update(ctx, b.editor, d.ID, d.Version, blog.PostInput{
		Texts: map[string]blog.PostText{"en": {Title: "ok"}, "de": {Title: strings.Repeat("x", 201), Body: "\xff"}},
	})
	inv, ok := errors.AsType[*apperr.Invalid](err)
	require.True(t, ok, err)
	require.Equal(t, blog.MsgTooLong, inv.Fields["title.de"].ID)
	require.Equal(t, blog.MsgInvalidUTF8, inv.Fields["body.de"].ID)
	after, err := svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, after)
}

func TestPublishScheduleUnpublish(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()

	t.Run("publishing needs a default-language title and body", func(t *testing.T) {
		d, err := svc.Create(ctx, b.editor, blog.PostInput{Texts: map[string]blog.PostText{"de": {Title: "Nur Deutsch", Body: "Text"}}})
		require.NoError(t, err)
		_, err = svc.Publish(ctx, b.editor, d.ID, d.Version)
		require.Equal(t, blog.MsgTitleRequired, fieldErr(t, err, "title.en"))
		require.Equal(t, blog.MsgBodyRequired, fieldErr(t, err, "body.en"))
		_, err = svc.Schedule(ctx, b.editor, d.ID, d.Version, start.Add(time.Hour))
		require.Equal(t, blog.MsgTitleRequired, fieldErr(t, err, "title.en"))
		after, err := svc.AdminGet(ctx, d.ID)
		require.NoError(t, err)
		require.Equal(t, d, after)
	})

	t.Run("publish now, then keep the slug", func(t *testing.T) {
		b.clock.set(start)
		d, err := svc.Create(ctx, b.editor, post("First "+b.token, "Body"))
		require.NoError(t, err)
		b.pub.Take()
		d, err = svc.Publish(ctx, b.editor, d.ID, d.Version)
		require.NoError(t, err)
		require.Equal(t, blog.StatusPublished, d.Status)
		require.Equal(t, start, d.PublishAt)
		require.True(t, d.SlugLocked)
		require.ElementsMatch(t, []string{"post:" + d.Slug, live.TopicPosts}, b.pub.Take())
		_, err = svc.Get(ctx, "en", d.Slug)
		require.NoError(t, err, "visible at once")

		// Publishing again changes nothing.
		again, err := svc.Publish(ctx, b.editor, d.ID, d.Version)
		require.NoError(t, err)
		require.Equal(t, d, again)
		require.Empty(t, b.pub.Take())

		slug := d.Slug
		d, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "title.en", "Renamed "+b.token)
		require.NoError(t, err)
		require.Equal(t, slug, d.Slug, "stable once published")

		// The published post can't lose its title or body, or move into the future.
		_, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "title.en", "")
		require.Equal(t, blog.MsgTitleRequired, fieldErr(t, err, "title.en"))
		_, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "body.en", " ")
		require.Equal(t, blog.MsgBodyRequired, fieldErr(t, err, "body.en"))
		_, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "publish_at", start.Add(time.Hour).Format(time.RFC3339))
		require.Equal(t, blog.MsgPublishAtFuture, fieldErr(t, err, "publish_at"))
		_, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "publish_at", "")
		require.Equal(t, blog.MsgPublishAtRequired, fieldErr(t, err, "publish_at"))
		d, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "publish_at", "2031-05-01T10:00:00Z")
		require.NoError(t, err, "backdating is fine")

		d, err = svc.Unpublish(ctx, b.editor, d.ID, d.Version)
		require.NoError(t, err)
		require.Equal(t, blog.StatusDraft, d.Status)
		_, err = svc.Get(ctx, "en", d.Slug)
		require.ErrorIs(t, err, apperr.ErrNotFound)
		d, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "title.en", "Third name "+b.token)
		require.NoError(t, err)
		require.Equal(t, slug, d.Slug, "still stable after unpublishing: links are out there")

		logged, err := b.audit.ForEntity(ctx, audit.KindPost, d.ID, 10)
		require.NoError(t, err)
		var actions []string
		for _, l := range logged {
			actions = append(actions, l.Action)
		}
		require.Equal(t, []string{"update", "unpublish", "update", "update", "publish", "create"}, actions)
	})

	t.Run("schedule, visible by time alone", func(t *testing.T) {
		b.clock.set(start)
		d, err := svc.Create(ctx, b.editor, post("Later "+b.token, "Body"))
		require.NoError(t, err)
		_, err = svc.Schedule(ctx, b.editor, d.ID, d.Version, start)
		require.Equal(t, blog.MsgPublishAtPast, fieldErr(t, err, "publish_at"))
		_, err = svc.Schedule(ctx, b.editor, d.ID, d.Version, start.AddDate(11, 0, 0))
		require.Equal(t, blog.MsgPublishAtTooFar, fieldErr(t, err, "publish_at"))

		at := start.Add(2 * time.Hour).In(time.FixedZone("SLT", -7*3600))
		d, err = svc.Schedule(ctx, b.editor, d.ID, d.Version, at)
		require.NoError(t, err)
		require.Equal(t, blog.StatusScheduled, d.Status)
		require.Equal(t, start.Add(2*time.Hour), d.PublishAt)
		require.False(t, d.SlugLocked)
		_, err = svc.Get(ctx, "en", d.Slug)
		require.ErrorIs(t, err, apperr.ErrNotFound, "not before its time")

		rows, err := svc.Scheduled(ctx, start)
		require.NoError(t, err)
		require.True(t, containsPost(rows, d.ID))

		// Not yet visible: the slug still follows the title.
		d, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "title.en", "Later still "+b.token)
		require.NoError(t, err)
		require.Equal(t, "later-still-"+b.token, d.Slug)
		// A scheduled post's time must stay in the future.
		_, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "publish_at", start.Add(-time.Hour).Format(time.RFC3339))
		require.Equal(t, blog.MsgPublishAtPast, fieldErr(t, err, "publish_at"))

		b.clock.set(start.Add(3 * time.Hour))
		_, err = svc.Get(ctx, "en", d.Slug)
		require.NoError(t, err, "visible once due, with no write")
		rows, err = svc.Scheduled(ctx, b.clock.now())
		require.NoError(t, err)
		require.False(t, containsPost(rows, d.ID))
		d, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "title.en", "Too late to rename "+b.token)
		require.NoError(t, err)
		require.Equal(t, "later-still-"+b.token, d.Slug, "visible, so the slug is fixed")
		require.True(t, d.SlugLocked)
		// Due, it is public: its time may move within the past, not ahead.
		_, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "publish_at", start.Add(4*time.Hour).Format(time.RFC3339))
		require.Equal(t, blog.MsgPublishAtFuture, fieldErr(t, err, "publish_at"))
		d, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "publish_at", start.Add(90*time.Minute).Format(time.RFC3339))
		require.NoError(t, err)
		d, err = svc.Patch(ctx, b.editor, d.ID, d.Version, "publish_at", start.Add(2*time.Hour).Format(time.RFC3339))
		require.NoError(t, err)

		// Publishing a due scheduled post keeps the time it went public.
		d, err = svc.Publish(ctx, b.editor, d.ID, d.Version)
		require.NoError(t, err)
		require.Equal(t, start.Add(2*time.Hour), d.PublishAt)
	})
}

func containsPost(rows []blog.PostRow, id int64) bool {
	for _, r := range rows {
		if r.ID == id {
			return true
		}
	}
	return false
}

func TestConflict(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	d, err := svc.Create(ctx, b.editor, post("Tabs "+b.token, "Body"))
	require.NoError(t, err)

	// Two tabs opened at the same version; the first save wins, the second
	// gets a conflict instead of overwriting it.
	first, err := svc.Patch(ctx, b.editor, d.ID, d.Version, "summary.en", "from tab one")
	require.NoError(t, err)
	_, err = svc.Patch(ctx, b.admin, d.ID, d.Version, "summary.en", "from tab two")
	require.ErrorIs(t, err, apperr.ErrConflict)
	for _, write := range []func() error{
		func() error { _, err := svc.Update(ctx, b.editor, d.ID, d.Version, post("x", "y")); return err },
		func() error { _, err := svc.Publish(ctx, b.editor, d.ID, d.Version); return err },
		func() error { _, err := svc.Schedule(ctx, b.editor, d.ID, d.Version, start.Add(time.Hour)); return err },
		func() error { _, err := svc.Unpublish(ctx, b.editor, d.ID, d.Version); return err },
		func() error { return svc.Delete(ctx, b.editor, d.ID, d.Version) },
	} {
		require.ErrorIs(t, write(), apperr.ErrConflict)
	}
	got, err := svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, first, got)

	// Saving at the same moment: exactly one of them lands.
	const n = 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := svc.Patch(ctx, b.editor, got.ID, got.Version, "summary.en", fmt.Sprint("racer ", i))
			errs <- err
		}()
	}
	won := 0
	for range n {
		err := <-errs
		if err == nil {
			won++
			continue
		}
		require.ErrorIs(t, err, apperr.ErrConflict)
	}
	require.Equal(t, 1, won)
	final, err := svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, got.Version+1, final.Version)

	_, err = svc.Patch(ctx, b.editor, 1<<60, 1, "title.en", "x")
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

func TestFailedWriteLeavesNothingHalfDone(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	d, err := svc.Create(ctx, b.editor, blog.PostInput{
		Texts: map[string]blog.PostText{"en": {Title: "Whole " + b.token, Body: "b"}, "de": {Title: "Ganz"}},
	})
	require.NoError(t, err)
	b.pub.Take()

	// A user who no longer exists: the audit entry, written last, fails its
	// foreign key after the row, the texts and the categories were written.
	ghost := actor.Actor{UserID: 1 << 60, Role: actor.RoleEditor}
	cat, _ := testenv.Category(t, b.db, testenv.CategoryOpts{})
	_, err = svc.Update(ctx, ghost, d.ID, d.Version, blog.PostInput{
		Texts:       map[string]blog.PostText{"en": {Title: "Half " + b.token, Body: "changed"}},
		CategoryIDs: []int64{cat},
	})
	require.Error(t, err)
	after, err := svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d, after, "row, texts and categories rolled back")
	require.Empty(t, b.pub.Take(), "nothing published for a failed write")

	_, err = svc.Create(ctx, ghost, post("Ghost "+b.token, ""))
	require.Error(t, err)
	var n int
	require.NoError(t, b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM blog_posts WHERE slug LIKE ?`, "ghost-"+b.token+"%").Scan(&n))
	require.Zero(t, n)

	require.Error(t, svc.Delete(ctx, ghost, d.ID, d.Version))
	_, err = svc.AdminGet(ctx, d.ID)
	require.NoError(t, err, "not deleted")
}

func TestOnlyStaffWrite(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	id, slug := testenv.Post(t, b.db, testenv.PostOpts{Status: "draft"})
	cat, _ := testenv.Category(t, b.db, testenv.CategoryOpts{})
	for _, a := range []actor.Actor{
		user(t, b.db, actor.RoleMember),
		{UserID: user(t, b.db, actor.RoleArtist).UserID, Role: actor.RoleArtist, ArtistID: 1},
		{}, // a visitor
	} {
		t.Run(string(a.Role), func(t *testing.T) {
			for name, write := range map[string]func() error{
				"create":   func() error { _, err := svc.Create(ctx, a, post("x", "y")); return err },
				"update":   func() error { _, err := svc.Update(ctx, a, id, 1, post("x", "y")); return err },
				"patch":    func() error { _, err := svc.Patch(ctx, a, id, 1, "title.en", "x"); return err },
				"publish":  func() error { _, err := svc.Publish(ctx, a, id, 1); return err },
				"schedule": func() error { _, err := svc.Schedule(ctx, a, id, 1, start.Add(time.Hour)); return err },
				"unpub":    func() error { _, err := svc.Unpublish(ctx, a, id, 1); return err },
				"delete":   func() error { return svc.Delete(ctx, a, id, 1) },
				"cat new": func() error {
					_, err := svc.CategoryCreate(ctx, a, blog.CategoryInput{Texts: map[string]blog.CategoryText{"en": {Name: "x"}}})
					return err
				},
				"cat patch":  func() error { _, err := svc.CategoryPatch(ctx, a, cat, 1, "position", "3"); return err },
				"cat delete": func() error { return svc.CategoryDelete(ctx, a, cat, 1) },
			} {
				require.ErrorIs(t, write(), apperr.ErrForbidden, name)
			}
		})
	}
	d, err := svc.AdminGet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, slug, d.Slug)
	require.Equal(t, 1, d.Version, "untouched")
	c, err := svc.AdminCategory(ctx, cat)
	require.NoError(t, err)
	require.Equal(t, 1, c.Version)
	require.Empty(t, b.pub.Take())
}

func TestDelete(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	cat, _ := testenv.Category(t, b.db, testenv.CategoryOpts{})
	d, err := svc.Create(ctx, b.editor, blog.PostInput{
		Texts: map[string]blog.PostText{"en": {Title: "Gone " + b.token, Body: "b"}}, CategoryIDs: []int64{cat},
	})
	require.NoError(t, err)
	d, err = svc.Publish(ctx, b.editor, d.ID, d.Version)
	require.NoError(t, err)
	b.pub.Take()

	require.ErrorIs(t, svc.Delete(ctx, b.editor, d.ID, d.Version-1), apperr.ErrConflict)
	require.NoError(t, svc.Delete(ctx, b.editor, d.ID, d.Version))
	require.ElementsMatch(t, []string{"post:" + d.Slug, live.TopicPosts}, b.pub.Take())
	_, err = svc.AdminGet(ctx, d.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.Get(ctx, "en", d.Slug)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.ErrorIs(t, svc.Delete(ctx, b.editor, d.ID, d.Version), apperr.ErrNotFound)

	logged, err := b.audit.ForEntity(ctx, audit.KindPost, d.ID, 1)
	require.NoError(t, err)
	require.Equal(t, blog.ActionDelete, logged[0].Action)
	require.Contains(t, logged[0].Changes, audit.Change{Field: "title.en", Old: "Gone " + b.token, New: ""})
	require.Contains(t, logged[0].Summary, d.Slug)

	// The category it was in is free again.
	c, err := svc.AdminCategory(ctx, cat)
	require.NoError(t, err)
	require.Zero(t, c.PostCount)
}

func TestAdminList(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()
	cat, _ := testenv.Category(t, b.db, testenv.CategoryOpts{})
	tok := b.token
	testenv.Post(t, b.db, testenv.PostOpts{Status: "draft", Texts: map[string]testenv.PostText{"en": {Title: "Bravo " + tok}}})
	testenv.Post(t, b.db, testenv.PostOpts{Status: "published", Categories: []int64{cat},
		Texts: map[string]testenv.PostText{"en": {Title: "Alpha " + tok}, "de": {Title: "Alfa"}}})
	testenv.Post(t, b.db, testenv.PostOpts{Status: "scheduled", PublishAt: start.Add(time.Hour),
		Texts: map[string]testenv.PostText{"de": {Title: "Nur deutsch " + tok}}})
	testenv.Post(t, b.db, testenv.PostOpts{Status: "draft", Texts: map[string]testenv.PostText{"en": {Title: "100% " + tok}}})

	titles := func(p blog.AdminPage) []string {
		var out []string
		for _, r := range p.Posts {
			out = append(out, r.Title)
		}
		return out
	}
	p, err := svc.AdminList(ctx, blog.PostFilter{Q: tok, Sort: blog.SortTitle})
	require.NoError(t, err)
	require.Equal(t, 4, p.Total)
	require.Equal(t, []string{"Nur deutsch " + tok, "100% " + tok, "Alpha " + tok, "Bravo " + tok}, titles(p),
		"by default-language title, untitled ones first; the German-only title stands in")
	require.Equal(t, "de", p.Posts[0].TitleLang)
	require.ElementsMatch(t, []string{"de", "en"}, p.Posts[2].Languages)

	p, err = svc.AdminList(ctx, blog.PostFilter{Q: tok, Status: "draft", Sort: blog.SortTitle})
	require.NoError(t, err)
	require.Equal(t, []string{"100% " + tok, "Bravo " + tok}, titles(p))
	p, err = svc.AdminList(ctx, blog.PostFilter{Q: "100% " + tok})
	require.NoError(t, err)
	require.Equal(t, []string{"100% " + tok}, titles(p), "% is a character, not a wildcard")
	p, err = svc.AdminList(ctx, blog.PostFilter{Q: "alfa"})
	require.NoError(t, err)
	require.True(t, p.Total >= 1, "any language's title matches")
	p, err = svc.AdminList(ctx, blog.PostFilter{Category: cat})
	require.NoError(t, err)
	require.Equal(t, []string{"Alpha " + tok}, titles(p))
	p, err = svc.AdminList(ctx, blog.PostFilter{Q: tok, Sort: blog.SortTitle, PerPage: 3, Page: 99})
	require.NoError(t, err)
	require.Equal(t, 2, p.Page)
	require.Equal(t, 2, p.Pages)
	require.Len(t, p.Posts, 1)

	for _, tc := range []struct {
		name, field string
		f           blog.PostFilter
	}{
		{"unknown status", "status", blog.PostFilter{Status: "deleted"}},
		{"unknown sort", "sort", blog.PostFilter{Sort: "random()"}},
		{"query too long", "q", blog.PostFilter{Q: strings.Repeat("q", blog.MaxQuery+1)}},
		{"query not UTF-8", "q", blog.PostFilter{Q: "\xff"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.AdminList(ctx, tc.f)
			require.NotEmpty(t, fieldErr(t, err, tc.field))
		})
	}
}

func TestCategories(t *testing.T) {
	t.Parallel()
	svc, b := setupWrite(t)
	ctx := t.Context()

	c, err := svc.CategoryCreate(ctx, b.editor, blog.CategoryInput{
		Texts:    map[string]blog.CategoryText{"en": {Name: "Öffentliche Äußerungen " + b.token}, "de": {Name: "Äußerungen", Description: "<b>hi</b>"}},
		Position: 3,
	})
	require.NoError(t, err)
	require.Equal(t, "oeffentliche-aeusserungen-"+b.token, c.Slug)
	require.Equal(t, 3, c.Position)
	require.Equal(t, "<b>hi</b>", c.Texts["de"].Description, "stored as typed")
	require.Equal(t, []string{live.TopicPosts}, b.pub.Take())
	c2, err := svc.CategoryCreate(ctx, b.editor, blog.CategoryInput{Texts: map[string]blog.CategoryText{"en": {Name: "Öffentliche Äußerungen " + b.token}}})
	require.NoError(t, err)
	require.Equal(t, c.Slug+"-2", c2.Slug)
	b.pub.Take()

	for _, tc := range []struct {
		name, field, msg string
		in               blog.CategoryInput
	}{
		{"no default name", "name.en", blog.MsgCategoryName, blog.CategoryInput{Texts: map[string]blog.CategoryText{"de": {Name: "Nur deutsch"}}}},
		{"unknown language", "name.xx", blog.MsgLanguageUnknown, blog.CategoryInput{Texts: map[string]blog.CategoryText{"en": {Name: "a"}, "xx": {Name: "b"}}}},
		{"name too long", "name.en", blog.MsgTooLong, blog.CategoryInput{Texts: map[string]blog.CategoryText{"en": {Name: strings.Repeat("n", 101)}}}},
		{"description too long", "description.en", blog.MsgTooLong, blog.CategoryInput{Texts: map[string]blog.CategoryText{"en": {Name: "n", Description: strings.Repeat("d", 501)}}}},
		{"invalid UTF-8", "name.en", blog.MsgInvalidUTF8, blog.CategoryInput{Texts: map[string]blog.CategoryText{"en": {Name: "\xc0"}}}},
		{"negative position", "position", blog.MsgPositionInvalid, blog.CategoryInput{Texts: map[string]blog.CategoryText{"en": {Name: "n"}}, Position: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.CategoryCreate(ctx, b.editor, tc.in)
			require.Equal(t, tc.msg, fieldErr(t, err, tc.field))
		})
	}

	for _, tc := range []struct{ field, value, msg string }{
		{"name.en", "", blog.MsgCategoryName},
		{"name.en", strings.Repeat("n", 101), blog.MsgTooLong},
		{"description.de", "\xff", blog.MsgInvalidUTF8},
		{"position", "abc", blog.MsgPositionInvalid},
		{"position", "1.5", blog.MsgPositionInvalid},
		{"position", "10001", blog.MsgPositionInvalid},
		{"slug", "mine", blog.MsgFieldUnknown},
		{"name.fr", "Nom", blog.MsgLanguageUnknown},
	} {
		_, err := svc.CategoryPatch(ctx, b.editor, c.ID, c.Version, tc.field, tc.value)
		require.Equal(t, tc.msg, fieldErr(t, err, tc.field), tc.field+"="+tc.value)
	}

	renamed, err := svc.CategoryPatch(ctx, b.editor, c.ID, c.Version, "name.en", "Renamed "+b.token)
	require.NoError(t, err)
	require.Equal(t, c.Slug, renamed.Slug, "a category's slug is kept, so its links survive")
	require.Equal(t, c.Version+1, renamed.Version)
	require.Equal(t, []string{live.TopicPosts}, b.pub.Take())
	_, err = svc.CategoryPatch(ctx, b.editor, c.ID, c.Version, "position", "7")
	require.ErrorIs(t, err, apperr.ErrConflict, "a second tab at the old version")
	moved, err := svc.CategoryPatch(ctx, b.editor, c.ID, renamed.Version, "position", " 7 ")
	require.NoError(t, err)
	require.Equal(t, 7, moved.Position)
	cleared, err := svc.CategoryPatch(ctx, b.editor, c.ID, moved.Version, "name.de", "")
	require.NoError(t, err)
	require.Equal(t, blog.CategoryText{Description: "<b>hi</b>"}, cleared.Texts["de"])

	logged, err := b.audit.ForEntity(ctx, audit.KindCategory, c.ID, 10)
	require.NoError(t, err)
	require.Len(t, logged, 4)
	require.Equal(t, []audit.Change{{Field: "position", Old: "3", New: "7"}}, logged[1].Changes)

	// A category with posts is not deleted; an empty one is.
	testenv.Post(t, b.db, testenv.PostOpts{Status: "draft", Categories: []int64{c.ID}})
	err = svc.CategoryDelete(ctx, b.editor, c.ID, cleared.Version)
	require.Equal(t, blog.MsgCategoryInUse, fieldErr(t, err, "category"))
	require.ErrorIs(t, svc.CategoryDelete(ctx, b.editor, c2.ID, c2.Version+1), apperr.ErrConflict)
	require.NoError(t, svc.CategoryDelete(ctx, b.editor, c2.ID, c2.Version))
	_, err = svc.AdminCategory(ctx, c2.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	all, err := svc.AdminCategories(ctx)
	require.NoError(t, err)
	var found bool
	for _, a := range all {
		require.NotEqual(t, c2.ID, a.ID)
		if a.ID == c.ID {
			found = true
			require.Equal(t, 1, a.PostCount)
			require.Equal(t, "Renamed "+b.token, a.Texts["en"].Name)
		}
	}
	require.True(t, found)
}

// Every message ID this package returns exists in English and German.
func TestMessagesAreTranslated(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	for _, id := range []string{
		blog.MsgInvalidUTF8, blog.MsgControlChars, blog.MsgTooLong, blog.MsgBodyTooLong, blog.MsgLanguageUnknown,
		blog.MsgFieldUnknown, blog.MsgTitleRequired, blog.MsgBodyRequired, blog.MsgPublishAtInvalid,
		blog.MsgPublishAtPast, blog.MsgPublishAtFuture, blog.MsgPublishAtRequired, blog.MsgPublishAtTooFar,
		blog.MsgCoverInvalid, blog.MsgCoverUnknown, blog.MsgCategoriesInvalid, blog.MsgCategoriesUnknown,
		blog.MsgCategoriesTooMany, blog.MsgCategoryName, blog.MsgCategoryInUse, blog.MsgPositionInvalid,
		blog.MsgFilterStatus, blog.MsgFilterSort,
	} {
		for _, lang := range []string{"en", "de"} {
			require.Contains(t, bundle.MessageIDs(lang), id, lang)
			out := bundle.T(lang, id, map[string]any{"Max": 5, "Lang": "en", "Years": 10, "Count": 2})
			require.NotContains(t, out, "<no value>", id)
		}
	}
}
