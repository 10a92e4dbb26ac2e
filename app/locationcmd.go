package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/services"
)

const locationUsage = `usage:
  tdc location token SLUG   print a new now-playing token for the venue; the old one stops working

DJ software sends it as "Authorization: Bearer TOKEN" to
POST /api/locations/SLUG/now-playing.
`

// locationCommand runs `tdc location ...` as the system actor, through the
// locations service, so a rotation is audited as one from the back office is.
func locationCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || args[0] != "token" {
		fmt.Fprint(stderr, locationUsage)
		return errors.New("location: say token SLUG")
	}
	conn, err := openDB(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The rotation needs no Redis: the token is checked against the
	// database, and no page shows it.
	locs := services.New(cfg, conn, nil, live.Discard{}, log, time.Now).Locations
	loc, err := locs.Get(ctx, cfg.DefaultLanguage, args[1])
	if errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("location: no venue with slug %q", args[1])
	}
	if err != nil {
		return err
	}
	token, err := locs.RotateNowPlayingToken(ctx, actor.System(), loc.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}
