// Package site assembles the web application over the services, the same
// way for `tdc serve` and for tests.
package site

import (
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/render"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/static"
	"github.com/dreamerscave/tdc/app/web"
	"github.com/dreamerscave/tdc/assets"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views"
)

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
func Build(cfg config.Config, svc services.Set, reg *prometheus.Registry, log *slog.Logger, now func() time.Time) (*web.Server, error) {
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
	if svc.Jobs != nil {
		for _, c := range svc.Jobs.Collectors() {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("site: job metrics: %w", err)
			}
		}
	}
	return web.New(web.Deps{
		Config:   cfg,
		Log:      log,
		Bundle:   bundle,
		Views:    renderer,
		Assets:   files,
		Set:      svc,
		Registry: reg,
		Now:      now,
	})
}
