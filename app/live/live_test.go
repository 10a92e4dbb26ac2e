package live_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestChangesReachListeners(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	bus := live.NewBus(rdb, prefix, testenv.Logger(t))
	got := make(chan live.Change, 8)
	go bus.Listen(t.Context(), func(c live.Change) { got <- c })

	first := <-got
	require.Equal(t, live.TopicAll, first.Topic, "a (re)subscription tells the listener it may have missed changes")

	// Garbage on the channel is skipped, not fatal.
	require.NoError(t, rdb.Publish(t.Context(), prefix+"changes", "{not json").Err())
	require.NoError(t, rdb.Publish(t.Context(), prefix+"changes", `{"id":3}`).Err())
	require.NoError(t, bus.Changed(t.Context(), live.EventTopic(42), 42))
	select {
	case c := <-got:
		require.Equal(t, live.Change{Topic: "event:42", ID: 42}, c)
	case <-time.After(5 * time.Second):
		t.Fatal("change not received")
	}

	// Another prefix is another club: its changes never arrive here.
	other := live.NewBus(rdb, prefix+"other:", testenv.Logger(t))
	require.NoError(t, other.Changed(t.Context(), live.TopicEvents, 0))
	require.NoError(t, bus.Changed(t.Context(), live.TopicEvents, 0))
	require.Equal(t, live.TopicEvents, (<-got).Topic)
	require.Empty(t, got)
}
