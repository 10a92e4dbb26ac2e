package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestRecordAndRead(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	at := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	long := strings.Repeat("ü", 3000)
	err := db.InTx(t.Context(), sqlDB, func(q *db.Queries) error {
		return audit.Record(t.Context(), q, actor.Actor{Role: actor.RoleAdmin, IP: "192.0.2.1", RequestID: "r1"}, at, audit.Entry{
			Action: "update", Kind: audit.KindEvent, EntityID: 4242, Summary: "title",
			Changes: []audit.Change{{Field: "title.en", Old: "<b>old</b>", New: long}},
		})
	})
	require.NoError(t, err)

	s := audit.New(sqlDB)
	got, err := s.ForEntity(t.Context(), audit.KindEvent, 4242, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	e := got[0]
	require.Equal(t, "update", e.Action)
	require.Equal(t, int64(0), e.UserID, "the system has no user")
	require.Equal(t, "192.0.2.1", e.IP)
	require.True(t, e.At.Equal(at))
	require.Len(t, e.Changes, 1)
	require.Equal(t, "<b>old</b>", e.Changes[0].Old)
	require.LessOrEqual(t, len(e.Changes[0].New), 2000)
	require.True(t, strings.HasSuffix(e.Changes[0].New, "…"))

	none, err := s.ForEntity(t.Context(), audit.KindArtist, 4242, 10)
	require.NoError(t, err)
	require.Empty(t, none)

	recent, err := s.Recent(t.Context(), 5)
	require.NoError(t, err)
	require.NotEmpty(t, recent)
}

func TestRolledBackChangeLeavesNoEntry(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	err := db.InTx(t.Context(), sqlDB, func(q *db.Queries) error {
		if err := audit.Record(t.Context(), q, actor.System(), time.Now(), audit.Entry{Action: "create", Kind: audit.KindEvent, EntityID: 777}); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	got, err := audit.New(sqlDB).ForEntity(t.Context(), audit.KindEvent, 777, 10)
	require.NoError(t, err)
	require.Empty(t, got)
}

var errBoom = boom("boom")

type boom string

func (b boom) Error() string { return string(b) }

// An entry without field changes (a publish, a deletion) reads back too.
func TestEntryWithoutChanges(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	err := db.InTx(t.Context(), sqlDB, func(q *db.Queries) error {
		return audit.Record(t.Context(), q, actor.System(), time.Now(), audit.Entry{Action: "publish", Kind: audit.KindEvent, EntityID: 5151})
	})
	require.NoError(t, err)
	got, err := audit.New(sqlDB).ForEntity(t.Context(), audit.KindEvent, 5151, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Empty(t, got[0].Changes)
	_, err = audit.New(sqlDB).Recent(t.Context(), 50)
	require.NoError(t, err)
}

// Entries about no row (the settings) are listed by entity id 0, newest
// first, and never mixed with entries about a row of the same kind.
func TestEntriesWithoutEntity(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	kind := testenv.Unique("kind")
	at := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	for i, e := range []audit.Entry{
		{Action: "set", Kind: kind, Summary: "first"},
		{Action: "set", Kind: kind, EntityID: 9, Summary: "of a row"},
		{Action: "set", Kind: kind, Summary: "second"},
	} {
		err := db.InTx(t.Context(), sqlDB, func(q *db.Queries) error {
			return audit.Record(t.Context(), q, actor.System(), at.Add(time.Duration(i)*time.Minute), e)
		})
		require.NoError(t, err)
	}
	got, err := audit.New(sqlDB).ForEntity(t.Context(), kind, 0, 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "second", got[0].Summary)
	require.Equal(t, "first", got[1].Summary)
	row, err := audit.New(sqlDB).ForEntity(t.Context(), kind, 9, 10)
	require.NoError(t, err)
	require.Len(t, row, 1)
	require.Equal(t, "of a row", row[0].Summary)
}
