// Package blog is the club's posts and their categories.
package blog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/media"
)

const (
	// DefaultPerPage is the blog's page size.
	DefaultPerPage = 10
	maxPerPage     = 50
)

// Category is a blog category.
type Category struct {
	Slug              string
	Name, Description i18n.Text
}

// Summary is a post as a list shows it.
type Summary struct {
	ID          int64
	Slug        string
	Title       i18n.Text
	Summary     i18n.Text
	Author      string
	PublishedAt time.Time
	UpdatedAt   time.Time
	Categories  []Category
	CoverID     int64        // the cover's media id, 0 for none
	Cover       *media.Image // the cover, nil for none
}

// Post is a post with its rendered, sanitised body.
type Post struct {
	Summary
	Body template.HTML
	// BodyFallback says the body is the default language's.
	BodyFallback bool
}

// Page is one page of posts.
type Page struct {
	Posts                       []Summary
	Total, Page, PerPage, Pages int
}

// Service reads posts for visitors and writes them for the back office.
type Service struct {
	sqlDB   *sql.DB
	q       *db.Queries
	md      *Markdown
	defLang string
	langs   []string
	pub     live.Publisher
	log     *slog.Logger
	now     func() time.Time
	hooks   []Hook
}

// New returns the blog service. langs are the offered languages, the
// default first (config.Config.Languages); texts in other languages are
// refused. Writes publish their changes through pub after commit; now is
// the clock that decides what is visible and stamps every write.
func New(sqlDB *sql.DB, langs []string, pub live.Publisher, log *slog.Logger, now func() time.Time) *Service {
	if len(langs) == 0 {
		// A programming error in main, caught at start-up.
		panic("blog: New needs at least the default language")
	}
	return &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), md: NewMarkdown(), defLang: langs[0], langs: slices.Clone(langs),
		pub: pub, log: log, now: now,
	}
}

// Categories lists every category.
func (s *Service) Categories(ctx context.Context, lang string) ([]Category, error) {
	rows, err := s.q.BlogCategoryList(ctx, db.BlogCategoryListParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("blog: categories: %w", err)
	}
	out := make([]Category, len(rows))
	for i, r := range rows {
		out[i] = Category{Slug: r.Slug, Name: db.Text(r.NameTr, r.Name), Description: db.Text(r.DescriptionTr, r.Description)}
	}
	return out, nil
}

// Category returns the category with slug, or apperr.ErrNotFound. Like
// the database's other slug lookups it ignores case and accents, so the
// caller can tell a misspelt address from an unknown one.
func (s *Service) Category(ctx context.Context, lang, slug string) (Category, error) {
	cats, err := s.Categories(ctx, lang)
	if err != nil {
		return Category{}, err
	}
	want := foldSlug(slug)
	for _, c := range cats {
		if foldSlug(c.Slug) == want {
			return c, nil
		}
	}
	return Category{}, fmt.Errorf("blog: category %q: %w", slug, apperr.ErrNotFound)
}

// List returns a page of visible posts, newest first, optionally in one
// category. Pages past the end are clamped to the last page.
func (s *Service) List(ctx context.Context, lang, category string, page, perPage int) (Page, error) {
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	now := sql.NullTime{Time: s.now(), Valid: true}
	total, err := s.q.BlogPostCount(ctx, db.BlogPostCountParams{DefaultLang: s.defLang, Now: now, CategorySlug: db.NullString(category)})
	if err != nil {
		return Page{}, fmt.Errorf("blog: count: %w", err)
	}
	p := Page{Total: int(total), PerPage: perPage, Pages: max(1, (int(total)+perPage-1)/perPage)}
	p.Page = min(max(page, 1), p.Pages)
	rows, err := s.q.BlogPostList(ctx, db.BlogPostListParams{
		DefaultLang: s.defLang, Lang: lang, Now: now, CategorySlug: db.NullString(category),
		Limit: int32(perPage), Offset: int32((p.Page - 1) * perPage),
	})
	if err != nil {
		return Page{}, fmt.Errorf("blog: list: %w", err)
	}
	p.Posts = make([]Summary, len(rows))
	for i, r := range rows {
		p.Posts[i] = Summary{
			ID: r.ID, Slug: r.Slug, Title: db.Text(r.TitleTr, r.Title), Summary: db.Text(r.SummaryTr, r.Summary),
			Author: r.AuthorName, PublishedAt: r.PublishAt.Time, UpdatedAt: r.UpdatedAt, CoverID: r.CoverMediaID.Int64,
		}
	}
	if err := s.attachCategories(ctx, lang, p.Posts); err != nil {
		return Page{}, err
	}
	if err := s.attachCovers(ctx, lang, p.Posts); err != nil {
		return Page{}, err
	}
	return p, nil
}

// Get returns the visible post with slug, or apperr.ErrNotFound for an
// unknown, draft or not yet due post.
func (s *Service) Get(ctx context.Context, lang, slug string) (Post, error) {
	r, err := s.q.BlogPostGetBySlug(ctx, db.BlogPostGetBySlugParams{DefaultLang: s.defLang, Lang: lang, Slug: slug})
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fmt.Errorf("blog: get %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return Post{}, fmt.Errorf("blog: get %q: %w", slug, err)
	}
	visible := (r.Status == db.BlogPostsStatusPublished || r.Status == db.BlogPostsStatusScheduled) &&
		r.PublishAt.Valid && !r.PublishAt.Time.After(s.now())
	if !visible {
		return Post{}, fmt.Errorf("blog: get %q: %w", slug, apperr.ErrNotFound)
	}
	markdown := db.Text(r.BodyMarkdownTr, r.BodyMarkdown)
	body, err := s.md.HTML(markdown.Value)
	if err != nil {
		return Post{}, err
	}
	p := Post{
		Summary: Summary{
			ID: r.ID, Slug: r.Slug, Title: db.Text(r.TitleTr, r.Title), Summary: db.Text(r.SummaryTr, r.Summary),
			Author: r.AuthorName, PublishedAt: r.PublishAt.Time, UpdatedAt: r.UpdatedAt, CoverID: r.CoverMediaID.Int64,
		},
		Body:         body,
		BodyFallback: markdown.Fallback,
	}
	one := []Summary{p.Summary}
	if err := s.attachCategories(ctx, lang, one); err != nil {
		return Post{}, err
	}
	if err := s.attachCovers(ctx, lang, one); err != nil {
		return Post{}, err
	}
	p.Summary = one[0]
	return p, nil
}

// attachCovers loads the cover pictures of posts in one query.
func (s *Service) attachCovers(ctx context.Context, lang string, posts []Summary) error {
	err := media.Attach(ctx, s.q, s.defLang, lang, posts,
		func(p *Summary) int64 { return p.CoverID },
		func(p *Summary, img media.Image) { p.Cover = &img })
	if err != nil {
		return fmt.Errorf("blog: covers: %w", err)
	}
	return nil
}

func (s *Service) attachCategories(ctx context.Context, lang string, posts []Summary) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]int64, len(posts))
	at := make(map[int64]int, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
		at[p.ID] = i
	}
	rows, err := s.q.BlogCategoryListByPosts(ctx, db.BlogCategoryListByPostsParams{DefaultLang: s.defLang, Lang: lang, PostIds: ids})
	if err != nil {
		return fmt.Errorf("blog: post categories: %w", err)
	}
	for _, r := range rows {
		i := at[r.PostID]
		posts[i].Categories = append(posts[i].Categories, Category{Slug: r.Slug, Name: db.Text(r.NameTr, r.Name)})
	}
	return nil
}

// foldSlug drops case and accents, as the database's utf8mb4_unicode_ci
// collation does when it compares slugs.
func foldSlug(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return strings.ToLower(s)
	}
	return strings.ToLower(strings.TrimRight(out, " "))
}
