package events_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/testenv"
)

// An artist's page lists the events they play that are still to come,
// drafts included and cancelled ones not, with their set times; only the
// artist themself and staff may read it.
func TestArtistSets(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	later := b.input("Later <b>show</b>")
	later.StartsAt, later.EndsAt = later.StartsAt.Add(48*time.Hour), later.EndsAt.Add(48*time.Hour)
	later.Lineup = []events.LineupInput{{ArtistID: b.a1.ID}}
	draftLater, err := b.svc.Create(ctx, editor, later)
	require.NoError(t, err)
	sooner, err := b.svc.Create(ctx, editor, b.input("Sooner"))
	require.NoError(t, err)
	sooner, err = b.svc.Publish(ctx, editor, sooner.ID, sooner.Version)
	require.NoError(t, err)
	called := b.input("Called off")
	called.LocationID = b.loc2.ID
	off, err := b.svc.Create(ctx, editor, called)
	require.NoError(t, err)
	_, err = b.svc.Cancel(ctx, editor, off.ID, off.Version)
	require.NoError(t, err)
	past := testenv.Event(t, b.q, testenv.EventOpts{Start: b.now.Add(-48 * time.Hour), Lineup: []testenv.ArtistRow{b.a1}, Published: true})

	own := actor.Actor{Role: actor.RoleArtist, ArtistID: b.a1.ID}
	sets, err := b.svc.ArtistSets(ctx, own, b.a1.ID, "de")
	require.NoError(t, err)
	require.Len(t, sets, 2, "not the cancelled one, nor the past one (#%d)", past.ID)
	require.Equal(t, sooner.ID, sets[0].EventID)
	require.Equal(t, "Sooner (de)", sets[0].Title.Value)
	require.True(t, sets[0].Published)
	require.Equal(t, sooner.Version, sets[0].Version)
	require.True(t, sets[0].SetStartsAt.Equal(sooner.StartsAt))
	require.True(t, sets[0].SetEndsAt.Equal(sooner.StartsAt.Add(time.Hour)))
	require.Equal(t, draftLater.ID, sets[1].EventID)
	require.False(t, sets[1].Published, "a draft too")
	require.True(t, sets[1].SetStartsAt.IsZero(), "no set time announced")

	staff, err := b.svc.ArtistSets(ctx, editor, b.a1.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "Sooner", staff[0].Title.Value)

	_, err = b.svc.ArtistSets(ctx, own, b.a2.ID, "en")
	require.ErrorIs(t, err, apperr.ErrForbidden, "another artist's")
	_, err = b.svc.ArtistSets(ctx, member, b.a1.ID, "en")
	require.ErrorIs(t, err, apperr.ErrForbidden)
	none, err := b.svc.ArtistSets(ctx, editor, 1<<50, "en")
	require.NoError(t, err)
	require.Empty(t, none)
}
