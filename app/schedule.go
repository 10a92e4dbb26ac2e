package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/jobs"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/services"
)

// scheduledJobs is every recurring job: each is one service call.
func scheduledJobs(cfg config.Config, svc services.Set, log *slog.Logger) []jobs.Job {
	return []jobs.Job{
		{Name: "now-playing-poll", Every: cfg.NowPlayingPoll, Run: svc.NowPlaying.Poll},
		// Tokens, session lists, now-playing history, old mail; it logs
		// what it removed.
		{Name: "cleanup", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := svc.Cleanup.Run(ctx)
			return err
		}},
		{Name: "patreon-deliveries-prune", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			n, err := svc.Patreon.PruneDeliveries(ctx)
			if n > 0 {
				log.Info("patreon deliveries pruned", slog.Int64("deleted", n))
			}
			return err
		}},
		// Mail: the worker sends until the queue is empty or its 5 s are
		// up, on every instance at once (each claims its own rows).
		{Name: "notify-send", Every: 5 * time.Second, Shared: true, Run: func(ctx context.Context) error {
			st, err := svc.Notify.Run(ctx)
			if st != (notify.Stats{}) {
				log.Info("notifications sent", slog.Int("sent", st.Sent), slog.Int("retried", st.Retried), slog.Int("failed", st.Failed))
			}
			return err
		}},
		{Name: "notify-reminders", Every: time.Minute, Run: func(ctx context.Context) error {
			_, err := svc.Notify.EnqueueReminders(ctx)
			return err
		}},
		{Name: "blog-publish", Every: time.Minute, Run: func(ctx context.Context) error {
			_, err := svc.Blog.PublishDue(ctx)
			return err
		}},
		{Name: "gcal-sync", Every: cfg.Sync.Every, Run: svc.GCal.Sync},
		{Name: "facebook-post", Every: cfg.Sync.Every, Run: svc.Facebook.Post},
	}
}

// startJobs registers every job with svc.Jobs, so the admin can see and run
// them on any instance, and starts the scheduler, unless TDC_JOBS=off; the
// caller stops it on shutdown. It returns nil when jobs are off.
func startJobs(ctx context.Context, cfg config.Config, svc services.Set, rdb redis.UniversalClient, log *slog.Logger) (*jobs.Scheduler, error) {
	all := scheduledJobs(cfg, svc, log)
	if err := svc.Jobs.Register(all...); err != nil {
		return nil, err
	}
	if !cfg.Jobs {
		log.Info("scheduled jobs are off on this instance (TDC_JOBS=off)")
		return nil, nil
	}
	s, err := jobs.New(ctx, rdb, cfg.RedisKeyPrefix, log, jobs.Options{Runner: svc.Jobs})
	if err != nil {
		return nil, err
	}
	for _, j := range all {
		if err := s.Add(j); err != nil {
			return nil, err
		}
	}
	s.Start()
	return s, nil
}
