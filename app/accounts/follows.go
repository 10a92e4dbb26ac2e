package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
)

// FollowKind is what a user can follow.
type FollowKind string

// The kinds of follow.
const (
	FollowArtist   FollowKind = "artist"
	FollowLocation FollowKind = "location"
)

// Valid reports whether k is a known kind.
func (k FollowKind) Valid() bool { return k == FollowArtist || k == FollowLocation }

// Target is an artist or a location to follow, with its name in the
// language asked for.
type Target struct {
	Kind FollowKind
	Slug string
	Name string
	id   int64
}

// Followed is one follow of a user.
type Followed struct {
	Target
	Since time.Time
}

// Follows are everything a user follows.
type Follows struct {
	Artists   []Followed
	Locations []Followed
}

// FollowTarget finds the artist or location with slug, or apperr.ErrNotFound.
func (s *Service) FollowTarget(ctx context.Context, kind FollowKind, slug, lang string) (Target, error) {
	var t Target
	var err error
	switch kind {
	case FollowArtist:
		var r db.FollowArtistTargetRow
		r, err = s.q.FollowArtistTarget(ctx, slug)
		t = Target{Kind: kind, Slug: r.Slug, Name: r.Name, id: r.ID}
	case FollowLocation:
		var r db.FollowLocationTargetRow
		r, err = s.q.FollowLocationTarget(ctx, db.FollowLocationTargetParams{DefaultLang: s.defaultLang(), Lang: lang, Slug: slug})
		t = Target{Kind: kind, Slug: r.Slug, Name: db.Text(r.NameTr, r.Name).Value, id: r.ID}
	default:
		return Target{}, fmt.Errorf("accounts: follow kind %q: %w", kind, apperr.ErrNotFound)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, fmt.Errorf("accounts: %s %q: %w", kind, slug, apperr.ErrNotFound)
	}
	if err != nil {
		return Target{}, fmt.Errorf("accounts: %s %q: %w", kind, slug, err)
	}
	return t, nil
}

// Following reports whether the user follows t.
func (s *Service) Following(ctx context.Context, userID int64, t Target) (bool, error) {
	var ok bool
	var err error
	switch t.Kind {
	case FollowArtist:
		ok, err = s.q.FollowArtistExists(ctx, db.FollowArtistExistsParams{UserID: userID, ArtistID: t.id})
	case FollowLocation:
		ok, err = s.q.FollowLocationExists(ctx, db.FollowLocationExistsParams{UserID: userID, LocationID: t.id})
	}
	if err != nil {
		return false, fmt.Errorf("accounts: read follow of %s %q: %w", t.Kind, t.Slug, err)
	}
	return ok, nil
}

// SetFollow makes the user follow t, or stop following it. Both are
// idempotent: following twice is one follow.
func (s *Service) SetFollow(ctx context.Context, userID int64, t Target, follow bool) error {
	now := s.now().UTC()
	var err error
	switch {
	case t.Kind == FollowArtist && follow:
		err = s.q.FollowArtistInsert(ctx, db.FollowArtistInsertParams{UserID: userID, ArtistID: t.id, CreatedAt: now})
	case t.Kind == FollowArtist:
		_, err = s.q.FollowArtistDelete(ctx, db.FollowArtistDeleteParams{UserID: userID, ArtistID: t.id})
	case t.Kind == FollowLocation && follow:
		err = s.q.FollowLocationInsert(ctx, db.FollowLocationInsertParams{UserID: userID, LocationID: t.id, CreatedAt: now})
	case t.Kind == FollowLocation:
		_, err = s.q.FollowLocationDelete(ctx, db.FollowLocationDeleteParams{UserID: userID, LocationID: t.id})
	default:
		return fmt.Errorf("accounts: follow kind %q: %w", t.Kind, apperr.ErrNotFound)
	}
	if isMySQL(err, errNoParentRow) {
		// The user was deleted meanwhile.
		return fmt.Errorf("accounts: follow by user %d: %w", userID, apperr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("accounts: follow %s %q: %w", t.Kind, t.Slug, err)
	}
	return nil
}

// Follows lists what the user follows, names in lang.
func (s *Service) Follows(ctx context.Context, userID int64, lang string) (Follows, error) {
	ar, err := s.q.FollowArtistList(ctx, userID)
	if err != nil {
		return Follows{}, fmt.Errorf("accounts: list artist follows of %d: %w", userID, err)
	}
	lr, err := s.q.FollowLocationList(ctx, db.FollowLocationListParams{DefaultLang: s.defaultLang(), Lang: lang, UserID: userID})
	if err != nil {
		return Follows{}, fmt.Errorf("accounts: list location follows of %d: %w", userID, err)
	}
	f := Follows{Artists: make([]Followed, len(ar)), Locations: make([]Followed, len(lr))}
	for i, r := range ar {
		f.Artists[i] = Followed{Target: Target{Kind: FollowArtist, Slug: r.Slug, Name: r.Name}, Since: r.CreatedAt}
	}
	for i, r := range lr {
		f.Locations[i] = Followed{Target: Target{Kind: FollowLocation, Slug: r.Slug, Name: db.Text(r.NameTr, r.Name).Value}, Since: r.CreatedAt}
	}
	return f, nil
}
