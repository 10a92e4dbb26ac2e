package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// A cancelled event stays on its page, marked for people and for search
// engines (schema.org's EventCancelled).
func TestCancelledEventIsMarked(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	ev := testenv.Event(t, db.New(testenv.DB(t)), testenv.EventOpts{Published: true, Cancelled: true, Title: "Called Off"})
	res := get(t, srv, "/events/"+ev.Slug+"?lang=en")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, res.Body, "https://schema.org/EventCancelled")
	require.NotContains(t, res.Body, "https://schema.org/EventScheduled")
	require.Contains(t, res.Body, "note--cancelled")
	require.Contains(t, res.Body, "<s>Called Off</s>")
}
