// Package site assembles the application from its parts, the same way for
// `tdc serve` and for tests: the services once, then the web app over them
// (and later the live hub and the schedulers over the same services).
package site

import (
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/health"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/nowplaying"
	"github.com/dreamerscave/tdc/app/render"
	"github.com/dreamerscave/tdc/app/static"
	"github.com/dreamerscave/tdc/app/web"
	"github.com/dreamerscave/tdc/assets"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views"
)

// Services are the capabilities of the club, each over the database. They
// are built once per process and shared by everything that serves.
type Services struct {
	Events     *events.Service
	Locations  *locations.Service
	Artists    *artists.Service
	Blog       *blog.Service
	NowPlaying *nowplaying.Service
	Health     *health.Service
}

// NewServices builds every service. now is the clock they read (time.Now
// in production, a fixed instant in tests).
func NewServices(cfg config.Config, sqlDB *sql.DB, rdb redis.UniversalClient, now func() time.Time) Services {
	def := cfg.DefaultLanguage
	return Services{
		Events:     events.New(sqlDB, def, now),
		Locations:  locations.New(sqlDB, def),
		Artists:    artists.New(sqlDB, def),
		Blog:       blog.New(sqlDB, def, now),
		NowPlaying: nowplaying.New(sqlDB),
		Health:     health.New(sqlDB, rdb),
	}
}

// NewRegistry returns the process's Prometheus registry with the Go runtime,
// process and database pool collectors; the web app adds its own series.
func NewRegistry(sqlDB *sql.DB) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(sqlDB, "tdc"),
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("site: metrics: %w", err)
		}
	}
	return reg, nil
}

// Build wires the web server over svc. now is the clock the pages read.
func Build(cfg config.Config, svc Services, reg *prometheus.Registry, log *slog.Logger, now func() time.Time) (*web.Server, error) {
	bundle, err := i18n.New(locales.FS, cfg.Languages)
	if err != nil {
		return nil, err
	}
	files, err := static.New(assets.FS, "/assets")
	if err != nil {
		return nil, fmt.Errorf("site: assets: %w", err)
	}
	renderer, err := render.New(views.FS, bundle, files.Path)
	if err != nil {
		return nil, err
	}
	return web.New(web.Deps{
		Config:     cfg,
		Log:        log,
		Bundle:     bundle,
		Views:      renderer,
		Assets:     files,
		Events:     svc.Events,
		Locations:  svc.Locations,
		Artists:    svc.Artists,
		Blog:       svc.Blog,
		NowPlaying: svc.NowPlaying,
		Health:     svc.Health,
		Registry:   reg,
		Now:        now,
	})
}
