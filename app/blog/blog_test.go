package blog_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// One category with posts in every state around a fixed now.
func setup(t *testing.T) (*blog.Service, string, map[string]string) {
	t.Helper()
	sqlDB := testenv.DB(t)
	ctx := t.Context()
	now := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
	suffix := fmt.Sprint(time.Now().UnixNano())
	cat := "cat-" + suffix
	slugs := map[string]string{}
	err := db.InTx(ctx, sqlDB, func(q *db.Queries) error {
		catID, err := q.BlogCategoryInsert(ctx, db.BlogCategoryInsertParams{Slug: cat})
		if err != nil {
			return err
		}
		if err := q.BlogCategoryTranslationUpsert(ctx, db.BlogCategoryTranslationUpsertParams{CategoryID: catID, Lang: "en", Name: "News"}); err != nil {
			return err
		}
		if err := q.BlogCategoryTranslationUpsert(ctx, db.BlogCategoryTranslationUpsertParams{CategoryID: catID, Lang: "de", Name: "Neuigkeiten"}); err != nil {
			return err
		}
		for _, p := range []struct {
			name   string
			status db.BlogPostsStatus
			at     *time.Time
			de     bool
		}{
			{"old", db.BlogPostsStatusPublished, ptr(now.Add(-72 * time.Hour)), true},
			{"new", db.BlogPostsStatusPublished, ptr(now.Add(-time.Hour)), false},
			{"due", db.BlogPostsStatusScheduled, ptr(now.Add(-time.Minute)), true},
			{"future", db.BlogPostsStatusScheduled, ptr(now.Add(time.Hour)), true},
			{"draft", db.BlogPostsStatusDraft, nil, true},
		} {
			slug := p.name + "-" + suffix
			slugs[p.name] = slug
			at := sql.NullTime{}
			if p.at != nil {
				at = sql.NullTime{Time: *p.at, Valid: true}
			}
			id, err := q.BlogPostInsert(ctx, db.BlogPostInsertParams{Slug: slug, Status: p.status, PublishAt: at, AuthorName: "Mira"})
			if err != nil {
				return err
			}
			if err := q.BlogPostTranslationUpsert(ctx, db.BlogPostTranslationUpsertParams{PostID: id, Lang: "en", Title: "EN " + p.name, BodyMarkdown: "**hi** <script>x()</script>"}); err != nil {
				return err
			}
			if p.de {
				if err := q.BlogPostTranslationUpsert(ctx, db.BlogPostTranslationUpsertParams{PostID: id, Lang: "de", Title: "DE " + p.name, BodyMarkdown: "*hallo*"}); err != nil {
					return err
				}
			}
			if err := q.BlogPostCategoryInsert(ctx, db.BlogPostCategoryInsertParams{PostID: id, CategoryID: catID}); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	return blog.New(sqlDB, []string{"en", "de"}, live.Discard{}, testenv.Logger(t), func() time.Time { return now }), cat, slugs
}

func ptr[T any](v T) *T { return &v }

func TestListShowsOnlyVisiblePosts(t *testing.T) {
	t.Parallel()
	svc, cat, _ := setup(t)
	p, err := svc.List(t.Context(), "de", cat, 1, 10)
	require.NoError(t, err)
	var got []string
	for _, s := range p.Posts {
		got = append(got, s.Title.Value)
		require.Equal(t, "Neuigkeiten", s.Categories[0].Name.Value)
	}
	require.Equal(t, []string{"DE due", "EN new", "DE old"}, got, "newest first, drafts and future posts hidden, German with fallback")

	p, err = svc.List(t.Context(), "en", cat, 99999999, 2)
	require.NoError(t, err)
	require.Equal(t, 2, p.Page)
	require.Len(t, p.Posts, 1)
}

func TestGet(t *testing.T) {
	t.Parallel()
	svc, _, slugs := setup(t)
	post, err := svc.Get(t.Context(), "en", slugs["new"])
	require.NoError(t, err)
	require.Contains(t, string(post.Body), "<strong>hi</strong>")
	require.NotContains(t, string(post.Body), "<script")
	for _, hidden := range []string{"future", "draft"} {
		_, err := svc.Get(t.Context(), "en", slugs[hidden])
		require.ErrorIs(t, err, apperr.ErrNotFound, hidden)
	}
	_, err = svc.Category(t.Context(), "en", "no-such-category")
	require.ErrorIs(t, err, apperr.ErrNotFound)
}
