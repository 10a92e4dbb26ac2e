// Package services builds the club's capabilities once per process, for
// everything that serves: the web app now, the live hub and the schedulers
// later. Each capability is its own package; this one only assembles them.
package services

import (
	"database/sql"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/cleanup"
	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/facebook"
	"github.com/dreamerscave/tdc/app/gcal"
	"github.com/dreamerscave/tdc/app/health"
	"github.com/dreamerscave/tdc/app/jobs"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/media"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/nowplaying"
	"github.com/dreamerscave/tdc/app/patreon"
	"github.com/dreamerscave/tdc/app/settings"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views/emails"
)

// Set is every service, each over the same database.
type Set struct {
	Events     *events.Service
	Locations  *locations.Service
	Artists    *artists.Service
	Blog       *blog.Service
	NowPlaying *nowplaying.Service
	Health     *health.Service
	Audit      *audit.Service
	Settings   *settings.Service
	Media      *media.Service
	Accounts   *accounts.Service
	Patreon    *patreon.Service
	Notify     *notify.Service
	// Jobs runs the scheduled jobs, for the schedulers and the admin's
	// "Run now"; main registers the jobs (app/schedule.go).
	Jobs *jobs.Runner
	// Cleanup removes expired and old data (the "cleanup" job).
	Cleanup  *cleanup.Service
	GCal     *gcal.Service     // Google Calendar sync
	Facebook *facebook.Service // Facebook Page announcements
}

// New builds every service. Writes publish their changes through pub after
// commit; now is the clock they read (time.Now in production, a fixed
// instant in tests).
func New(cfg config.Config, sqlDB *sql.DB, rdb redis.UniversalClient, pub live.Publisher, log *slog.Logger, now func() time.Time) Set {
	// A bad TDC_SMTP_URL leaves sender nil; Accounts.Ready reports it.
	sender, err := mail.New(cfg.SMTPURL, cfg.MailFrom, log)
	if err != nil {
		log.Error("services: mail", slog.Any("error", err))
	}
	evs := events.New(sqlDB, cfg.Languages, now, pub, log)
	// A venue's, an artist's or a picture's write can change what the
	// programme lists. The events service hears of it before the change
	// is published, so this process's next page shows it: the bus brings
	// it back only later. (Its own writes do the same by themselves.)
	pub = live.WithLocal(pub, evs.Changed)
	set := Set{
		Events:     evs,
		Locations:  locations.New(sqlDB, cfg.Languages, now, pub, log),
		Artists:    artists.New(sqlDB, cfg.Languages, now, pub, log),
		Blog:       blog.New(sqlDB, cfg.Languages, pub, log, now),
		NowPlaying: nowplaying.New(sqlDB, rdb, cfg.RedisKeyPrefix, pub, log, now),
		Health:     health.New(sqlDB, rdb),
		Audit:      audit.New(sqlDB),
		Settings: settings.New(sqlDB, settings.Options{Languages: cfg.Languages, ZoneLabel: cfg.ClubZoneLabel},
			pub, log, now),
		Media: media.New(sqlDB, media.NewDir(cfg.MediaDir), media.Config{
			MaxBytes: int64(cfg.MediaMaxMB) << 20, MaxPixels: cfg.MediaMaxPixels,
			DefaultLanguage: cfg.DefaultLanguage, Languages: cfg.Languages,
		}, pub, log, now),
		Accounts: accounts.New(sqlDB, rdb, accounts.Options{
			BaseURL: cfg.BaseURL.String(), Languages: cfg.Languages, RedisPrefix: cfg.RedisKeyPrefix,
			SessionIdle: cfg.SessionIdle, SessionMaxAge: cfg.SessionMaxAge,
			Mail: sender, Emails: emails.FS, Locales: locales.FS, Now: now, Log: log,
		}),
		Patreon: patreon.New(sqlDB, cfg.PatreonSecret, now, log),
		Jobs:    jobs.NewRunner(rdb, cfg.RedisKeyPrefix, log, nil),
	}
	set.Cleanup = cleanup.New(sqlDB, set.Accounts.PruneSessionIndex, set.NowPlaying.PruneHistory, now, log)
	// A Patreon member is linked to the user whose address it is, once
	// that address is verified.
	set.Accounts.OnVerified(patreon.LinkUser)
	set.Notify = newNotify(cfg, sqlDB, sender, log, now)
	// Mail caused by a write is enqueued in the write's transaction.
	set.Events.OnWrite(set.Notify.EventHook())
	set.Blog.OnWrite(set.Notify.PostHook())
	addSync(&set, cfg, sqlDB, log, now)
	return set
}

func newNotify(cfg config.Config, sqlDB *sql.DB, sender mail.Sender, log *slog.Logger, now func() time.Time) *notify.Service {
	dial, _ := sender.(mail.Dialer)
	return notify.New(sqlDB, dial, emails.FS, locales.FS, cfg.Languages, notify.Options{
		BaseURL: cfg.BaseURL, SecretKey: cfg.SecretKey, AnnounceDelay: cfg.AnnounceDelay,
		ClubZone: cfg.ClubZone, ClubZoneLabel: cfg.ClubZoneLabel,
	}, now, log)
}

// addSync builds the Google Calendar and Facebook services and hooks them
// into every event write, so each change is queued in its transaction.
func addSync(set *Set, cfg config.Config, sqlDB *sql.DB, log *slog.Logger, now func() time.Time) {
	sc, site := cfg.Sync, ""
	if cfg.BaseURL != nil {
		site = cfg.BaseURL.String()
	}
	set.GCal = gcal.New(sqlDB, gcal.Options{
		CredentialsFile: sc.GoogleCredentialsFile, CalendarID: sc.GoogleCalendarID, APIURL: sc.GoogleAPIURL,
		Timeout: sc.Timeout, SiteURL: site, DefaultLanguage: cfg.DefaultLanguage,
	}, log, now)
	set.Facebook = facebook.New(sqlDB, facebook.Options{
		PageID: sc.FacebookPageID, Token: sc.FacebookPageToken, GraphURL: sc.FacebookGraphURL,
		Version: sc.FacebookAPIVersion, Timeout: sc.Timeout, SiteURL: site, DefaultLanguage: cfg.DefaultLanguage,
		Zone: cfg.ClubZone, ZoneLabel: cfg.ClubZoneLabel, Locales: locales.FS,
	}, log, now)
	set.Events.OnWrite(set.GCal.Hook)
	set.Events.OnWrite(set.Facebook.Hook)
}
