// Package locations is the club's venues: their text, theme and stream.
package locations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
)

// Theme is a venue's colours, applied as CSS custom properties.
type Theme struct {
	Background, Surface, Text, Accent string
}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Valid reports whether every colour is a #rrggbb value, the only form the
// views put into a style attribute.
func (t Theme) Valid() bool {
	for _, c := range []string{t.Background, t.Surface, t.Text, t.Accent} {
		if !hexColour.MatchString(c) {
			return false
		}
	}
	return true
}

// Light reports whether the background is light (relative luminance above
// one half), for choosing light browser controls. Call it on a valid theme.
func (t Theme) Light() bool { return luminance(t.Background) > 0.5 }

// luminance is the relative luminance of a valid #rrggbb colour, as WCAG
// defines it: 0 for black, 1 for white.
func luminance(hex string) float64 {
	var rgb [3]float64
	for i := range rgb {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			rgb[i] = c / 12.92
		} else {
			rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
}

// Contrast is the WCAG contrast ratio of two valid #rrggbb colours, from 1
// (the same) to 21 (black on white).
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// Location is a venue.
type Location struct {
	ID                  int64
	Slug                string
	Name                i18n.Text
	Tagline             i18n.Text
	Description         i18n.Text
	Theme               Theme
	StreamKind          string
	ListenURL           string
	TeleportURL         string
	ScreenLayout        string
	ScreenDaysAhead     int
	ScreenRotateSeconds int
	UpdatedAt           time.Time
}

// Service reads and writes venues. Writes publish their changes through
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

// New returns the locations service. langs are the offered languages, the
// default first (it must hold at least that one).
func New(sqlDB *sql.DB, langs []string, now func() time.Time, pub live.Publisher, log *slog.Logger) *Service {
	return &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), defLang: langs[0], langs: langs,
		now: now, pub: pub, log: log,
	}
}

// List returns every venue in display order.
func (s *Service) List(ctx context.Context, lang string) ([]Location, error) {
	rows, err := s.q.LocationList(ctx, db.LocationListParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("locations: list: %w", err)
	}
	out := make([]Location, len(rows))
	for i, r := range rows {
		out[i] = location(db.LocationGetBySlugRow(r))
	}
	return out, nil
}

// Get returns the venue with slug, or apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, lang, slug string) (Location, error) {
	r, err := s.q.LocationGetBySlug(ctx, db.LocationGetBySlugParams{DefaultLang: s.defLang, Lang: lang, Slug: slug})
	if errors.Is(err, sql.ErrNoRows) {
		return Location{}, fmt.Errorf("locations: get %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return Location{}, fmt.Errorf("locations: get %q: %w", slug, err)
	}
	return location(r), nil
}

func location(r db.LocationGetBySlugRow) Location {
	return Location{
		ID: r.ID, Slug: r.Slug,
		Name:        db.Text(r.NameTr, r.Name),
		Tagline:     db.Text(r.TaglineTr, r.Tagline),
		Description: db.Text(r.DescriptionTr, r.Description),
		Theme:       Theme{Background: r.ThemeBackground, Surface: r.ThemeSurface, Text: r.ThemeText, Accent: r.ThemeAccent},
		StreamKind:  string(r.StreamKind), ListenURL: r.StreamListenUrl, TeleportURL: r.TeleportUrl,
		ScreenLayout: string(r.ScreenLayout), ScreenDaysAhead: int(r.ScreenDaysAhead),
		ScreenRotateSeconds: int(r.ScreenRotateSeconds), UpdatedAt: r.UpdatedAt,
	}
}
