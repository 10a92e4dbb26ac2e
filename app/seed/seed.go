// Package seed fills a migrated, empty database with demo content: venues,
// artists, twelve weeks of programme around now, blog posts, now playing,
// settings and feature flags. The content is fixed data plus a small
// scheduler driven by a fixed random seed, so the same now gives the same
// content (the audit log's order aside).
//
// Every row goes through the write services (events, locations, artists,
// blog, settings) as the system actor, so the demo obeys the rules an
// editor's content does: no overlapping events at a venue, set times inside
// their events, whole minutes, slugs made by the services, an audit entry
// per write. The one exception is now playing and its history, which have
// no write service yet (issue 7) and are inserted with sqlc directly.
//
// Seeding is many transactions, not one. Run and IfEmpty take a database
// lock and refuse a database that already has content, so two seeders never
// both fill it; a failure part-way leaves part of the demo behind
// (ErrPartial), and seeding again needs a new, empty database. Alongside is
// for test databases that other tests write to: it only refuses one that
// has some of the demo already.
package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/services"
)

const (
	// clubZone is the club's own time zone ("SLT"); the programme's slots
	// are club times.
	clubZone = "America/Los_Angeles"
	// The PCG seed that makes the content repeatable.
	seedHi, seedLo = 0x7dc_2024_c0ffee, 0xd4ea_3e45_cafe
	// lang is the language the demo's slugs come from. The content is
	// written in English and German, so the site must offer both, with
	// English as the default (TDC_DEFAULT_LANGUAGE and TDC_LANGUAGES as
	// they come).
	lang = "en"
)

var (
	// ErrNotEmpty is Run's answer for a database that already has venues,
	// artists, blog posts or categories: the demo would mix with them.
	ErrNotEmpty = errors.New("seed: the database already has content; seed an empty database")
	// ErrSeeded is Alongside's answer for a database that already has a
	// venue, artist, blog category or post under one of the demo's slugs.
	ErrSeeded = errors.New("seed: the database already has (part of) the demo content")
	// ErrPartial wraps a failure after seeding began: the database holds
	// part of the demo content, and seeding again needs a new, empty
	// database.
	ErrPartial = errors.New("seed: stopped part-way; the database holds part of the demo content: " +
		"recreate it empty before seeding again")
)

// Run loads the demo content into an empty database through the services
// in svc, as the system actor; times are relative to now (UTC). svc's
// clock should read now (services.New with a clock fixed at now is best):
// publishing, scheduling and the audit log use it. svc's publisher may be
// live.Discard: the caller announces live.TopicAll once afterwards.
//
// Run refuses a database with content (ErrNotEmpty). A failure once
// seeding began is wrapped in ErrPartial.
func Run(ctx context.Context, svc services.Set, sqlDB *sql.DB, now time.Time) error {
	seeded, err := IfEmpty(ctx, svc, sqlDB, now)
	if err != nil {
		return err
	}
	if !seeded {
		return ErrNotEmpty
	}
	return nil
}

// IfEmpty seeds as Run does when the database has no content, and leaves a
// database with content alone; it reports whether it seeded. Seeders take
// turns on a database lock, so of two started together one seeds and the
// other finds content.
func IfEmpty(ctx context.Context, svc services.Set, sqlDB *sql.DB, now time.Time) (bool, error) {
	return run(ctx, svc, sqlDB, now, isEmpty)
}

// Alongside seeds as Run does into a database that may hold other content,
// for a test database that other tests write to at the same time. It
// refuses one that has any of the demo's venues, artists, blog categories or
// posts (ErrSeeded); the other rows stay as they are. Content that takes a
// slug the demo needs while it seeds makes it fail.
func Alongside(ctx context.Context, svc services.Set, sqlDB *sql.DB, now time.Time) error {
	seeded, err := run(ctx, svc, sqlDB, now, demoAbsent)
	if err != nil {
		return err
	}
	if !seeded {
		return ErrSeeded
	}
	return nil
}

// run seeds when ready says the database may take the demo, under the seed
// lock, and reports whether it did.
func run(ctx context.Context, svc services.Set, sqlDB *sql.DB, now time.Time,
	ready func(context.Context, *db.Queries) (bool, error),
) (bool, error) {
	// Plan before taking the lock: a planning error changes nothing.
	zone, err := time.LoadLocation(clubZone)
	if err != nil {
		return false, fmt.Errorf("seed: load club time zone: %w", err)
	}
	// DATETIME columns hold whole seconds; truncating here keeps the
	// stored times equal to the planned ones.
	now = now.UTC().Truncate(time.Second)
	r := rand.New(rand.NewPCG(seedHi, seedLo))
	programme, err := planEvents(now, zone, r)
	if err != nil {
		return false, err
	}

	seeded := false
	err = locked(ctx, sqlDB, func() error {
		ok, err := ready(ctx, db.New(sqlDB))
		if err != nil || !ok {
			return err
		}
		seeded = true
		err = fill(ctx, svc, sqlDB, now, r, programme)
		if err == nil {
			return nil
		}
		// A failure before the first write (such as text in a language
		// the site does not offer) leaves the database as it was.
		if ok, cerr := ready(context.WithoutCancel(ctx), db.New(sqlDB)); cerr == nil && ok {
			return err
		}
		return fmt.Errorf("%w: %w", ErrPartial, err)
	})
	return seeded && err == nil, err
}

// fill writes the demo content: venues and artists first, as events refer
// to them.
func fill(ctx context.Context, svc services.Set, sqlDB *sql.DB, now time.Time, r *rand.Rand, programme []plannedEvent) error {
	a := actor.System()
	locationIDs, err := createLocations(ctx, svc.Locations, a)
	if err != nil {
		return err
	}
	artistIDs, err := createArtists(ctx, svc.Artists, a)
	if err != nil {
		return err
	}
	if err := createEvents(ctx, svc.Events, a, programme, locationIDs, artistIDs); err != nil {
		return err
	}
	if err := createBlog(ctx, svc.Blog, a, now); err != nil {
		return err
	}
	// Now playing has no write service yet (issue 7): the one direct write.
	err = db.InTx(ctx, sqlDB, func(q *db.Queries) error {
		return insertNowPlaying(ctx, q, r, now, locationIDs)
	})
	if err != nil {
		return err
	}
	return applySettings(ctx, svc.Settings, a)
}

// lockName is the MySQL named lock seeders take turns on. Lock names are
// server-wide and at most 64 characters: the database's name is hashed in,
// so seeders of two databases on one server never wait on each other.
const lockName = "CONCAT('tdc_seed:', LEFT(SHA1(DATABASE()), 20))"

// locked runs fn while holding the database's seed lock. The lock belongs
// to one connection, so it is taken on a connection of its own; fn's
// writes go through the services' own connections.
func locked(ctx context.Context, sqlDB *sql.DB, fn func() error) error {
	if sqlDB.Stats().MaxOpenConnections == 1 {
		// The lock's connection would be the only one, and the services
		// would wait for it for ever.
		return errors.New("seed: needs at least two database connections (TDC_DB_MAX_OPEN_CONNS)")
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("seed: lock: %w", err)
	}
	defer conn.Close()
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lockName+", 300)").Scan(&got); err != nil {
		return fmt.Errorf("seed: lock: %w", err)
	}
	if got.Int64 != 1 {
		return errors.New("seed: another seeder held the seed lock for 5 minutes")
	}
	// Closing a *sql.Conn only returns it to the pool, lock and all, so
	// the lock is released explicitly.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+lockName+")") //nolint:errcheck
	return fn()
}

// isEmpty reports whether the database has none of the content the seed
// makes. Events need a venue, so no venues means no events; users and
// settings do not count.
func isEmpty(ctx context.Context, q *db.Queries) (bool, error) {
	n, err := q.LocationCount(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: count locations: %w", err)
	}
	total := n
	if n, err = q.ArtistAdminCount(ctx, db.ArtistAdminCountParams{}); err != nil {
		return false, fmt.Errorf("seed: count artists: %w", err)
	}
	total += n
	if n, err = q.BlogPostAdminCount(ctx, db.BlogPostAdminCountParams{}); err != nil {
		return false, fmt.Errorf("seed: count blog posts: %w", err)
	}
	total += n
	categories, err := q.BlogCategoryAdminList(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: list blog categories: %w", err)
	}
	return total+int64(len(categories)) == 0, nil
}

// demoAbsent reports whether none of the demo's venues, artists, blog
// categories and posts is in the database, by slug. Events are left out:
// their slugs carry dates, or follow titles no one else uses.
func demoAbsent(ctx context.Context, q *db.Queries) (bool, error) {
	for _, l := range demoLocations {
		if found, err := q.LocationExistsBySlug(ctx, l.slug); err != nil || found {
			return false, wrapSlugErr("location", l.slug, err)
		}
	}
	for _, a := range demoArtists {
		if found, err := q.ArtistExistsBySlug(ctx, a.slug); err != nil || found {
			return false, wrapSlugErr("artist", a.slug, err)
		}
	}
	for _, c := range blogCategories {
		taken, err := q.BlogCategorySlugsLike(ctx, db.BlogCategorySlugsLikeParams{Base: c.slug})
		if err != nil || slices.Contains(taken, c.slug) {
			return false, wrapSlugErr("blog category", c.slug, err)
		}
	}
	for _, p := range blogPosts {
		taken, err := q.BlogPostSlugsLike(ctx, db.BlogPostSlugsLikeParams{Base: p.slug})
		if err != nil || slices.Contains(taken, p.slug) {
			return false, wrapSlugErr("blog post", p.slug, err)
		}
	}
	return true, nil
}

func wrapSlugErr(what, slug string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("seed: look up %s %s: %w", what, slug, err)
}

// slugTitle returns the title to create a row with so that its service
// makes slug from it, and whether the real title must replace it once the
// slug is fixed. A title that already gives slug is used as it is; else
// the slug itself is the working title, as a slug is its own slug.
func slugTitle(slug, title string) (string, bool) {
	if content.Slug(title, lang, len(slug)+len(title)) == slug {
		return title, false
	}
	return slug, true
}

// checkSlug fails when a service made another slug than the demo needs:
// tests, links in the demo posts and bookmarks rely on them.
func checkSlug(what, want, got string) error {
	if got != want {
		return fmt.Errorf("seed: %s %s: the service made slug %q", what, want, got)
	}
	return nil
}

// translation is one language's text of a row.
type translation[T any] struct {
	lang string
	text T
}

// byLang lists a row's translations: English always, German unless its text
// is left empty on purpose.
func byLang[T comparable](en, de T) []translation[T] {
	out := []translation[T]{{"en", en}}
	var none T
	if de != none {
		out = append(out, translation[T]{"de", de})
	}
	return out
}
