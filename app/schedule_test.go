package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/jobs"
	"github.com/dreamerscave/tdc/app/testenv"
)

// serve schedules the poll at TDC_NOW_PLAYING_POLL, the hourly clean-up,
// the mail jobs and the Google Calendar and Facebook jobs at
// TDC_SYNC_INTERVAL, and none of it with TDC_JOBS=off; the admin knows the
// jobs either way.
func TestStartJobs(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	cfg, err := config.Load(env(map[string]string{"TDC_NOW_PLAYING_POLL": "40s", "TDC_REDIS_PREFIX": prefix, "TDC_JOBS": "off"}))
	require.NoError(t, err)
	svc := testenv.Services(t, testenv.DB(t), time.Now())
	svc.Jobs = jobs.NewRunner(rdb, prefix, testenv.Logger(t), nil)

	every := map[string]time.Duration{}
	for _, j := range scheduledJobs(cfg, svc, testenv.Logger(t)) {
		every[j.Name] = j.Every
	}
	require.Equal(t, map[string]time.Duration{
		"now-playing-poll": 40 * time.Second, "cleanup": time.Hour,
		"notify-send": 5 * time.Second, "notify-reminders": time.Minute, "blog-publish": time.Minute,
		"patreon-deliveries-prune": 24 * time.Hour, "gcal-sync": time.Minute, "facebook-post": time.Minute,
	}, every)

	s, err := startJobs(t.Context(), cfg, svc, rdb, testenv.Logger(t))
	require.NoError(t, err)
	require.Nil(t, s, "TDC_JOBS=off starts no scheduler")
	require.Len(t, svc.Jobs.Jobs(), len(every), "but the jobs can be run from the admin")

	cfg.Jobs = true
	s, err = startJobs(t.Context(), cfg, svc, rdb, testenv.Logger(t))
	require.NoError(t, err)
	require.NotNil(t, s)
	require.NoError(t, s.Stop())
}
