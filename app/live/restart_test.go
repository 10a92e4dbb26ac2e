package live_test

import (
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// ownRedis runs a redis-server of the test's own on port, without
// persistence, and returns a function that stops it.
func ownRedis(t *testing.T, port int) (stop func()) {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	require.NoError(t, cmd.Start())
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(stop)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer rdb.Close()
	require.Eventually(t, func() bool { return rdb.Ping(t.Context()).Err() == nil }, 10*time.Second, 10*time.Millisecond)
	return stop
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Redis stops: the instance's own changes still reach its clients. Redis
// comes back: the subscriber reconnects by itself, and every client gets
// fresh fragments, including what changed elsewhere meanwhile.
func TestHubSurvivesRedisRestart(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	port := freePort(t)
	stop := ownRedis(t, port)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), MaxRetries: 1})
	t.Cleanup(func() { rdb.Close() })
	f := setup(t, live.Options{}, live.NewBus(rdb, "restart:", testenv.Logger(t)))
	ws := f.dial(t, "", live.TopicEvents)
	require.Contains(t, next(t, ws), "v0")

	stop()
	f.r.bump(live.TopicEvents)
	require.Error(t, f.bus.Changed(t.Context(), live.TopicEvents, 0), "Redis is down")
	require.Contains(t, next(t, ws), "v1", "this instance's change reached its client anyway")

	f.r.bump(live.TopicEvents) // a change on another instance, lost with Redis
	ownRedis(t, port)
	require.Contains(t, next(t, ws), "v2", "resynced after the subscriber came back")

	f.r.bump(live.TopicEvents)
	require.NoError(t, f.bus.Changed(t.Context(), live.TopicEvents, 0))
	require.Contains(t, next(t, ws), "v3", "and changes flow through Redis again")
}
