// Package artists is the club's performers.
package artists

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
)

// Summary is an artist as a list shows it.
type Summary struct {
	ID    int64
	Slug  string
	Name  string
	Genre i18n.Text
}

// Link is one of an artist's pages elsewhere; Kind names the site.
type Link struct {
	Kind, URL string
}

// Artist is one artist with everything the page shows.
type Artist struct {
	Summary
	Bio   i18n.Text
	Links []Link
}

// Service reads and writes artists. Writes publish their changes through
// pub after commit; now is the clock.
type Service struct {
	sqlDB   *sql.DB
	q       *db.Queries
	defLang string
	langs   []string
	now     func() time.Time
	pub     live.Publisher
	log     *slog.Logger
}

// New returns the artists service. langs are the offered languages, the
// default first (it must hold at least that one).
func New(sqlDB *sql.DB, langs []string, now func() time.Time, pub live.Publisher, log *slog.Logger) *Service {
	return &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), defLang: langs[0], langs: langs,
		now: now, pub: pub, log: log,
	}
}

// List returns every artist by name.
func (s *Service) List(ctx context.Context, lang string) ([]Summary, error) {
	rows, err := s.q.ArtistList(ctx, db.ArtistListParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("artists: list: %w", err)
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = Summary{ID: r.ID, Slug: r.Slug, Name: r.Name, Genre: db.Text(r.GenreTr, r.Genre)}
	}
	return out, nil
}

// Get returns the artist with slug and their links, or apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, lang, slug string) (Artist, error) {
	r, err := s.q.ArtistGetBySlug(ctx, db.ArtistGetBySlugParams{DefaultLang: s.defLang, Lang: lang, Slug: slug})
	if errors.Is(err, sql.ErrNoRows) {
		return Artist{}, fmt.Errorf("artists: get %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return Artist{}, fmt.Errorf("artists: get %q: %w", slug, err)
	}
	links, err := s.q.ArtistLinkList(ctx, r.ID)
	if err != nil {
		return Artist{}, fmt.Errorf("artists: links of %q: %w", slug, err)
	}
	a := Artist{
		Summary: Summary{ID: r.ID, Slug: r.Slug, Name: r.Name, Genre: db.Text(r.GenreTr, r.Genre)},
		Bio:     db.Text(r.BioTr, r.Bio),
	}
	for _, l := range links {
		a.Links = append(a.Links, Link{Kind: string(l.Kind), URL: l.Url})
	}
	return a, nil
}
