package live_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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

// After Redis drops the connection, the listener comes back by itself and
// says so with TopicAll, so caches and screens resync.
func TestListenerResyncsAfterReconnect(t *testing.T) {
	t.Parallel()
	admin, prefix := testenv.Redis(t)
	// A client with a name of its own, so the test can find and kill just
	// its connection and no other test's.
	opts, err := redis.ParseURL(testenv.RedisURL())
	require.NoError(t, err)
	opts.ClientName = strings.ReplaceAll(prefix, ":", "-") + "listener"
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	bus := live.NewBus(rdb, prefix, testenv.Logger(t))
	got := make(chan live.Change, 8)
	go bus.Listen(t.Context(), func(c live.Change) { got <- c })
	require.Equal(t, live.TopicAll, (<-got).Topic)

	list, err := admin.ClientList(t.Context()).Result()
	require.NoError(t, err)
	var id string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, " name="+opts.ClientName+" ") {
			id = strings.TrimPrefix(strings.Fields(line)[0], "id=")
		}
	}
	require.NotEmpty(t, id, "listener connection not found")
	require.NoError(t, admin.Do(t.Context(), "CLIENT", "KILL", "ID", id).Err())
	select {
	case c := <-got:
		require.Equal(t, live.TopicAll, c.Topic, "resubscribed and told the listener")
	case <-time.After(10 * time.Second):
		t.Fatal("listener did not resubscribe")
	}
	require.NoError(t, bus.Changed(t.Context(), live.TopicEvents, 0))
	require.Eventually(t, func() bool {
		select {
		case c := <-got:
			return c.Topic == live.TopicEvents
		default:
			return false
		}
	}, 10*time.Second, 10*time.Millisecond)
}

// WithLocal tells the local cache of each change, in the publisher's
// goroutine, before the change is published.
func TestWithLocalTellsLocalFirst(t *testing.T) {
	t.Parallel()
	var steps []string
	p := live.WithLocal(logPublisher{&steps}, func(topic string, _ int64) { steps = append(steps, "local "+topic) })
	live.Publish(t.Context(), p, testenv.Logger(t), 7, live.TopicEvents, live.EventTopic(7))
	require.Equal(t, []string{"local events", "publish events", "local event:7", "publish event:7"}, steps)
}

// logPublisher writes each change it publishes to a log.
type logPublisher struct{ log *[]string }

func (p logPublisher) Changed(_ context.Context, topic string, _ int64) error {
	*p.log = append(*p.log, "publish "+topic)
	return nil
}
