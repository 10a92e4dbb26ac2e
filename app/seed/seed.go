// Package seed fills a migrated, empty database with demo content: venues,
// artists, twelve weeks of programme around now, blog posts, now playing,
// settings and feature flags. The content is fixed data plus a small
// scheduler driven by a fixed random seed, so the same now gives the same
// database.
package seed

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

const (
	// clubZone is the club's own time zone ("SLT"); the programme's slots
	// are club times.
	clubZone = "America/Los_Angeles"
	// The PCG seed that makes the content repeatable.
	seedHi, seedLo = 0x7dc_2024_c0ffee, 0xd4ea_3e45_cafe
)

// Run inserts the demo content in one transaction; times are relative to
// now (UTC). It expects an empty database: on a seeded one the unique slugs
// make it fail and roll back.
func Run(ctx context.Context, sqlDB *sql.DB, now time.Time) error {
	zone, err := time.LoadLocation(clubZone)
	if err != nil {
		return fmt.Errorf("seed: load club time zone: %w", err)
	}
	// DATETIME columns hold whole seconds; truncating here keeps the
	// stored times equal to the planned ones.
	now = now.UTC().Truncate(time.Second)
	r := rand.New(rand.NewPCG(seedHi, seedLo))
	events, err := planEvents(now, zone, r)
	if err != nil {
		return err
	}
	return db.InTx(ctx, sqlDB, func(q *db.Queries) error {
		locationIDs, err := insertLocations(ctx, q)
		if err != nil {
			return err
		}
		artistIDs, err := insertArtists(ctx, q)
		if err != nil {
			return err
		}
		if err := insertEvents(ctx, q, events, locationIDs, artistIDs); err != nil {
			return err
		}
		if err := insertBlog(ctx, q, now); err != nil {
			return err
		}
		if err := insertNowPlaying(ctx, q, r, now, locationIDs); err != nil {
			return err
		}
		return insertSettings(ctx, q)
	})
}

// IfEmpty runs Run only when the database has no locations; it reports
// whether it seeded. Two processes calling it at once may both see an empty
// database; the second then fails on a unique slug and changes nothing.
func IfEmpty(ctx context.Context, sqlDB *sql.DB, now time.Time) (bool, error) {
	n, err := db.New(sqlDB).LocationCount(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: count locations: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	if err := Run(ctx, sqlDB, now); err != nil {
		return false, err
	}
	return true, nil
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

// insertEvents writes the planned programme with its translations and lineups.
func insertEvents(ctx context.Context, q *db.Queries, events []plannedEvent, locationIDs, artistIDs map[string]int64) error {
	for _, e := range events {
		t := eventTemplates[e.template]
		id, err := q.EventInsert(ctx, db.EventInsertParams{
			Slug:       e.slug,
			Kind:       t.kind,
			LocationID: locationIDs[e.location],
			StartsAt:   e.start,
			EndsAt:     e.end,
			Published:  e.published,
		})
		if err != nil {
			return fmt.Errorf("seed: insert event %s: %w", e.slug, err)
		}
		de := t.de
		if !e.german {
			de = eventText{}
		}
		for _, tr := range byLang(t.en, de) {
			err := q.EventTranslationUpsert(ctx, db.EventTranslationUpsertParams{
				EventID:     id,
				Lang:        tr.lang,
				Title:       tr.text.title,
				Summary:     tr.text.summary,
				Description: tr.text.description,
			})
			if err != nil {
				return fmt.Errorf("seed: insert event %s translation %s: %w", e.slug, tr.lang, err)
			}
		}
		for i, s := range e.lineup {
			artistID, ok := artistIDs[s.artist]
			if !ok {
				return fmt.Errorf("seed: event %s: unknown artist %q", e.slug, s.artist)
			}
			err := q.EventArtistInsert(ctx, db.EventArtistInsertParams{
				EventID:     id,
				ArtistID:    artistID,
				Position:    int32(i + 1),
				SetStartsAt: sql.NullTime{Time: s.start, Valid: true},
				SetEndsAt:   sql.NullTime{Time: s.end, Valid: true},
			})
			if err != nil {
				return fmt.Errorf("seed: insert event %s artist %s: %w", e.slug, s.artist, err)
			}
		}
	}
	return nil
}
