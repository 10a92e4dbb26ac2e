package blog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
)

// Status is where a post is in its life.
type Status string

// The statuses. A scheduled post is visible once its PublishAt has passed,
// without anything changing its status.
const (
	StatusDraft     Status = "draft"
	StatusScheduled Status = "scheduled"
	StatusPublished Status = "published"
)

// Sort orders the admin list.
type Sort string

// The admin list's orders; the zero Sort is SortUpdated.
const (
	SortUpdated   Sort = "updated"    // last edited first
	SortPublishAt Sort = "publish_at" // latest publishing time first, undated last
	SortTitle     Sort = "title"      // by default-language title
	SortCreated   Sort = "created"    // newest first
)

// PostText is a post's text in one language. Body is markdown.
type PostText struct {
	Title, Summary, Body string
}

func (t PostText) empty() bool { return t.Title == "" && t.Summary == "" && t.Body == "" }

// PostDraft is a post as the back office edits it: every language's text
// as typed, whatever the post's state.
type PostDraft struct {
	ID   int64
	Slug string
	// SlugLocked says the slug no longer follows the title: the post has
	// been visible, so links to it are out there.
	SlugLocked bool
	Status     Status
	// PublishAt is when the post goes or went public; zero when it has no
	// time yet (a draft).
	PublishAt    time.Time
	AuthorID     int64 // the user who created it; 0 when unknown or deleted
	AuthorName   string
	CoverMediaID int64 // 0: no cover
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Texts holds each language that has any text; a language missing here
	// falls back to the default language on the public pages.
	Texts       map[string]PostText
	CategoryIDs []int64
}

// Visible reports whether visitors see the post at now.
func (d PostDraft) Visible(now time.Time) bool {
	return d.Status != StatusDraft && !d.PublishAt.IsZero() && !d.PublishAt.After(now)
}

func (d PostDraft) clone() PostDraft {
	c := d
	c.Texts = make(map[string]PostText, len(d.Texts))
	for l, t := range d.Texts {
		c.Texts[l] = t
	}
	c.CategoryIDs = slices.Clone(d.CategoryIDs)
	return c
}

// PostRow is a post in the back office's list.
type PostRow struct {
	ID         int64
	Slug       string
	Status     Status
	PublishAt  time.Time // zero: none
	AuthorName string
	UpdatedAt  time.Time
	Version    int
	// Title is the default language's title, else the first other one.
	Title string
	// TitleLang is the language of Title; "" when the post has no title.
	TitleLang string
	// Languages lists the languages the post has text in.
	Languages []string
}

// PostFilter selects and orders the admin list. Zero values mean no filter.
type PostFilter struct {
	Q        string // part of a title (any language) or of the slug
	Status   string // "", "all", "draft", "scheduled" or "published"
	Category int64  // category id
	Sort     Sort
	Page     int
	PerPage  int
}

// AdminPage is one page of the admin list.
type AdminPage struct {
	Posts                       []PostRow
	Total, Page, PerPage, Pages int
}

// AdminGet returns post id in every language, or apperr.ErrNotFound.
func (s *Service) AdminGet(ctx context.Context, id int64) (PostDraft, error) {
	return s.loadDraft(ctx, s.q, id)
}

func (s *Service) loadDraft(ctx context.Context, q *db.Queries, id int64) (PostDraft, error) {
	r, err := q.BlogPostAdminGet(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return PostDraft{}, fmt.Errorf("blog: post %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return PostDraft{}, fmt.Errorf("blog: post %d: %w", id, err)
	}
	d := PostDraft{
		ID: r.ID, Slug: r.Slug, SlugLocked: r.SlugLocked, Status: Status(r.Status),
		PublishAt: nullTime(r.PublishAt), AuthorID: r.AuthorID.Int64, AuthorName: r.AuthorName,
		CoverMediaID: r.CoverMediaID.Int64, Version: int(r.Version), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Texts: map[string]PostText{},
	}
	trs, err := q.BlogPostTranslationListByPost(ctx, id)
	if err != nil {
		return PostDraft{}, fmt.Errorf("blog: post %d texts: %w", id, err)
	}
	for _, t := range trs {
		d.Texts[t.Lang] = PostText{Title: t.Title, Summary: t.Summary, Body: t.BodyMarkdown}
	}
	if d.CategoryIDs, err = q.BlogPostCategoryIDs(ctx, id); err != nil {
		return PostDraft{}, fmt.Errorf("blog: post %d categories: %w", id, err)
	}
	return d, nil
}

// AdminList returns one page of posts in every state. An unknown status or
// sort is a field error ("status", "sort"); pages past the end are clamped.
func (s *Service) AdminList(ctx context.Context, f PostFilter) (AdminPage, error) {
	v := apperr.NewInvalid()
	var status db.NullBlogPostsStatus
	switch f.Status {
	case "", "all":
	case string(StatusDraft), string(StatusScheduled), string(StatusPublished):
		status = db.NullBlogPostsStatus{BlogPostsStatus: db.BlogPostsStatus(f.Status), Valid: true}
	default:
		v.Add("status", MsgFilterStatus, nil)
	}
	sort := f.Sort
	switch sort {
	case "":
		sort = SortUpdated
	case SortUpdated, SortPublishAt, SortTitle, SortCreated:
	default:
		v.Add("sort", MsgFilterSort, nil)
	}
	q := cleanText(v, "q", f.Q, textQuery)
	if err := v.Err(); err != nil {
		return AdminPage{}, err
	}
	var like sql.NullString
	if q != "" {
		like = sql.NullString{String: content.LikePattern(q), Valid: true}
	}
	category := sql.NullInt64{Int64: f.Category, Valid: f.Category != 0}
	total, err := s.q.BlogPostAdminCount(ctx, db.BlogPostAdminCountParams{Status: status, CategoryID: category, Q: like})
	if err != nil {
		return AdminPage{}, fmt.Errorf("blog: admin count: %w", err)
	}
	perPage := f.PerPage
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	p := AdminPage{Total: int(total), PerPage: perPage, Pages: max(1, (int(total)+perPage-1)/perPage)}
	p.Page = min(max(f.Page, 1), p.Pages)
	rows, err := s.q.BlogPostAdminList(ctx, db.BlogPostAdminListParams{
		DefaultLang: s.defLang, Status: status, CategoryID: category, Q: like, Sort: string(sort),
		Limit: int32(perPage), Offset: int32((p.Page - 1) * perPage),
	})
	if err != nil {
		return AdminPage{}, fmt.Errorf("blog: admin list: %w", err)
	}
	p.Posts = make([]PostRow, len(rows))
	for i, r := range rows {
		p.Posts[i] = PostRow{
			ID: r.ID, Slug: r.Slug, Status: Status(r.Status), PublishAt: nullTime(r.PublishAt),
			AuthorName: r.AuthorName, UpdatedAt: r.UpdatedAt, Version: int(r.Version),
		}
	}
	if err := s.attachTitles(ctx, p.Posts); err != nil {
		return AdminPage{}, err
	}
	return p, nil
}

// maxScheduled bounds the dashboard's list of upcoming posts.
const maxScheduled = 50

// Scheduled lists the posts scheduled to go public after now, soonest
// first, for the dashboard.
func (s *Service) Scheduled(ctx context.Context, now time.Time) ([]PostRow, error) {
	rows, err := s.q.BlogPostScheduledList(ctx, db.BlogPostScheduledListParams{
		Now: sql.NullTime{Time: now.UTC(), Valid: true}, Limit: maxScheduled,
	})
	if err != nil {
		return nil, fmt.Errorf("blog: scheduled: %w", err)
	}
	out := make([]PostRow, len(rows))
	for i, r := range rows {
		out[i] = PostRow{
			ID: r.ID, Slug: r.Slug, Status: Status(r.Status), PublishAt: nullTime(r.PublishAt),
			AuthorName: r.AuthorName, UpdatedAt: r.UpdatedAt, Version: int(r.Version),
		}
	}
	if err := s.attachTitles(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// attachTitles fills each row's title and languages with one query.
func (s *Service) attachTitles(ctx context.Context, posts []PostRow) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]int64, len(posts))
	at := make(map[int64]int, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
		at[p.ID] = i
	}
	rows, err := s.q.BlogPostTitlesByPosts(ctx, ids)
	if err != nil {
		return fmt.Errorf("blog: admin titles: %w", err)
	}
	titles := make(map[int64]map[string]string, len(posts))
	for _, r := range rows {
		if titles[r.PostID] == nil {
			titles[r.PostID] = map[string]string{}
		}
		titles[r.PostID][r.Lang] = r.Title
		p := &posts[at[r.PostID]]
		p.Languages = append(p.Languages, r.Lang)
	}
	for i := range posts {
		posts[i].Title, posts[i].TitleLang = s.pickTitle(titles[posts[i].ID])
	}
	return nil
}

// pickTitle prefers the default language, then the offered languages in
// order, then any other.
func (s *Service) pickTitle(byLang map[string]string) (string, string) {
	for _, l := range s.langs {
		if t := byLang[l]; t != "" {
			return t, l
		}
	}
	var langs []string
	for l, t := range byLang {
		if t != "" {
			langs = append(langs, l)
		}
	}
	if len(langs) == 0 {
		return "", ""
	}
	slices.Sort(langs)
	return byLang[langs[0]], langs[0]
}

func nullTime(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}
