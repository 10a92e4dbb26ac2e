package locations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
)

// Text is a venue's text in one language, as the back office edits it.
type Text struct {
	Name, Tagline, Description string
}

func (t Text) empty() bool { return t.Name == "" && t.Tagline == "" && t.Description == "" }

// Screen is how a venue's screen shows itself: its layout ("schedule",
// "now-playing" or "split"), how many days of schedule it lists, and how
// many seconds it shows each page when it rotates.
type Screen struct {
	Layout        string
	DaysAhead     int
	RotateSeconds int
	// Panels are the panels shown, in display order (see Panels). The
	// full form leaves them, the announcements and the key as they are.
	Panels []string
	// Announcements are the lines the screen rotates through, per
	// language, joined by "\n".
	Announcements map[string]string
	// HasKey says the screen needs a key; only its hash is stored.
	HasKey bool
}

// Draft is a venue as the back office sees it, every language's text side
// by side. Version is what the next write must name.
type Draft struct {
	ID       int64
	Slug     string
	Position int
	Theme    Theme
	// BackgroundMediaID is the background image, 0 for none.
	BackgroundMediaID int64
	// StreamKind is "none", "icecast", "shoutcast" or "push".
	StreamKind      string
	StreamStatusURL string
	StreamListenURL string
	TeleportURL     string
	// HasNowPlayingToken says whether DJ software can push now-playing;
	// the token itself is never stored, only its hash.
	HasNowPlayingToken       bool
	NowPlayingTokenRotatedAt time.Time
	Screen                   Screen
	Version                  int32
	CreatedAt                time.Time
	UpdatedAt                time.Time
	Texts                    map[string]Text
}

func (d Draft) clone() Draft {
	c := d
	c.Screen.Panels = slices.Clone(d.Screen.Panels)
	c.Screen.Announcements = maps.Clone(d.Screen.Announcements)
	c.Texts = make(map[string]Text, len(d.Texts))
	for l, t := range d.Texts {
		c.Texts[l] = t
	}
	return c
}

// AdminGet returns venue id as the back office edits it, or
// apperr.ErrNotFound.
func (s *Service) AdminGet(ctx context.Context, id int64) (Draft, error) {
	return s.load(ctx, s.q, id)
}

func (s *Service) load(ctx context.Context, q *db.Queries, id int64) (Draft, error) {
	r, err := q.LocationAdminGet(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, fmt.Errorf("locations: get %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return Draft{}, fmt.Errorf("locations: get %d: %w", id, err)
	}
	d := Draft{
		ID: r.ID, Slug: r.Slug, Position: int(r.Position),
		Theme:             Theme{Background: r.ThemeBackground, Surface: r.ThemeSurface, Text: r.ThemeText, Accent: r.ThemeAccent},
		BackgroundMediaID: r.BackgroundMediaID.Int64,
		StreamKind:        string(r.StreamKind), StreamStatusURL: r.StreamStatusUrl, StreamListenURL: r.StreamListenUrl,
		TeleportURL: r.TeleportUrl, HasNowPlayingToken: r.HasNowPlayingToken,
		Screen:  Screen{Layout: string(r.ScreenLayout), DaysAhead: int(r.ScreenDaysAhead), RotateSeconds: int(r.ScreenRotateSeconds)},
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Texts: map[string]Text{},
	}
	if r.NowPlayingTokenRotatedAt.Valid {
		d.NowPlayingTokenRotatedAt = r.NowPlayingTokenRotatedAt.Time.UTC()
	}
	if err := loadScreen(ctx, q, &d); err != nil {
		return Draft{}, err
	}
	texts, err := q.LocationTranslationList(ctx, id)
	if err != nil {
		return Draft{}, fmt.Errorf("locations: texts of %d: %w", id, err)
	}
	for _, t := range texts {
		d.Texts[t.Lang] = Text{Name: t.Name, Tagline: t.Tagline, Description: t.Description}
	}
	return d, nil
}

// AdminSummary is one venue in the back office's list.
type AdminSummary struct {
	ID         int64
	Slug       string
	Name       i18n.Text
	Position   int
	Accent     string
	StreamKind string
	// EventCount is how many events (past ones included) the venue has; a
	// venue with events cannot be deleted.
	EventCount int
	Version    int32
	UpdatedAt  time.Time
}

// AdminList returns every venue in display order, names in lang when
// translated. Venues are few, so there is no paging.
func (s *Service) AdminList(ctx context.Context, lang string) ([]AdminSummary, error) {
	rows, err := s.q.LocationAdminList(ctx, db.LocationAdminListParams{DefaultLang: s.defLang, Lang: lang})
	if err != nil {
		return nil, fmt.Errorf("locations: admin list: %w", err)
	}
	out := make([]AdminSummary, len(rows))
	for i, r := range rows {
		name := db.Text(r.NameTr, r.Name.String)
		if name.Value == "" {
			name = i18n.Text{Value: r.Slug, Fallback: true}
		}
		out[i] = AdminSummary{
			ID: r.ID, Slug: r.Slug, Name: name, Position: int(r.Position), Accent: r.ThemeAccent,
			StreamKind: string(r.StreamKind), EventCount: int(r.EventCount), Version: r.Version, UpdatedAt: r.UpdatedAt.UTC(),
		}
	}
	return out, nil
}
