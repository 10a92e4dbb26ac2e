package blog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
)

// PostInput is the whole edit form of a post. Field errors are keyed as
// Patch's fields are: "title.<lang>", "summary.<lang>", "body.<lang>",
// "author_name", "cover", "categories". The state and publishing time are
// changed by Publish, Schedule, Unpublish and Patch("publish_at"), not here.
type PostInput struct {
	// Texts holds the text per language; a language left out or left
	// empty has no text of its own and falls back to the default language.
	Texts        map[string]PostText
	AuthorName   string  // empty on Create: the creating user's display name
	CoverMediaID int64   // 0: no cover
	CategoryIDs  []int64 // distinct; order is not kept
}

// Actions recorded in the audit log for posts and categories.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionPublish   = "publish"
	ActionSchedule  = "schedule"
	ActionUnpublish = "unpublish"
	ActionDelete    = "delete"
)

// writeAttempts bounds the retries after two writers picked the same slug.
const writeAttempts = 3

func staff(a actor.Actor, what string) error {
	if !a.IsStaff() {
		return fmt.Errorf("blog: %s: %w", what, apperr.ErrForbidden)
	}
	return nil
}

// now is the service clock in UTC to the second, the database's precision,
// so what is compared in Go is what is stored.
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Second) }

// Create stores a new draft from in and returns it. The slug comes from
// the default-language title ("post" without one), made unique.
func (s *Service) Create(ctx context.Context, a actor.Actor, in PostInput) (PostDraft, error) {
	if err := staff(a, "create post"); err != nil {
		return PostDraft{}, err
	}
	v := apperr.NewInvalid()
	d := PostDraft{Status: StatusDraft, Texts: map[string]PostText{}}
	s.applyInput(v, &d, in)
	if err := v.Err(); err != nil {
		return PostDraft{}, err
	}
	var out PostDraft
	err := s.retryTx(ctx, func(q *db.Queries) error {
		now := s.stamp()
		v := apperr.NewInvalid()
		if err := s.checkRefs(ctx, q, v, d); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		name := d.AuthorName
		if name == "" && a.UserID != 0 {
			n, err := q.BlogUserDisplayName(ctx, a.UserID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("blog: author name: %w", err)
			}
			name = clipRunes(n, MaxAuthorName)
		}
		slug, err := s.postSlug(ctx, q, 0, d.Texts[s.defLang].Title)
		if err != nil {
			return err
		}
		id, err := q.BlogPostCreate(ctx, db.BlogPostCreateParams{
			Slug: slug, AuthorID: sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0}, AuthorName: name,
			CoverMediaID: sql.NullInt64{Int64: d.CoverMediaID, Valid: d.CoverMediaID != 0}, Now: now,
		})
		if err != nil {
			return fmt.Errorf("blog: create post: %w", err)
		}
		d.ID = id
		empty := PostDraft{ID: id, Texts: map[string]PostText{}}
		if err := s.writeTexts(ctx, q, empty, d); err != nil {
			return err
		}
		if err := s.writeCategories(ctx, q, empty, d); err != nil {
			return err
		}
		if out, err = s.loadDraft(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: ActionCreate, Kind: audit.KindPost, EntityID: id, Summary: summaryOf(out, s.defLang),
			Changes: s.diff(PostDraft{Texts: map[string]PostText{}}, out),
		})
	})
	if err != nil {
		return PostDraft{}, err
	}
	live.Publish(ctx, s.pub, s.log, out.ID, live.PostTopic(out.Slug), live.TopicPosts)
	return out, nil
}

// Update replaces post id's texts, author name, cover and categories with
// in, if the post is still at version; else apperr.ErrConflict.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, version int, in PostInput) (PostDraft, error) {
	return s.edit(ctx, a, id, version, ActionUpdate, func(_ context.Context, _ *db.Queries, v *apperr.Invalid, d *PostDraft, _ time.Time) error {
		texts := d.Texts
		d.Texts = map[string]PostText{}
		// Languages no longer offered keep their text: the form cannot show them.
		for l, t := range texts {
			if !slices.Contains(s.langs, l) {
				d.Texts[l] = t
			}
		}
		s.applyInput(v, d, in)
		return nil
	})
}

// Patch changes one field of post id, as inline editing does, if the
// post is still at version. Fields: "title.<lang>", "summary.<lang>",
// "body.<lang>", "author_name", "cover" (media id, "" or "0" for none),
// "categories" (comma-separated ids, "" for none) and "publish_at" (RFC
// 3339; "" for none, on a draft only). A post waiting for its time keeps
// it in the future; a public one (published, or scheduled and due) keeps
// it in the past. Field errors are keyed by field.
func (s *Service) Patch(ctx context.Context, a actor.Actor, id int64, version int, field, value string) (PostDraft, error) {
	return s.edit(ctx, a, id, version, ActionUpdate, func(_ context.Context, _ *db.Queries, v *apperr.Invalid, d *PostDraft, now time.Time) error {
		s.applyField(v, d, field, value, now)
		return nil
	})
}

// Publish makes post id public now. A scheduled post that is already
// visible keeps its time; publishing a published post changes nothing.
func (s *Service) Publish(ctx context.Context, a actor.Actor, id int64, version int) (PostDraft, error) {
	return s.edit(ctx, a, id, version, ActionPublish, func(_ context.Context, _ *db.Queries, _ *apperr.Invalid, d *PostDraft, now time.Time) error {
		if d.Status == StatusPublished {
			return nil
		}
		if !d.Visible(now) {
			d.PublishAt = now
		}
		d.Status = StatusPublished
		return nil
	})
}

// Schedule makes post id go public at at, which must be in the future (a
// field error on "publish_at" otherwise).
func (s *Service) Schedule(ctx context.Context, a actor.Actor, id int64, version int, at time.Time) (PostDraft, error) {
	return s.edit(ctx, a, id, version, ActionSchedule, func(_ context.Context, _ *db.Queries, v *apperr.Invalid, d *PostDraft, now time.Time) error {
		at = at.UTC().Truncate(time.Second)
		if !checkFuture(v, at, now) {
			return nil
		}
		d.Status = StatusScheduled
		d.PublishAt = at
		return nil
	})
}

// Unpublish takes post id back to draft. Its slug stays as it was: links
// to it may be out there, and it may come back.
func (s *Service) Unpublish(ctx context.Context, a actor.Actor, id int64, version int) (PostDraft, error) {
	return s.edit(ctx, a, id, version, ActionUnpublish, func(_ context.Context, _ *db.Queries, _ *apperr.Invalid, d *PostDraft, _ time.Time) error {
		d.Status = StatusDraft
		return nil
	})
}

// Delete removes post id, with its texts and category links, if it is
// still at version. The audit log keeps what it was.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id int64, version int) error {
	if err := staff(a, "delete post"); err != nil {
		return err
	}
	var old PostDraft
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		var err error
		if old, err = s.loadDraft(ctx, q, id); err != nil {
			return err
		}
		if old.Version != version {
			return fmt.Errorf("blog: delete post %d at version %d (now %d): %w", id, version, old.Version, apperr.ErrConflict)
		}
		n, err := q.BlogPostDelete(ctx, db.BlogPostDeleteParams{ID: id, Version: int32(version)})
		if err != nil {
			return fmt.Errorf("blog: delete post %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("blog: delete post %d at version %d: %w", id, version, apperr.ErrConflict)
		}
		if err := s.runHooks(ctx, q, old, PostDraft{ID: id, Texts: map[string]PostText{}}, s.stamp()); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, s.stamp(), audit.Entry{
			Action: ActionDelete, Kind: audit.KindPost, EntityID: id, Summary: summaryOf(old, s.defLang),
			Changes: s.diff(old, PostDraft{Texts: map[string]PostText{}}),
		})
	})
	if err != nil {
		return err
	}
	live.Publish(ctx, s.pub, s.log, id, live.PostTopic(old.Slug), live.TopicPosts)
	return nil
}

// Preview renders markdown as the public post page does, sanitised, for
// the editor's preview fragment. Text beyond MaxBody is cut off and bytes
// that are not UTF-8 are dropped, so a hostile request costs no more than
// the largest post. lang is the language the text is written in; the
// renderer treats every language alike, so it only goes to the log.
func (s *Service) Preview(lang, markdown string) template.HTML {
	if len(markdown) > MaxBody {
		cut := MaxBody
		for cut > 0 && !utf8.RuneStart(markdown[cut]) {
			cut--
		}
		markdown = markdown[:cut]
	}
	out, err := s.md.HTML(strings.ToValidUTF8(markdown, ""))
	if err != nil {
		// goldmark only fails when its writer does, and ours is a buffer.
		s.log.Error("blog: preview failed", slog.String("lang", lang), slog.Any("error", err))
		return ""
	}
	return out
}

// editFunc changes d, the post as loaded, adding rule violations to v; now
// is the write's time. An error it returns aborts the write.
type editFunc func(ctx context.Context, q *db.Queries, v *apperr.Invalid, d *PostDraft, now time.Time) error

// edit is every change to an existing post: load, check the version, let
// change apply, check the rules, save what differs (the row first, under
// its version, so a concurrent writer waits and then finds it changed),
// audit it, and publish after commit. A change that changes nothing
// writes nothing and publishes nothing.
func (s *Service) edit(ctx context.Context, a actor.Actor, id int64, version int, action string, change editFunc) (PostDraft, error) {
	if err := staff(a, action+" post"); err != nil {
		return PostDraft{}, err
	}
	var old, out PostDraft
	err := s.retryTx(ctx, func(q *db.Queries) error {
		now := s.stamp()
		var err error
		if old, err = s.loadDraft(ctx, q, id); err != nil {
			return err
		}
		if old.Version != version {
			return fmt.Errorf("blog: %s post %d at version %d (now %d): %w", action, id, version, old.Version, apperr.ErrConflict)
		}
		d := old.clone()
		v := apperr.NewInvalid()
		if err := change(ctx, q, v, &d, now); err != nil {
			return err
		}
		s.checkState(v, d)
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.checkRefs(ctx, q, v, d); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		// The slug follows the title until the post has been visible once.
		locked := old.SlugLocked || old.Visible(now)
		if !locked {
			if d.Slug, err = s.postSlug(ctx, q, id, d.Texts[s.defLang].Title); err != nil {
				return err
			}
		}
		d.SlugLocked = locked || d.Visible(now)
		changes := s.diff(old, d)
		if len(changes) == 0 {
			// Nothing to save. The lock is not worth a version of its
			// own: the next real change computes it the same way.
			out = old
			return nil
		}
		n, err := q.BlogPostUpdate(ctx, db.BlogPostUpdateParams{
			Slug: d.Slug, SlugLocked: d.SlugLocked, Status: db.BlogPostsStatus(d.Status),
			PublishAt:  sql.NullTime{Time: d.PublishAt, Valid: !d.PublishAt.IsZero()},
			AuthorName: d.AuthorName, CoverMediaID: sql.NullInt64{Int64: d.CoverMediaID, Valid: d.CoverMediaID != 0},
			Now: now, ID: id, Version: int32(version),
		})
		if err != nil {
			return fmt.Errorf("blog: %s post %d: %w", action, id, err)
		}
		if n == 0 {
			return fmt.Errorf("blog: %s post %d at version %d: %w", action, id, version, apperr.ErrConflict)
		}
		if err := s.writeTexts(ctx, q, old, d); err != nil {
			return err
		}
		if err := s.writeCategories(ctx, q, old, d); err != nil {
			return err
		}
		if out, err = s.loadDraft(ctx, q, id); err != nil {
			return err
		}
		if err := s.runHooks(ctx, q, old, out, now); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: action, Kind: audit.KindPost, EntityID: id, Summary: summaryOf(out, s.defLang), Changes: changes,
		})
	})
	if err != nil {
		return PostDraft{}, err
	}
	if out.Version == old.Version {
		return out, nil
	}
	topics := []string{live.PostTopic(old.Slug), live.TopicPosts}
	if out.Slug != old.Slug {
		topics = append(topics, live.PostTopic(out.Slug))
	}
	live.Publish(ctx, s.pub, s.log, id, topics...)
	return out, nil
}

// retryTx runs fn in a transaction, again when it lost a race for a slug.
func (s *Service) retryTx(ctx context.Context, fn func(q *db.Queries) error) error {
	var err error
	for range writeAttempts {
		if err = db.InTx(ctx, s.sqlDB, fn); !isDuplicate(err) {
			return err
		}
	}
	return fmt.Errorf("blog: write after %d attempts: %w", writeAttempts, err)
}

// applyInput checks the whole form into d.
func (s *Service) applyInput(v *apperr.Invalid, d *PostDraft, in PostInput) {
	for l, t := range in.Texts {
		if !slices.Contains(s.langs, l) {
			v.Add("title."+l, MsgLanguageUnknown, map[string]any{"Lang": l})
			continue
		}
		t = PostText{
			Title:   cleanText(v, "title."+l, t.Title, textTitle),
			Summary: cleanText(v, "summary."+l, t.Summary, textSummary),
			Body:    cleanText(v, "body."+l, t.Body, textBody),
		}
		if !t.empty() {
			d.Texts[l] = t
		}
	}
	d.AuthorName = cleanText(v, "author_name", in.AuthorName, textAuthorName)
	if in.CoverMediaID < 0 {
		v.Add("cover", MsgCoverInvalid, nil)
	}
	d.CoverMediaID = max(in.CoverMediaID, 0)
	ids := []int64{}
	for _, id := range in.CategoryIDs {
		if id <= 0 {
			v.Add("categories", MsgCategoriesInvalid, nil)
			continue
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > MaxCategories {
		v.Add("categories", MsgCategoriesTooMany, map[string]any{"Max": MaxCategories})
	}
	slices.Sort(ids)
	d.CategoryIDs = ids
}

// applyField checks one inline edit into d.
func (s *Service) applyField(v *apperr.Invalid, d *PostDraft, field, value string, now time.Time) {
	if kind, lang, ok := strings.Cut(field, "."); ok {
		if !slices.Contains([]string{"title", "summary", "body"}, kind) {
			v.Add(field, MsgFieldUnknown, nil)
			return
		}
		if !slices.Contains(s.langs, lang) {
			v.Add(field, MsgLanguageUnknown, map[string]any{"Lang": lang})
			return
		}
		t := d.Texts[lang]
		switch kind {
		case "title":
			t.Title = cleanText(v, field, value, textTitle)
		case "summary":
			t.Summary = cleanText(v, field, value, textSummary)
		case "body":
			t.Body = cleanText(v, field, value, textBody)
		}
		if t.empty() {
			delete(d.Texts, lang)
		} else {
			d.Texts[lang] = t
		}
		return
	}
	switch field {
	case "author_name":
		d.AuthorName = cleanText(v, field, value, textAuthorName)
	case "cover":
		id, ok := parseID(value)
		if !ok {
			v.Add(field, MsgCoverInvalid, nil)
			return
		}
		d.CoverMediaID = id
	case "categories":
		ids, ok := parseIDList(value)
		if !ok {
			v.Add(field, MsgCategoriesInvalid, nil)
			return
		}
		if len(ids) > MaxCategories {
			v.Add(field, MsgCategoriesTooMany, map[string]any{"Max": MaxCategories})
			return
		}
		slices.Sort(ids)
		d.CategoryIDs = ids
	case "publish_at":
		at, ok := parseTime(value)
		if !ok {
			v.Add(field, MsgPublishAtInvalid, nil)
			return
		}
		switch {
		case d.Status != StatusDraft && at.IsZero():
			v.Add(field, MsgPublishAtRequired, nil)
			return
		case d.Visible(now) && at.After(now):
			// Moving a public post into the future would hide it without
			// saying so; Schedule says it.
			v.Add(field, MsgPublishAtFuture, nil)
			return
		case d.Status == StatusScheduled && !d.Visible(now) && !checkFuture(v, at, now):
			return
		case d.Status == StatusDraft && !at.IsZero() && at.Year() > now.Year()+maxScheduleAhead:
			v.Add(field, MsgPublishAtTooFar, map[string]any{"Years": maxScheduleAhead})
			return
		}
		d.PublishAt = at
	default:
		v.Add(field, MsgFieldUnknown, nil)
	}
}

// checkFuture adds a "publish_at" error unless at is after now and within
// maxScheduleAhead years.
func checkFuture(v *apperr.Invalid, at, now time.Time) bool {
	switch {
	case !at.After(now):
		v.Add("publish_at", MsgPublishAtPast, nil)
		return false
	case at.After(now.AddDate(maxScheduleAhead, 0, 0)):
		v.Add("publish_at", MsgPublishAtTooFar, map[string]any{"Years": maxScheduleAhead})
		return false
	}
	return true
}

// checkState holds the rules of a post that is, or will be, public: it
// needs a default-language title and body.
func (s *Service) checkState(v *apperr.Invalid, d PostDraft) {
	if d.Status == StatusDraft {
		return
	}
	t := d.Texts[s.defLang]
	if t.Title == "" {
		v.Add("title."+s.defLang, MsgTitleRequired, map[string]any{"Lang": s.defLang})
	}
	if t.Body == "" {
		v.Add("body."+s.defLang, MsgBodyRequired, map[string]any{"Lang": s.defLang})
	}
}

// checkRefs checks that the cover and the categories exist.
func (s *Service) checkRefs(ctx context.Context, q *db.Queries, v *apperr.Invalid, d PostDraft) error {
	if d.CoverMediaID != 0 {
		ok, err := q.BlogMediaExists(ctx, d.CoverMediaID)
		if err != nil {
			return fmt.Errorf("blog: check cover: %w", err)
		}
		if !ok {
			v.Add("cover", MsgCoverUnknown, nil)
		}
	}
	if len(d.CategoryIDs) > 0 {
		found, err := q.BlogCategoryIDsExisting(ctx, d.CategoryIDs)
		if err != nil {
			return fmt.Errorf("blog: check categories: %w", err)
		}
		if len(found) != len(d.CategoryIDs) {
			v.Add("categories", MsgCategoriesUnknown, nil)
		}
	}
	return nil
}

// postSlug is the slug for a post titled title: free among the other posts.
func (s *Service) postSlug(ctx context.Context, q *db.Queries, id int64, title string) (string, error) {
	base := makeSlug(title, s.defLang, maxSlug, "post")
	taken, err := q.BlogPostSlugsLike(ctx, db.BlogPostSlugsLikeParams{Base: base, ID: id})
	if err != nil {
		return "", fmt.Errorf("blog: slugs like %q: %w", base, err)
	}
	return content.UniqueSlug(base, taken, maxSlug+10), nil
}

// writeTexts stores the languages whose text changed from old to d and
// deletes those left empty.
func (s *Service) writeTexts(ctx context.Context, q *db.Queries, old, d PostDraft) error {
	for _, l := range unionKeys(old.Texts, d.Texts) {
		o, n := old.Texts[l], d.Texts[l]
		if o == n {
			continue
		}
		var err error
		if n.empty() {
			err = q.BlogPostTranslationDelete(ctx, db.BlogPostTranslationDeleteParams{PostID: d.ID, Lang: l})
		} else {
			err = q.BlogPostTranslationUpsert(ctx, db.BlogPostTranslationUpsertParams{
				PostID: d.ID, Lang: l, Title: n.Title, Summary: n.Summary, BodyMarkdown: n.Body,
			})
		}
		if err != nil {
			return fmt.Errorf("blog: post %d text %s: %w", d.ID, l, err)
		}
	}
	return nil
}

func (s *Service) writeCategories(ctx context.Context, q *db.Queries, old, d PostDraft) error {
	if slices.Equal(old.CategoryIDs, d.CategoryIDs) {
		return nil
	}
	if err := q.BlogPostCategoryDeleteAll(ctx, d.ID); err != nil {
		return fmt.Errorf("blog: post %d categories: %w", d.ID, err)
	}
	for _, c := range d.CategoryIDs {
		if err := q.BlogPostCategoryInsert(ctx, db.BlogPostCategoryInsertParams{PostID: d.ID, CategoryID: c}); err != nil {
			return fmt.Errorf("blog: post %d category %d: %w", d.ID, c, err)
		}
	}
	return nil
}

// diff lists the fields that differ from old to d, named as Patch names
// them, in a fixed order.
func (s *Service) diff(old, d PostDraft) []audit.Change {
	var out []audit.Change
	add := func(field, o, n string) {
		if o != n {
			out = append(out, audit.Change{Field: field, Old: o, New: n})
		}
	}
	add("slug", old.Slug, d.Slug)
	add("status", string(old.Status), string(d.Status))
	add("publish_at", formatTime(old.PublishAt), formatTime(d.PublishAt))
	add("author_name", old.AuthorName, d.AuthorName)
	add("cover", formatID(old.CoverMediaID), formatID(d.CoverMediaID))
	add("categories", formatIDs(old.CategoryIDs), formatIDs(d.CategoryIDs))
	langs := slices.Clone(s.langs)
	for _, l := range unionKeys(old.Texts, d.Texts) {
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	for _, l := range langs {
		o, n := old.Texts[l], d.Texts[l]
		add("title."+l, o.Title, n.Title)
		add("summary."+l, o.Summary, n.Summary)
		add("body."+l, o.Body, n.Body)
	}
	return out
}

// summaryOf names a post in the audit log.
func summaryOf(d PostDraft, def string) string {
	if t := d.Texts[def].Title; t != "" {
		return t + " (" + d.Slug + ")"
	}
	return d.Slug
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func formatID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func formatIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
