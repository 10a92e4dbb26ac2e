package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/jobs"
	"github.com/dreamerscave/tdc/app/services"
)

// scheduledJobs is every recurring job: each is one service call.
func scheduledJobs(cfg config.Config, svc services.Set, log *slog.Logger) []jobs.Job {
	return []jobs.Job{
		{Name: "now-playing-poll", Every: cfg.NowPlayingPoll, Run: svc.NowPlaying.Poll},
		{Name: "now-playing-prune", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			n, err := svc.NowPlaying.PruneHistory(ctx)
			if n > 0 {
				log.Info("now-playing history pruned", slog.Int64("deleted", n))
			}
			return err
		}},
		{Name: "gcal-sync", Every: cfg.Sync.Every, Run: svc.GCal.Sync},
		{Name: "facebook-post", Every: cfg.Sync.Every, Run: svc.Facebook.Post},
	}
}

// startJobs starts the scheduler with every job, unless TDC_JOBS=off; the
// caller stops it on shutdown. It returns nil when jobs are off.
func startJobs(ctx context.Context, cfg config.Config, svc services.Set, rdb redis.UniversalClient, log *slog.Logger) (*jobs.Scheduler, error) {
	if !cfg.Jobs {
		log.Info("scheduled jobs are off on this instance (TDC_JOBS=off)")
		return nil, nil
	}
	s, err := jobs.New(ctx, rdb, cfg.RedisKeyPrefix, log, jobs.Options{})
	if err != nil {
		return nil, err
	}
	for _, j := range scheduledJobs(cfg, svc, log) {
		if err := s.Add(j); err != nil {
			return nil, err
		}
	}
	s.Start()
	return s, nil
}
