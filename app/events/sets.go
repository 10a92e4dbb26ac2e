package events

import (
	"context"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
)

// MaxArtistSets bounds the sets ArtistSets lists: more than a season ahead
// is not what an artist's page is for.
const MaxArtistSets = 100

// ArtistSet is one upcoming event an artist plays, with their set times
// (zero while not announced), as the artist's own page shows it.
type ArtistSet struct {
	EventID      int64
	EventSlug    string
	Title        i18n.Text
	LocationName i18n.Text
	StartsAt     time.Time
	EndsAt       time.Time
	Published    bool
	// Version is the event's; SetSetTimes needs it.
	Version     int32
	SetStartsAt time.Time
	SetEndsAt   time.Time
}

// ArtistSets lists the events artistID plays that are not over yet and not
// cancelled, drafts too (an artist may announce a set before the event
// is), in start order, titled in lang. Staff may list anyone's; an artist
// only their own.
func (s *Service) ArtistSets(ctx context.Context, a actor.Actor, artistID int64, lang string) ([]ArtistSet, error) {
	if !a.IsStaff() && !a.OwnsArtist(artistID) {
		return nil, fmt.Errorf("events: sets of artist %d: %w", artistID, apperr.ErrForbidden)
	}
	if lang == "" {
		lang = s.defLang
	}
	rows, err := s.q.EventListForArtist(ctx, db.EventListForArtistParams{
		DefaultLang: s.defLang, Lang: lang, ArtistID: artistID, Now: s.now().UTC(), Limit: MaxArtistSets,
	})
	if err != nil {
		return nil, fmt.Errorf("events: sets of artist %d: %w", artistID, err)
	}
	out := make([]ArtistSet, len(rows))
	for i, r := range rows {
		title := db.Text(r.TitleTr, r.Title.String)
		if title.Value == "" {
			title = i18n.Text{Value: r.Slug, Fallback: true}
		}
		out[i] = ArtistSet{
			EventID: r.ID, EventSlug: r.Slug, Title: title,
			LocationName: db.Text(r.LocationNameTr, r.LocationName.String),
			StartsAt:     r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(), Published: r.Published, Version: r.Version,
			SetStartsAt: nullTime(r.SetStartsAt), SetEndsAt: nullTime(r.SetEndsAt),
		}
	}
	return out, nil
}
