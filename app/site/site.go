// Package site assembles the web application from its parts, the same way
// for `tdc serve` and for tests.
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

// Build wires config, database and Redis into the web server. now is the
// clock every service reads (time.Now in production).
func Build(cfg config.Config, sqlDB *sql.DB, rdb redis.UniversalClient, log *slog.Logger, now func() time.Time) (*web.Server, error) {
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
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("site: metrics: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("site: metrics: %w", err)
	}
	def := bundle.Default()
	return web.New(web.Deps{
		Config:     cfg,
		Log:        log,
		DB:         sqlDB,
		Redis:      rdb,
		Bundle:     bundle,
		Views:      renderer,
		Assets:     files,
		Events:     events.New(sqlDB, def, now),
		Locations:  locations.New(sqlDB, def),
		Artists:    artists.New(sqlDB, def),
		Blog:       blog.New(sqlDB, def, now),
		NowPlaying: nowplaying.New(sqlDB),
		Registry:   reg,
		Now:        now,
	})
}
