package main

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/gcal"
	"github.com/dreamerscave/tdc/app/gcal/gcaltest"
	"github.com/dreamerscave/tdc/app/testenv"
)

// `tdc sync gcal` pushes what Google lacks, reports what it changed, and
// exits non-zero when an event fails.
func TestSyncGcalCommand(t *testing.T) {
	t.Parallel()
	dsn, sqlDB := testenv.ScratchDB(t, "synccmd")
	fake := gcaltest.New(t, "club@group.calendar.google.com")
	q := db.New(sqlDB)
	loc := testenv.Location(t, q, testenv.LocationOpts{})
	a := testenv.Event(t, q, testenv.EventOpts{Location: loc, Published: true, Title: "First"})
	testenv.Event(t, q, testenv.EventOpts{Location: loc, Published: true, Title: "Second"})
	testenv.Event(t, q, testenv.EventOpts{Location: loc, Title: "Draft"})
	vars := map[string]string{"TDC_DATABASE_DSN": dsn, "TDC_GOOGLE_CREDENTIALS_FILE": fake.KeyFile,
		"TDC_GOOGLE_CALENDAR_ID": fake.CalendarID, "TDC_GOOGLE_API_URL": fake.URL}
	syncGcal := func() (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), []string{"sync", "gcal"}, env(vars), &out, io.Discard)
		return out.String(), err
	}

	out, err := syncGcal()
	require.NoError(t, err)
	require.Equal(t, "gcal: created 2, updated 0, deleted 0, unchanged 0, failed 0\n", out)
	got, ok := fake.Event(gcal.EventID(a.ID))
	require.True(t, ok)
	require.Equal(t, "First", got.Summary)

	out, err = syncGcal()
	require.NoError(t, err)
	require.Equal(t, "gcal: created 0, updated 0, deleted 0, unchanged 2, failed 0\n", out)

	fake.Fail(gcaltest.BadRequest)
	out, err = syncGcal()
	require.ErrorContains(t, err, "1 events failed")
	require.Contains(t, out, "unchanged 1, failed 1\n")
	require.Regexp(t, `failed: event \d+: .*timeRangeEmpty`, out)
	require.Equal(t, 2, fake.Len())

	var stderr bytes.Buffer
	delete(vars, "TDC_GOOGLE_CREDENTIALS_FILE")
	delete(vars, "TDC_GOOGLE_CALENDAR_ID")
	_, err = syncGcal()
	require.ErrorContains(t, err, "not configured")
	require.ErrorContains(t, run(t.Context(), []string{"sync", "facebook"}, env(vars), io.Discard, &stderr), "say gcal")
	require.Contains(t, stderr.String(), "usage:")
}
