package testenv

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// The row factory: venues, artists and events inserted straight through
// sqlc, with unique slugs and sensible defaults, so a test states only what
// it is about. The rows skip the services' rules on purpose (a test may
// need two overlapping events to check the rule that forbids them); use
// the services to test the rules themselves. For tests only.

// Unique returns prefix followed by a random suffix, for slugs and names no
// other test (or parallel run) uses.
func Unique(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// LocationOpts describes a venue; zero fields get defaults.
type LocationOpts struct {
	// Slug defaults to a unique "venue-…".
	Slug string
	// Name is the default-language name; it defaults to "Venue <slug>".
	Name string
	// Names adds names in other languages, by language.
	Names map[string]string
	// Theme colours default to a dark theme with readable text.
	Background, Surface, Text, Accent string
	// StreamKind defaults to none.
	StreamKind db.LocationsStreamKind
	// StatusURL is the stream status URL, empty by default.
	StatusURL string
	// Lang is the default language, "en" when empty.
	Lang string
}

// LocationRow is an inserted venue.
type LocationRow struct {
	ID   int64
	Slug string
	Name string
}

// Location inserts a venue through q (a pool's or a transaction's queries).
func Location(t testing.TB, q *db.Queries, o LocationOpts) LocationRow {
	t.Helper()
	ctx := t.Context()
	r := LocationRow{Slug: or(o.Slug, Unique("venue"))}
	r.Name = or(o.Name, "Venue "+r.Slug)
	id, err := q.LocationInsert(ctx, db.LocationInsertParams{
		Slug:            r.Slug,
		ThemeBackground: or(o.Background, "#0d0b1a"), ThemeSurface: or(o.Surface, "#1a1630"),
		ThemeText: or(o.Text, "#f3efff"), ThemeAccent: or(o.Accent, "#b18cff"),
		StreamKind: or(o.StreamKind, db.LocationsStreamKindNone), StreamStatusUrl: o.StatusURL,
		ScreenLayout: db.LocationsScreenLayoutSplit, ScreenDaysAhead: 7, ScreenRotateSeconds: 20,
	})
	if err != nil {
		t.Fatalf("testenv: insert location %s: %v", r.Slug, err)
	}
	r.ID = id
	names := map[string]string{or(o.Lang, "en"): r.Name}
	for l, n := range o.Names {
		names[l] = n
	}
	for l, n := range names {
		if err := q.LocationTranslationUpsert(ctx, db.LocationTranslationUpsertParams{LocationID: id, Lang: l, Name: n}); err != nil {
			t.Fatalf("testenv: insert location %s text %s: %v", r.Slug, l, err)
		}
	}
	return r
}

// ArtistOpts describes an artist; zero fields get defaults.
type ArtistOpts struct {
	// Slug defaults to a unique "artist-…".
	Slug string
	// Name defaults to "Artist <slug>".
	Name string
	// Genre is the default-language genre, "Techno" when empty.
	Genre string
	// Lang is the default language, "en" when empty.
	Lang string
}

// ArtistRow is an inserted artist.
type ArtistRow struct {
	ID   int64
	Slug string
	Name string
}

// Artist inserts an artist with a default-language text through q.
func Artist(t testing.TB, q *db.Queries, o ArtistOpts) ArtistRow {
	t.Helper()
	ctx := t.Context()
	r := ArtistRow{Slug: or(o.Slug, Unique("artist"))}
	r.Name = or(o.Name, "Artist "+r.Slug)
	id, err := q.ArtistInsert(ctx, db.ArtistInsertParams{Slug: r.Slug, Name: r.Name})
	if err != nil {
		t.Fatalf("testenv: insert artist %s: %v", r.Slug, err)
	}
	r.ID = id
	if err := q.ArtistTranslationUpsert(ctx, db.ArtistTranslationUpsertParams{
		ArtistID: id, Lang: or(o.Lang, "en"), Genre: or(o.Genre, "Techno"),
	}); err != nil {
		t.Fatalf("testenv: insert artist %s text: %v", r.Slug, err)
	}
	return r
}

// EventOpts describes an event; zero fields get defaults.
type EventOpts struct {
	// Location is where it happens; zero makes a venue of its own, so
	// events made without one never overlap.
	Location LocationRow
	// Kind defaults to a DJ set.
	Kind db.EventsKind
	// Start defaults to tomorrow at this hour (UTC, whole hour).
	Start time.Time
	// Duration defaults to two hours.
	Duration time.Duration
	// Slug defaults to a unique "event-…".
	Slug string
	// Title is the default-language title, "Event <slug>" when empty.
	Title string
	// Titles adds titles in other languages, by language.
	Titles map[string]string
	// Published events also get first_published_at = Start - 30 days.
	Published bool
	// Cancelled events are cancelled at Start - 1 day.
	Cancelled    bool
	AllowOverlap bool
	// Lineup lists the acts in order, without set times.
	Lineup []ArtistRow
	// Lang is the default language, "en" when empty.
	Lang string
}

// EventRow is an inserted event.
type EventRow struct {
	ID           int64
	Slug         string
	Title        string
	LocationID   int64
	LocationSlug string
	StartsAt     time.Time
	EndsAt       time.Time
}

// Event inserts an event with its texts and lineup through q.
func Event(t testing.TB, q *db.Queries, o EventOpts) EventRow {
	t.Helper()
	ctx := t.Context()
	if o.Location.ID == 0 {
		o.Location = Location(t, q, LocationOpts{Lang: o.Lang})
	}
	if o.Start.IsZero() {
		o.Start = time.Now().UTC().Truncate(time.Hour).Add(24 * time.Hour)
	}
	if o.Duration == 0 {
		o.Duration = 2 * time.Hour
	}
	r := EventRow{
		Slug: or(o.Slug, Unique("event")), LocationID: o.Location.ID, LocationSlug: o.Location.Slug,
		StartsAt: o.Start.UTC(), EndsAt: o.Start.UTC().Add(o.Duration),
	}
	r.Title = or(o.Title, "Event "+r.Slug)
	var firstPublished, cancelled sql.NullTime
	if o.Published {
		firstPublished = sql.NullTime{Time: r.StartsAt.AddDate(0, 0, -30), Valid: true}
	}
	if o.Cancelled {
		cancelled = sql.NullTime{Time: r.StartsAt.AddDate(0, 0, -1), Valid: true}
	}
	now := time.Now().UTC().Truncate(time.Second)
	id, err := q.EventCreate(ctx, db.EventCreateParams{
		Slug: r.Slug, Kind: or(o.Kind, db.EventsKindDjSet), LocationID: r.LocationID,
		StartsAt: r.StartsAt, EndsAt: r.EndsAt, Published: o.Published,
		CancelledAt: cancelled, FirstPublishedAt: firstPublished, AllowOverlap: o.AllowOverlap,
		CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		t.Fatalf("testenv: insert event %s: %v", r.Slug, err)
	}
	r.ID = id
	titles := map[string]string{or(o.Lang, "en"): r.Title}
	for l, title := range o.Titles {
		titles[l] = title
	}
	for l, title := range titles {
		if err := q.EventTranslationUpsert(ctx, db.EventTranslationUpsertParams{EventID: id, Lang: l, Title: title}); err != nil {
			t.Fatalf("testenv: insert event %s text %s: %v", r.Slug, l, err)
		}
	}
	for i, a := range o.Lineup {
		if err := q.EventArtistInsert(ctx, db.EventArtistInsertParams{EventID: id, ArtistID: a.ID, Position: int32(i + 1)}); err != nil {
			t.Fatalf("testenv: insert event %s act %s: %v", r.Slug, a.Slug, err)
		}
	}
	return r
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Picture inserts an image with two widths and a thumbnail (rows only, no
// files), and its alt texts by language, and returns its media id.
func Picture(t testing.TB, q *db.Queries, alts map[string]string) int64 {
	t.Helper()
	ctx := t.Context()
	id, err := q.MediaInsert(ctx, db.MediaInsertParams{
		Sha256: Unique("sha"), ContentType: "image/png", SizeBytes: 100,
		Width: sql.NullInt32{Int32: 1200, Valid: true}, Height: sql.NullInt32{Int32: 800, Valid: true},
		OriginalName: "cover.png", CreatedAt: time.Now().UTC().Truncate(time.Second),
	})
	if err != nil {
		t.Fatalf("testenv: insert picture: %v", err)
	}
	for _, v := range []struct {
		name string
		w, h int32
	}{{"thumb", 160, 160}, {"w480", 480, 320}, {"w960", 960, 640}} {
		err := q.MediaVariantInsert(ctx, db.MediaVariantInsertParams{
			MediaID: id, Variant: v.name, Sha256: Unique("v"), ContentType: "image/webp", SizeBytes: 10, Width: v.w, Height: v.h,
		})
		if err != nil {
			t.Fatalf("testenv: insert picture variant: %v", err)
		}
	}
	for lang, alt := range alts {
		if err := q.MediaTranslationUpsert(ctx, db.MediaTranslationUpsertParams{MediaID: id, Lang: lang, AltText: alt}); err != nil {
			t.Fatalf("testenv: insert picture alt text: %v", err)
		}
	}
	return id
}
