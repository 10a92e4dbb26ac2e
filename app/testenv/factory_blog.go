package testenv

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// PostText is one language's text of a test post.
type PostText struct {
	Title, Summary, Body string
}

// PostOpts describes a test post; zero fields get defaults.
type PostOpts struct {
	Slug string // default: a unique "post-<random>"
	// Status is "draft", "scheduled" or "published" (the default).
	Status string
	// PublishAt defaults to an hour ago for a published post, and stays
	// unset for a draft.
	PublishAt  time.Time
	AuthorName string
	// Texts defaults to an English title and body naming the slug.
	Texts      map[string]PostText
	Categories []int64
}

// Post inserts a post straight through sqlc and returns its id and slug.
func Post(t testing.TB, sqlDB *sql.DB, o PostOpts) (int64, string) {
	t.Helper()
	if o.Slug == "" {
		o.Slug = "post-" + blogSuffix()
	}
	if o.Status == "" {
		o.Status = string(db.BlogPostsStatusPublished)
	}
	if o.PublishAt.IsZero() && o.Status == string(db.BlogPostsStatusPublished) {
		o.PublishAt = time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	}
	if o.Texts == nil {
		o.Texts = map[string]PostText{"en": {Title: "Post " + o.Slug, Body: "Body of " + o.Slug}}
	}
	ctx := t.Context()
	var id int64
	err := db.InTx(ctx, sqlDB, func(q *db.Queries) error {
		var err error
		id, err = q.BlogPostInsert(ctx, db.BlogPostInsertParams{
			Slug: o.Slug, Status: db.BlogPostsStatus(o.Status),
			PublishAt:  sql.NullTime{Time: o.PublishAt.UTC(), Valid: !o.PublishAt.IsZero()},
			AuthorName: o.AuthorName,
		})
		if err != nil {
			return err
		}
		for lang, tx := range o.Texts {
			if err := q.BlogPostTranslationUpsert(ctx, db.BlogPostTranslationUpsertParams{
				PostID: id, Lang: lang, Title: tx.Title, Summary: tx.Summary, BodyMarkdown: tx.Body,
			}); err != nil {
				return err
			}
		}
		for _, c := range o.Categories {
			if err := q.BlogPostCategoryInsert(ctx, db.BlogPostCategoryInsertParams{PostID: id, CategoryID: c}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("testenv: insert post %s: %v", o.Slug, err)
	}
	return id, o.Slug
}

// CategoryOpts describes a test category; zero fields get defaults.
type CategoryOpts struct {
	Slug string // default: a unique "category-<random>"
	// Names defaults to an English name naming the slug.
	Names    map[string]string
	Position int
}

// Category inserts a category straight through sqlc and returns its id
// and slug.
func Category(t testing.TB, sqlDB *sql.DB, o CategoryOpts) (int64, string) {
	t.Helper()
	if o.Slug == "" {
		o.Slug = "category-" + blogSuffix()
	}
	if o.Names == nil {
		o.Names = map[string]string{"en": "Category " + o.Slug}
	}
	ctx := t.Context()
	var id int64
	err := db.InTx(ctx, sqlDB, func(q *db.Queries) error {
		var err error
		if id, err = q.BlogCategoryInsert(ctx, db.BlogCategoryInsertParams{Slug: o.Slug, Position: int32(o.Position)}); err != nil {
			return err
		}
		for lang, name := range o.Names {
			if err := q.BlogCategoryTranslationUpsert(ctx, db.BlogCategoryTranslationUpsertParams{CategoryID: id, Lang: lang, Name: name}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("testenv: insert category %s: %v", o.Slug, err)
	}
	return id, o.Slug
}

// blogSuffix is random enough that parallel tests never share a slug.
func blogSuffix() string {
	b := make([]byte, 5)
	rand.Read(b)
	return hex.EncodeToString(b)
}
